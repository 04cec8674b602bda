"""The session id changes at login; logout and a password change kill the old
cookies (session and remember); SECRET_KEY_FALLBACKS keeps people logged in while
the key is rotated."""

import pytest
from flask_login.utils import encode_cookie

from tests.conftest import PASSWORD, _config, csrf_token
from tests.security.sess_helpers import (
    COOKIE,
    live_login,
    replay,
    session_cookie,
    shows_login_page,
)
from yongxi_learn import create_app
from yongxi_learn.extensions import db

NEW = "Shifo2024cun"
OLD_KEY = "old-secret-key-that-is-long-enough-for-prod-0001"
NEW_KEY = "new-secret-key-that-is-long-enough-for-prod-0002"


def test_login_gives_a_new_session_id(app, client, login, admin):
    app.config["WTF_CSRF_ENABLED"] = True  # the login page then starts a session
    page = client.get("/login")
    before = session_cookie(client)
    data = {"phone": admin.phone, "password": PASSWORD, "csrf_token": csrf_token(page.text)}
    assert client.post("/login", data=data).status_code == 302
    first = live_login(admin).token
    app.config["WTF_CSRF_ENABLED"] = False
    assert session_cookie(client) != before
    assert shows_login_page(replay(app, before))  # the pre-login cookie stays anonymous
    client.post("/logout")
    login(admin)
    assert live_login(admin).token != first


def test_no_remember_cookie_is_ever_set(client, login, admin):
    login(admin)
    assert client.get_cookie("remember_token") is None


def test_replayed_remember_cookie_after_logout_gets_the_login_page(app, client, login, admin):
    login(admin)
    token = live_login(admin).token
    client.post("/logout")
    thief = app.test_client()
    with app.test_request_context():
        thief.set_cookie("remember_token", encode_cookie(token))
    assert shows_login_page(thief.get("/"))


def test_password_change_kills_the_old_cookie_but_keeps_this_browser_in(app, client, login, admin):
    login(admin)
    old = session_cookie(client)
    other_device = app.test_client()
    login(admin, client=other_device)
    changed = client.post("/password", data={"current": PASSWORD, "new": NEW, "confirm": NEW})
    assert changed.status_code == 302
    assert client.get("/").status_code == 200
    assert session_cookie(client) != old
    assert shows_login_page(replay(app, old))
    assert shows_login_page(other_device.get("/"))


def test_logout_kills_the_session_cookie(app, client, login, admin):
    login(admin)
    old = session_cookie(client)
    client.post("/logout")
    assert shows_login_page(replay(app, old))


@pytest.fixture
def app_with(app, db_url, tmp_path):
    """Apps on the test database with other settings; their engines closed afterwards."""
    made = []
    client_class = app.test_client_class

    def make(**config):
        app = create_app(_config(db_url, **config))
        app.instance_path = str(tmp_path)
        app.test_client_class = client_class  # requests as a server runs them
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_secret_key_rotation_keeps_people_logged_in(app, app_with, login, admin):
    old_app = app_with(SECRET_KEY=OLD_KEY)
    browser = old_app.test_client()
    login(admin, client=browser)
    cookie = browser.get_cookie(COOKIE).value

    rotated = app_with(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[OLD_KEY])
    assert replay(rotated, cookie).status_code == 200

    without_fallback = app_with(SECRET_KEY=NEW_KEY)
    assert shows_login_page(replay(without_fallback, cookie))


def test_secret_key_fallbacks_come_from_the_environment(monkeypatch):
    from yongxi_learn.config import from_environment

    monkeypatch.setenv("SECRET_KEY_FALLBACKS", f"{OLD_KEY}, another-old-key")
    assert from_environment()["SECRET_KEY_FALLBACKS"] == [OLD_KEY, "another-old-key"]
