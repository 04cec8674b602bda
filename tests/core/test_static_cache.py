"""Static files are named after their content and cached for a year."""

import re

STATIC_LINK = r'(?:href|src)="(/static/{stem}\.([0-9a-f]{{10}})\.{suffix})"'


def _link(html: str, stem: str, suffix: str) -> re.Match:
    return re.search(STATIC_LINK.format(stem=re.escape(stem), suffix=suffix), html)


def test_pages_link_css_and_js_under_names_with_their_content_hash(client):
    html = client.get("/login").get_data(as_text=True)
    assert _link(html, "css/app", "css")
    assert _link(html, "js/app", "js")
    assert "?v=" not in html


def test_a_hashed_name_serves_the_file_for_a_year_without_asking_again(client):
    html = client.get("/login").get_data(as_text=True)
    url = _link(html, "css/app", "css").group(1)
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert response.get_data() == client.get("/static/css/app.css").get_data()
    cache = response.headers["Cache-Control"]
    assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache
    response.close()


def test_a_hash_that_is_not_the_files_gets_the_file_revalidated(client):
    """A page of another release during a deployment: today's file, not cached long."""
    response = client.get("/static/css/app.0123456789.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert "max-age=31536000" not in response.headers.get("Cache-Control", "")
    response.close()


def test_an_unhashed_file_is_revalidated(client):
    response = client.get("/static/css/app.css")
    assert "max-age=31536000" not in response.headers.get("Cache-Control", "")
    assert "no-cache" in response.headers["Cache-Control"]
    response.close()


def test_a_hashed_name_never_reaches_outside_the_static_folder(client):
    response = client.get("/static/../__init__.0123456789.py")
    assert response.status_code == 404
    response.close()
