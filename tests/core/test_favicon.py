"""The site's icon: a shipped file, never the 404 page."""

import re


def test_favicon_ico_is_the_icon_not_a_404_page(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype in {"image/vnd.microsoft.icon", "image/x-icon"}
    assert response.get_data()[:4] == b"\x00\x00\x01\x00"  # the ICO header


def test_every_page_links_the_svg_icon(client):
    html = client.get("/login").get_data(as_text=True)
    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html).group(1)
    assert client.get(href).status_code == 200


def test_the_icon_is_served_while_a_password_must_be_changed(client, login, make_user, tree):
    login(make_user("新同志", tree["village"], must_change_password=True))
    assert client.get("/favicon.ico").status_code == 200
    assert client.get("/").headers["Location"].startswith("/password")
