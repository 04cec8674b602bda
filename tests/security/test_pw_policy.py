"""Password policy: length, letters and digits, not the phone number; the last 3
passwords cannot be chosen again; configurable rotation forces a change."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD
from yongxi_learn.auth.models import PasswordHistory
from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db
from yongxi_learn.org.models import User


def change(client, current, new):
    return client.post(
        "/password",
        data={"current": current, "new": new, "confirm": new},
        follow_redirects=True,
    )


@pytest.fixture
def person(make_user, tree):
    return make_user("王五", tree["office"], phone="13912345678")


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("Ab1cd2e", "新密码至少8位"),
        ("abcdefghij", "新密码须同时包含字母和数字"),
        ("1234567890", "新密码须同时包含字母和数字"),
        ("a13912345678", "新密码不能包含手机号"),
        ("x12345678y", "新密码不能包含手机号"),  # its last 8 digits
    ],
)
def test_weak_passwords_are_refused_in_chinese(client, login, person, new, message):
    login(person)
    page = change(client, PASSWORD, new)
    assert message in page.text
    db.session.expire_all()
    assert db.session.get(User, person.id).password_changed_at is None


def test_the_last_three_passwords_cannot_be_chosen_again(client, login, person):
    login(person)
    chosen = ["First2024a", "Second2024b", "Third2024c"]
    current = PASSWORD
    for password in chosen:
        assert "密码已修改" in change(client, current, password).text
        current = password
    for old in chosen[:2]:
        assert "新密码不能与最近3次使用过的密码相同" in change(client, current, old).text
    assert "密码已修改" in change(client, current, "Fourth2024d").text
    # First2024a is now the 4th-last: allowed again.
    assert "密码已修改" in change(client, "Fourth2024d", "First2024a").text


def test_history_keeps_hashes_never_the_password(client, login, person):
    login(person)
    change(client, PASSWORD, "Second2024b")
    stored = db.session.scalars(sa.select(PasswordHistory.password_hash)).all()
    assert len(stored) == 1
    assert "Second2024b" not in stored[0]


def _age_password(person, days: int) -> None:
    user = db.session.get(User, person.id)
    user.password_changed_at = utcnow() - timedelta(days=days)
    db.session.commit()


def test_rotation_forces_a_change_after_the_configured_days(app, client, login, person):
    app.config["PASSWORD_MAX_AGE_DAYS"] = 90
    _age_password(person, 91)
    page = login(person)
    assert "您的密码已超过90天未修改，请修改密码" in page.text
    assert page.request.path == "/password"
    assert "密码已修改" in change(client, PASSWORD, "Fresh2024pw").text
    assert client.get("/").status_code == 200


def test_rotation_leaves_a_recent_password_alone(app, client, login, person):
    app.config["PASSWORD_MAX_AGE_DAYS"] = 90
    _age_password(person, 89)
    assert login(person).request.path == "/"


def test_rotation_is_off_by_default(client, login, person):
    _age_password(person, 3650)
    assert login(person).request.path == "/"


def test_an_aged_password_does_not_stop_an_exam_saving_answers(app, client, login, person):
    login(person)
    app.config["PASSWORD_MAX_AGE_DAYS"] = 90
    _age_password(person, 91)
    # An attempt that is not the person's is a 404, not a redirect to /password.
    saved = client.post("/exams/attempts/999999/answer", json={"position": 1, "answer": "A"})
    assert saved.status_code == 404
    assert client.get("/").headers["Location"].endswith("/password")
