"""Imported and reset accounts change their password first; the password policy."""

import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from tests.conftest import PASSWORD
from yongxi_learn.auth.passwords import check_password, hash_password
from yongxi_learn.config import Config
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.credentials import generate_password
from yongxi_learn.org.models import User

NEW = "Shifo2024cun"


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def newcomer(make_user, unit):
    """An imported (or reset) account that has not yet chosen a password."""
    return make_user("新来的", unit, phone="13812345678", must_change_password=True)


def change(client, current=PASSWORD, new=NEW, confirm=None, **kwargs):
    data = {"current": current, "new": new, "confirm": new if confirm is None else confirm}
    return client.post("/password", data=data, **kwargs)


def test_first_login_goes_to_the_change_password_page(client, login, newcomer):
    page = login(newcomer)
    assert page.request.path == "/password"
    assert "请先设置您自己的密码" in text(page)


@pytest.mark.parametrize("path", ["/", "/profile", "/admin/people", "/no-such-page", "/login"])
def test_every_page_redirects_to_change_password_until_done(client, login, newcomer, path):
    login(newcomer)
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/password"


def test_logout_and_health_check_stay_open_before_the_change(client, login, newcomer):
    login(newcomer)
    assert client.get("/healthz").status_code == 200
    assert client.post("/logout").headers["Location"] == "/login"


def test_changed_password_opens_the_site(client, login, newcomer):
    login(newcomer)
    page = change(client, follow_redirects=True)
    assert page.request.path == "/"
    assert "密码已修改" in text(page)
    person = db.session.get(User, newcomer.id)
    assert not person.must_change_password
    assert person.password_changed_at is not None
    assert check_password(person.password_hash, NEW)
    assert not check_password(person.password_hash, PASSWORD)
    assert client.get("/profile").status_code == 200


def test_password_change_is_audited(client, login, newcomer):
    login(newcomer)
    change(client)
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "password.change"))
    assert entry.actor_id == newcomer.id


def test_new_password_works_at_the_next_login(app, client, login, newcomer):
    login(newcomer)
    change(client)
    page = login(newcomer, NEW, client=app.test_client())
    assert page.request.path == "/"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"new": "Ab1"}, "新密码至少8位"),
        ({"new": "abcdefghij"}, "新密码须同时包含字母和数字"),
        ({"new": "1234567890"}, "新密码须同时包含字母和数字"),
        ({"new": "密码密码密码密码12"}, "新密码须同时包含字母和数字"),
        ({"new": "a13812345678"}, "新密码不能包含手机号"),
        ({"new": PASSWORD}, "新密码不能与当前密码相同"),
        ({"current": "Wrong12345"}, "当前密码不正确"),
        ({"confirm": "Other2024cun"}, "两次输入的新密码不一致"),
        ({"new": ""}, "请输入新密码"),
    ],
)
def test_password_breaking_the_policy_is_refused(client, login, newcomer, kwargs, message):
    login(newcomer)
    page = change(client, **kwargs)
    assert page.status_code == 200
    assert message in text(page)
    person = db.session.get(User, newcomer.id)
    assert person.must_change_password
    assert check_password(person.password_hash, PASSWORD)


def test_passwords_are_stored_as_salted_werkzeug_hashes(app):
    first, second = hash_password(NEW), hash_password(NEW)
    assert first != second
    assert NEW not in first
    assert check_password_hash(first, NEW)
    assert Config.PASSWORD_HASH_METHOD == "scrypt"


def test_generated_passwords_avoid_look_alike_characters():
    passwords = [generate_password() for _ in range(200)]
    assert len(set(passwords)) == 200
    assert not set("".join(passwords)) & set("0O1lI")
    assert all(any(c.isdigit() for c in p) and any(c.isalpha() for c in p) for p in passwords)


def test_change_password_page_needs_a_login(client):
    response = client.get("/password")
    assert response.headers["Location"].startswith("/login")
