"""The demo data for 雍溪镇 (``flask seed-demo``) and the ``reset-password`` command."""

import re
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD
from yongxi_learn.auth.passwords import check_password
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category, OrgUnit, Role, RoleGrant, UnitKind, User

LOGIN_LINE = re.compile(r"^\s+(\S+), (\S+), (1[3-9]\d{9}), (\S+)$", re.MULTILINE)


def counts() -> dict:
    return {
        "units": Counter(db.session.scalars(sa.select(OrgUnit.kind))),
        "people": Counter(db.session.scalars(sa.select(User.category))),
        "grants": Counter(db.session.scalars(sa.select(RoleGrant.role))),
    }


@pytest.fixture
def seeded(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result.output


def logins(output: str) -> dict[str, tuple[str, str, str]]:
    return {role: (name, phone, pw) for role, name, phone, pw in LOGIN_LINE.findall(output)}


# Seeding takes a second: each test below checks one outcome of it, thoroughly.


def test_demo_data_builds_yongxi_town_with_its_people(seeded):
    town = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "雍溪镇"))
    assert (town.kind, town.parent.name) == (UnitKind.TOWN, "大足区")
    kinds = Counter(u.kind for u in town.children)
    assert kinds[UnitKind.VILLAGE] == 8
    assert kinds[UnitKind.OFFICE] >= 10
    assert {"平安法治办公室", "司法所"} <= {u.name for u in town.children}
    people = counts()["people"]
    assert people[Category.LEADER] == 10
    assert 75 <= people[Category.OFFICIAL] <= 85
    assert 55 <= people[Category.VILLAGE_CADRE] <= 65
    assert people[Category.LEGAL_LIAISON] == 44
    grants = counts()["grants"]
    assert grants[Role.ADMIN] >= 1 and grants[Role.UNIT_ADMIN] >= 1


def test_printed_demo_logins_work_through_the_login_form(app, seeded, login):
    shown = logins(seeded)
    assert {"管理员", "单位管理员", "领导干部", "法律明白人"} <= shown.keys()
    for role, (name, phone, password) in shown.items():
        user = db.session.scalar(sa.select(User).where(User.phone == phone))
        assert user.name == name
        client = app.test_client()
        page = login(user, password, client=client)
        assert page.request.path == "/", role  # no forced password change
        assert "演示数据" in page.get_data(as_text=True)
        if role in {"管理员", "单位管理员"}:
            assert client.get("/admin/people").status_code == 200
    path = Path(app.instance_path) / "demo_logins.txt"
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(path.read_text(encoding="utf-8").splitlines()) == len(shown)


def test_seeding_twice_changes_nothing_and_prints_the_logins_again(runner, seeded):
    before = counts()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0
    assert "演示数据已存在，未做改动" in again.output
    assert logins(again.output) == logins(seeded)
    assert counts() == before


def test_seeding_again_without_the_logins_file_says_how_to_get_a_password(app, runner, seeded):
    (Path(app.instance_path) / "demo_logins.txt").unlink()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0
    assert "可用 reset-password 命令重置某个账号的密码" in again.output
    assert logins(again.output) == {}


def test_reset_password_command_prints_a_new_one_time_password(runner, make_user, tree):
    person = make_user("李四", tree["office"], phone="13800138000")
    result = runner.invoke(args=["reset-password", "138-0013-8000"])
    assert result.exit_code == 0, result.output
    password = re.search(r"新初始密码：(\S+?)（", result.output).group(1)
    person = db.session.get(User, person.id)
    assert check_password(person.password_hash, password)
    assert not check_password(person.password_hash, PASSWORD)
    assert person.must_change_password


def test_reset_password_command_refuses_an_unknown_phone(runner, app):
    result = runner.invoke(args=["reset-password", "13800138000"])
    assert result.exit_code != 0
    assert "没有手机号为13800138000的人员" in result.output


def test_reset_password_command_refuses_a_malformed_phone(runner, app):
    result = runner.invoke(args=["reset-password", "12345"])
    assert result.exit_code != 0
    assert "手机号应为11位中国大陆手机号码" in result.output


def test_the_demo_legal_liaison_logs_in_to_elder_mode(app, seeded, login):
    """长辈模式 shows in the demo: the 法律明白人 login has it on its account, nobody else."""
    _name, phone, password = logins(seeded)["法律明白人"]
    on = db.session.scalars(sa.select(User.phone).where(User.elder_mode)).all()
    assert on == [phone]
    user = db.session.scalar(sa.select(User).where(User.phone == phone))
    page = login(user, password, client=app.test_client())
    assert '<html lang="zh-CN" class="elder">' in page.get_data(as_text=True)
