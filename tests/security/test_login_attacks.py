"""Logging in, against someone who knows (or guesses) phone numbers: nothing tells a
registered number from another, nobody can keep an owner out, common passwords are
refused, the limits hold, and a peer admin cannot take over an account."""

import pytest
import sqlalchemy as sa
import werkzeug.security

from tests.conftest import PASSWORD
from yongxi_learn.auth import passwords
from yongxi_learn.extensions import db, limiter
from yongxi_learn.org import credentials
from yongxi_learn.org.models import Role, User

LOCKED = "密码错误次数过多，账号已临时锁定"
FAILED = "手机号或密码错误"
UNKNOWN_PHONE = "13900001111"


def post_login(client, phone, password, address="192.0.2.1"):
    return client.post(
        "/login",
        data={"phone": phone, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def said(response) -> str:
    text = response.get_data(as_text=True)
    if LOCKED in text:
        return "locked"
    if FAILED in text:
        return "failed"
    return f"{response.status_code} {response.headers.get('Location')}"


@pytest.fixture
def person(make_user, tree):
    return make_user("李四", tree["office"], phone="13812345678")


# ---------------------------------------------------------------- enumeration


def test_an_unknown_phone_is_locked_out_like_a_real_one(client, person):
    real = [said(post_login(client, person.phone, "wrong-pass1")) for _ in range(6)]
    unknown = [said(post_login(client, UNKNOWN_PHONE, "wrong-pass1")) for _ in range(6)]
    assert real == unknown == ["failed"] * 4 + ["locked"] * 2


@pytest.fixture
def hash_methods(monkeypatch):
    """The hash methods each password check runs, in order."""
    seen: list[str] = []
    real = werkzeug.security.check_password_hash

    def spy(pw_hash, password):
        seen.append(pw_hash.split("$", 1)[0])
        return real(pw_hash, password)

    monkeypatch.setattr(passwords, "check_password_hash", spy)
    return seen


def test_a_wrong_password_costs_the_same_whoever_the_phone_belongs_to(
    app, client, make_user, tree, hash_methods
):
    # Timing is measured as the work done: an initial password is stored with a
    # lighter hash than a chosen one, and an unknown phone has none.
    chosen = make_user("已改密码", tree["office"], phone="13812340001")
    initial = make_user("初始密码", tree["office"], phone="13812340002")
    initial.password_hash = credentials.hash_generated_password("Initial2345")
    initial.must_change_password = True
    db.session.commit()
    costs = {}
    for name, phone in (
        ("chosen", chosen.phone),
        ("initial", initial.phone),
        ("none", UNKNOWN_PHONE),
    ):
        hash_methods.clear()
        assert said(post_login(client, phone, "wrong-pass1")) == "failed"
        costs[name] = sorted(hash_methods)
    assert costs["chosen"] == costs["initial"] == costs["none"]
    assert costs["none"] == sorted(
        [app.config["PASSWORD_HASH_METHOD"], credentials.GENERATED_METHOD]
    )


# ---------------------------------------------------------------- lockout


def test_someone_locking_a_phone_from_another_address_leaves_the_owner_in(client, person):
    for _ in range(6):
        post_login(client, person.phone, "wrong-pass1", address="198.51.100.9")
    assert said(post_login(client, person.phone, "wrong-pass1", address="198.51.100.9")) == "locked"
    assert said(post_login(client, person.phone, PASSWORD, address="192.0.2.1")) == "302 /"


def test_the_owners_browser_is_not_locked_by_someone_behind_the_same_address(app, client, person):
    # The town office's one public address: the attacker sits at the next desk.
    assert said(post_login(client, person.phone, PASSWORD)) == "302 /"
    client.post("/logout")
    attacker = app.test_client()
    for _ in range(6):
        post_login(attacker, person.phone, "wrong-pass1")
    assert said(post_login(attacker, person.phone, PASSWORD)) == "locked"
    assert said(post_login(client, person.phone, PASSWORD)) == "302 /"


def test_guessing_from_many_addresses_locks_new_browsers_not_the_owners(app, client, person):
    assert said(post_login(client, person.phone, PASSWORD)) == "302 /"
    client.post("/logout")
    attacker = app.test_client()
    threshold = app.config["LOGIN_ACCOUNT_LOCK_THRESHOLD"]
    for n in range(threshold):
        post_login(attacker, person.phone, "wrong-pass1", address=f"203.0.113.{n}")
    # A fresh address is refused even the right password: at most 20 guesses per 15
    # minutes however many addresses an attacker has.
    assert said(post_login(attacker, person.phone, PASSWORD, address="203.0.113.250")) == "locked"
    assert said(post_login(client, person.phone, PASSWORD)) == "302 /"


def test_a_forged_device_cookie_counts_as_an_unknown_browser(app, client, person):
    attacker = app.test_client()
    attacker.set_cookie("yongxi_device", "forged.cookie")
    for _ in range(5):
        post_login(attacker, person.phone, "wrong-pass1")
    assert said(post_login(attacker, person.phone, PASSWORD)) == "locked"


def test_wrong_current_passwords_on_the_change_form_are_limited(client, login, person):
    login(person)
    for _ in range(5):
        page = client.post(
            "/password",
            data={"current": "wrong-pass1", "new": "Brand2024x", "confirm": "Brand2024x"},
        )
    assert "密码错误次数过多，请15分钟后再试" in page.get_data(as_text=True)
    page = client.post(
        "/password", data={"current": PASSWORD, "new": "Brand2024x", "confirm": "Brand2024x"}
    )
    assert "密码错误次数过多" in page.get_data(as_text=True)
    assert not db.session.get(User, person.id).password_changed_at


# ---------------------------------------------------------------- common passwords


@pytest.mark.parametrize("common", ["a1234567", "password1", "qwer1234", "abc12345", "Password1"])
def test_common_passwords_are_refused(client, login, person, common):
    login(person)
    page = client.post("/password", data={"current": PASSWORD, "new": common, "confirm": common})
    assert "新密码过于常见" in page.get_data(as_text=True)
    assert not db.session.get(User, person.id).password_changed_at


# ---------------------------------------------------------------- rate limit


@pytest.fixture
def app_config():
    return {}


class TestSharedRateLimit:
    """The default store counts in the database, not in each worker's memory (the
    multi-worker proof is tests/security/test_sess_workers.py)."""

    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_STORAGE_URI": "yongxi-db://", "LOGIN_RATE_LIMIT": "3 per minute"}

    @pytest.fixture(autouse=True)
    def _empty_store(self, app):
        # The side file of counters outlives a test (the conftest's reset runs outside
        # an app context, where the store cannot find its database).
        limiter.reset()

    def test_login_attempts_are_counted_in_the_database(self, app, client):
        from yongxi_learn.core.ratelimit import _engine, rate_counter

        statuses = [post_login(client, UNKNOWN_PHONE, "wrong-pass1").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        with _engine().connect() as conn:
            # The refused fourth is counted too (Flask-Limiter's fixed window).
            assert conn.execute(sa.select(sa.func.max(rate_counter.c.count))).scalar() == 4


def test_the_default_store_is_shared():
    from yongxi_learn.config import Config

    assert Config.RATELIMIT_STORAGE_URI == "yongxi-db://"


# ---------------------------------------------------------------- password reset


def test_an_admin_cannot_reset_the_password_of_an_admin_with_the_same_grants(
    client, login, admin, make_user, tree
):
    peer = make_user("管理员乙", tree["office"], roles=[(Role.ADMIN, tree["town"])])
    old_hash = peer.password_hash
    login(admin)
    page = client.post(f"/admin/people/{peer.id}/reset-password", follow_redirects=True)
    assert "只有权限更大的管理员才能重置其密码" in page.get_data(as_text=True)
    assert db.session.get(User, peer.id).password_hash == old_hash


def test_a_wider_admin_resets_a_narrower_ones_password(client, login, admin, make_user, tree):
    village_admin = make_user(
        "村管理员", tree["village"], roles=[(Role.UNIT_ADMIN, tree["village"])]
    )
    old_hash = village_admin.password_hash
    login(admin)
    page = client.post(f"/admin/people/{village_admin.id}/reset-password")
    assert page.status_code == 200 and "初始密码" in page.get_data(as_text=True)
    assert db.session.get(User, village_admin.id).password_hash != old_hash


def test_a_unit_admin_cannot_reset_a_fellow_unit_admin(client, login, make_user, tree):
    grants = [(Role.UNIT_ADMIN, tree["village"])]
    one = make_user("村管理员甲", tree["village"], roles=grants)
    other = make_user("村管理员乙", tree["village"], roles=grants)
    old_hash = other.password_hash
    login(one)
    client.post(f"/admin/people/{other.id}/reset-password")
    assert db.session.get(User, other.id).password_hash == old_hash
