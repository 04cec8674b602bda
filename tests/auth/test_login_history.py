"""A person sees their previous login and the failed attempts for their account
since, on the page the login lands on and on their account page (issue #22)."""

import sqlalchemy as sa

from tests.conftest import PASSWORD
from yongxi_learn.auth.models import LoginSession
from yongxi_learn.core.time import to_local
from yongxi_learn.extensions import db
from yongxi_learn.org.models import User

PHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1"
PC_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


def _login(client, phone, password=PASSWORD, ua=PC_UA, follow=True):
    return client.post(
        "/login",
        data={"phone": phone, "password": password},
        headers={"User-Agent": ua},
        follow_redirects=follow,
    )


def _logout(client):
    assert client.post("/logout").status_code == 302


def _shown(when) -> str:
    local = to_local(when)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def _first_login_time(user_id: int):
    return db.session.scalar(
        sa.select(sa.func.min(LoginSession.created_at)).where(LoginSession.user_id == user_id)
    )


def test_the_landing_page_shows_the_previous_login_and_the_failures_since(client, make_user, tree):
    person = make_user("王芳", tree["office"])
    _login(client, person.phone, ua=PHONE_UA)
    _logout(client)
    first = _first_login_time(person.id)
    for _ in range(3):
        assert "手机号或密码错误" in _login(client, person.phone, "wrong-pass1").text
    page = _login(client, person.phone)
    assert f"上次登录：{_shown(first)}（手机浏览器）" in page.text
    assert "此后有 3 次失败的登录尝试" in page.text


def test_the_account_page_shows_them_for_the_whole_login(client, make_user, tree):
    person = make_user("王芳", tree["office"])
    _login(client, person.phone, ua=PHONE_UA)
    _logout(client)
    first = _first_login_time(person.id)
    _login(client, person.phone, "wrong-pass1")
    _login(client, person.phone)
    for _ in range(2):  # not only on the first view after the login
        page = client.get("/profile")
        assert f"上次登录：{_shown(first)}（手机浏览器）" in page.text
        assert "此后有 1 次失败的登录尝试" in page.text


def test_a_login_without_failures_since_says_so(client, make_user, tree):
    person = make_user("王芳", tree["office"])
    _login(client, person.phone)
    _logout(client)
    page = _login(client, person.phone)
    assert "（电脑浏览器）" in page.text and "此后没有失败的登录尝试" in page.text
    assert "此后没有失败的登录尝试" in client.get("/profile").text


def test_the_first_login_says_it_is_the_first(client, make_user, tree):
    person = make_user("王芳", tree["office"])
    page = _login(client, person.phone)
    assert "这是您第一次登录" in page.text
    assert "上次登录" not in page.text


def test_failures_are_counted_afresh_after_each_login(client, make_user, tree):
    person = make_user("王芳", tree["office"])
    _login(client, person.phone, "wrong-pass1")
    _login(client, person.phone, "wrong-pass1")
    _login(client, person.phone)
    _logout(client)
    page = _login(client, person.phone)
    assert "此后没有失败的登录尝试" in page.text


def test_tries_refused_by_a_lock_count_as_failures(app, client, make_user, tree):
    app.config["LOGIN_LOCK_THRESHOLD"] = 2
    person = make_user("王芳", tree["office"])
    for _ in range(3):  # two wrong passwords lock; the third is refused by the lock
        _login(client, person.phone, "wrong-pass1")
    app.config["LOGIN_LOCK_MINUTES"] = 0  # the lock has run out
    db.session.execute(sa.text("UPDATE login_failure SET locked_until = NULL"))
    page = _login(client, person.phone)
    assert "此前有 3 次失败的登录尝试" in page.text


def test_wrong_passwords_for_an_unknown_phone_count_for_nobody(client, make_user, tree):
    person = make_user("王芳", tree["office"])
    _login(client, "13900009999", "wrong-pass1")
    _login(client, person.phone)
    assert db.session.scalar(sa.select(sa.func.sum(User.failed_logins))) == 0


def test_what_is_kept_names_a_kind_of_device_never_an_address_or_browser(client, make_user, tree):
    person = make_user("王芳", tree["office"])
    _login(client, person.phone, ua=PHONE_UA)
    kept = db.session.get(User, person.id)
    assert kept.last_login_device == "手机浏览器"
    assert kept.last_login_at is not None
