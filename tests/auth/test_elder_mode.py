"""长辈模式: the switch on every page keeps the choice on the person's account and in
this browser's cookie, comes back to the page it was used on, and follows the person
to another device when they log in there."""

import sqlalchemy as sa

from tests.conftest import PASSWORD
from yongxi_learn.auth.elder import ELDER_COOKIE, ON
from yongxi_learn.extensions import db
from yongxi_learn.org.models import User

ELDER_HTML = '<html lang="zh-CN" class="elder">'


def _stored(user) -> bool:
    return db.session.scalar(sa.select(User.elder_mode).where(User.id == user.id))


def _switch(client, on: bool, next_url="/laws/"):
    return client.post("/elder-mode", data={"elder": "1" if on else "0", "next": next_url})


def test_the_switch_is_on_every_page_and_says_its_state(client, login, person):
    page = client.get("/login").text
    assert 'action="/elder-mode"' in page and 'aria-pressed="false"' in page
    assert ELDER_HTML not in page
    login(person)
    for url in ("/", "/laws/", "/exams/", "/profile"):
        page = client.get(url).text
        assert 'action="/elder-mode"' in page, url
        assert f'name="next" value="{url}"' in page, url


def test_switching_on_keeps_it_on_the_account_and_comes_back(client, login, person):
    login(person)
    response = _switch(client, True, next_url="/laws/?q=宪法")
    assert response.status_code == 302
    assert response.headers["Location"] == "/laws/?q=%E5%AE%AA%E6%B3%95"
    assert _stored(person) is True
    assert client.get_cookie(ELDER_COOKIE).value == ON
    page = client.get("/laws/").text
    assert ELDER_HTML in page and 'aria-pressed="true"' in page


def test_switching_off_clears_the_account_and_the_cookie(client, login, person):
    login(person)
    _switch(client, True)
    _switch(client, False)
    assert _stored(person) is False
    assert client.get_cookie(ELDER_COOKIE) is None
    assert ELDER_HTML not in client.get("/").text


def test_the_mode_follows_the_person_to_another_device(app, login, person):
    phone, pc = app.test_client(), app.test_client()
    login(person, client=phone)
    _switch(phone, True)
    page = login(person, client=pc).text  # the PC never used the switch
    assert ELDER_HTML in page
    assert pc.get_cookie(ELDER_COOKIE).value == ON


def test_logging_in_shows_the_accounts_mode_not_the_last_persons(app, client, login, person):
    client.set_cookie(ELDER_COOKIE, ON)  # someone before used 长辈模式 on this PC
    assert ELDER_HTML in client.get("/login").text
    page = login(person).text
    assert ELDER_HTML not in page
    assert client.get_cookie(ELDER_COOKIE) is None


def test_before_logging_in_the_switch_sets_only_this_browser(client, person):
    response = _switch(client, True, next_url="/login")
    assert response.headers["Location"] == "/login"
    assert ELDER_HTML in client.get("/login").text
    assert _stored(person) is False


def test_a_person_who_must_change_their_password_can_switch(client, login, make_user, unit):
    newcomer = make_user("王五", unit, must_change_password=True)
    login(newcomer)
    response = _switch(client, True, next_url="/password")
    assert response.headers["Location"] == "/password"
    assert _stored(newcomer) is True


def test_the_switch_goes_back_only_to_this_site(client, login, person):
    login(person)
    for target in ("//evil.example/", "https://evil.example/", ""):
        assert _switch(client, True, next_url=target).headers["Location"] == "/"


def test_a_value_other_than_on_or_off_changes_nothing(client, login, person):
    login(person)
    assert client.post("/elder-mode", data={"elder": "yes"}).status_code == 400
    assert client.post("/elder-mode").status_code == 400
    assert _stored(person) is False
    assert client.get_cookie(ELDER_COOKIE) is None


def test_the_cookie_is_http_only_and_same_site_lax(client, login, person):
    login(person)
    cookie = next(
        c for c in _switch(client, True).headers.getlist("Set-Cookie") if c.startswith(ELDER_COOKIE)
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logging_in_through_the_form_with_csrf(app, person):
    """The real form: with CSRF on, the switch needs the page's token."""
    from tests.conftest import csrf_token

    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    token = csrf_token(client.get("/login").text)
    client.post("/login", data={"phone": person.phone, "password": PASSWORD, "csrf_token": token})
    refused = client.post("/elder-mode", data={"elder": "1", "next": "/"})
    assert refused.status_code == 400
    assert _stored(person) is False
    token = csrf_token(client.get("/laws/").text)
    done = client.post("/elder-mode", data={"elder": "1", "next": "/laws/", "csrf_token": token})
    assert done.status_code == 302 and _stored(person) is True
