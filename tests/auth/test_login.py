"""Logging in by phone and password: messages, lockout, redirects, cookies, audit."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD
from yongxi_learn.auth.models import LoginFailure
from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db, login_manager
from yongxi_learn.org import services
from yongxi_learn.org.audit import AuditLog

FAILED = "手机号或密码错误"


def text(response) -> str:
    return response.get_data(as_text=True)


def audit_rows(action: str) -> list[AuditLog]:
    return list(
        db.session.scalars(
            sa.select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
        )
    )


def post_login(client, phone, password, **kwargs):
    return client.post("/login", data={"phone": phone, "password": password, **kwargs})


def test_login_page_is_in_chinese(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert "手机号" in text(page) and "密码" in text(page)


def test_person_logs_in_with_phone_and_password(client, login, person):
    page = login(person)
    assert page.request.path == "/"
    assert "我的学习" in text(page)
    assert "李四" in text(page)


def test_phone_typed_with_prefix_and_spaces_logs_in(client, person):
    phone = f"+86 {person.phone[:3]} {person.phone[3:7]}-{person.phone[7:]}"
    response = post_login(client, phone, PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_unknown_phone_and_wrong_password_get_the_same_message(client, person):
    unknown = post_login(client, "13999999999", PASSWORD)
    wrong = post_login(client, person.phone, "wrong-password1")
    assert unknown.status_code == wrong.status_code == 200
    assert FAILED in text(unknown) and FAILED in text(wrong)
    assert text(unknown).replace("13999999999", person.phone) == text(wrong)


def test_deactivated_person_gets_the_same_message(client, make_user, unit):
    person = make_user("离岗人", unit, active=False)
    assert FAILED in text(post_login(client, person.phone, PASSWORD))


def test_failed_and_successful_logins_are_audited(client, person):
    post_login(client, "13999999999", PASSWORD)
    post_login(client, person.phone, "wrong-password1")
    post_login(client, person.phone, PASSWORD)
    rows = audit_rows("login")
    assert [(r.result, r.actor_id) for r in rows] == [
        ("fail", None),
        ("fail", person.id),
        ("ok", person.id),
    ]
    assert rows[0].detail == "139****9999"
    assert all(r.address == "127.0.0.1" for r in rows)


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(client, person):
    for _ in range(4):
        assert FAILED in text(post_login(client, person.phone, "wrong-password1"))
    locked = post_login(client, person.phone, "wrong-password1")
    assert "密码错误次数过多，账号已临时锁定，请15分钟后再试" in text(locked)
    locked_until = db.session.scalar(sa.select(sa.func.max(LoginFailure.locked_until)))
    remaining = locked_until - utcnow()
    assert timedelta(minutes=14) < remaining <= timedelta(minutes=15)
    [lockout] = audit_rows("lockout")
    assert (lockout.actor_id, lockout.result) == (person.id, "locked")


def test_locked_account_refuses_even_the_right_password(client, person):
    for _ in range(5):
        post_login(client, person.phone, "wrong-password1")
    response = post_login(client, person.phone, PASSWORD)
    assert "账号已临时锁定" in text(response)
    assert client.get("/").status_code == 302


def test_an_admins_password_reset_lifts_the_lock(client, person):
    for _ in range(5):
        post_login(client, person.phone, "wrong-password1")
    new_password = services.reset_password(person, actor=services.SYSTEM)
    db.session.commit()
    response = post_login(client, person.phone, new_password)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_lockout_of_one_account_leaves_others_from_the_same_address(
    client, person, make_user, unit
):
    for _ in range(5):
        post_login(client, person.phone, "wrong-password1")
    other = make_user("王五", unit)
    response = post_login(client, other.phone, PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_works_again_after_the_lock_expires(client, person):
    for _ in range(5):
        post_login(client, person.phone, "wrong-password1")
    db.session.execute(sa.update(LoginFailure).values(locked_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    response = post_login(client, person.phone, PASSWORD)
    assert response.headers["Location"] == "/"


def test_successful_login_clears_the_failure_count(client, person):
    for _ in range(4):
        post_login(client, person.phone, "wrong-password1")
    post_login(client, person.phone, PASSWORD)
    client.post("/logout")
    # Four more wrong passwords from the same address do not lock: the count restarted.
    for _ in range(4):
        assert FAILED in text(post_login(client, person.phone, "wrong-password1"))


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "/\\evil.com",
        "https:evil.com",
        "//%09/evil.com",
        "/\t/evil.com",
        "http://host@evil.com",
        "https://evil.com",
        "javascript:alert(1)",
    ],
)
def test_next_outside_the_site_sends_the_person_home(client, person, target):
    response = post_login(client, person.phone, PASSWORD, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_inside_the_site_is_followed(client, person):
    response = post_login(client, person.phone, PASSWORD, next="/admin/people")
    assert response.headers["Location"] == "/admin/people"


def test_login_page_drops_a_next_outside_the_site(client):
    page = text(client.get("/login?next=//evil.com"))
    assert "evil.com" not in page


def test_page_asked_for_before_login_is_shown_after_it(client, person):
    to_login = client.get("/admin/people")
    page = client.get(to_login.headers["Location"])
    assert 'value="/admin/people"' in text(page)
    response = post_login(client, person.phone, PASSWORD, next="/admin/people")
    assert response.headers["Location"] == "/admin/people"


def test_session_cookie_is_http_only_and_same_site_lax(client, person):
    response = post_login(client, person.phone, PASSWORD)
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("yongxi_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_session_survives_a_new_address_and_browser_string(client, login, person):
    login(person)
    page = client.get(
        "/", headers={"User-Agent": "Other/1.0"}, environ_base={"REMOTE_ADDR": "10.1.2.3"}
    )
    assert page.status_code == 200
    assert "李四" in text(page)


def test_session_protection_is_not_strong():
    # "strong" would end a session whose address or browser string changed: phones
    # switch between Wi-Fi and 4G in the middle of an exam.
    assert login_manager.session_protection != "strong"


def test_logged_in_person_visiting_login_goes_home(client, login, person):
    login(person)
    response = client.get("/login")
    assert response.headers["Location"] == "/"


def test_login_hands_out_the_csrf_token_so_parallel_pages_share_it(app, make_user, tree):
    """Two pages opened at once after login must not each mint a token (the later
    cookie would invalidate the other page's forms)."""
    import re

    from tests.conftest import PASSWORD

    app.config["WTF_CSRF_ENABLED"] = True
    person = make_user("并行页面", tree["office"])
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"phone": person.phone, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert session.get("csrf_token")  # already in the login response's cookie
