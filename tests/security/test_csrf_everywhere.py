"""With CSRF on (as in production), every POST route refuses a request without a token,
whoever sends it, and changes nothing."""

import pytest

from tests.conftest import PASSWORD, csrf_token
from tests.security.routes import calls

from .world import fingerprint


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_every_post_without_a_token_is_refused(app, client, world, admin):
    page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={"phone": admin.phone, "password": PASSWORD, "csrf_token": csrf_token(page)},
    )
    assert client.get("/admin/people").status_code == 200
    before = fingerprint()
    accepted = []
    for _rule, method, url in calls(app, world.ids):
        if method == "POST":
            status = client.post(url, data={"name": "x", "reason": "x"}).status_code
            if status != 400:
                accepted.append((url, status))
    assert accepted == [], accepted
    assert fingerprint() == before
