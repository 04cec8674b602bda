"""Static files carry a content version in their URL and are cached for a year."""

import re


def test_pages_link_versioned_css_and_js(client):
    html = client.get("/login").get_data(as_text=True)
    assert re.search(r'href="/static/css/app\.css\?v=[0-9a-f]{10}"', html)
    assert re.search(r'src="/static/js/app\.js\?v=[0-9a-f]{10}"', html)


def test_a_versioned_file_is_cached_for_a_year(client):
    html = client.get("/login").get_data(as_text=True)
    url = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]+)"', html).group(1)
    response = client.get(url)
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    response.close()


def test_an_unversioned_file_is_revalidated(client):
    response = client.get("/static/css/app.css")
    assert "max-age=31536000" not in response.headers.get("Cache-Control", "")
    response.close()
