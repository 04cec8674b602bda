"""``flask privacy purge``: people deactivated more than N years ago are anonymised,
every figure keeps its counts, the person's name and phone are gone from every table
but the audit log (kept as it is: a legal record), and a dry run changes nothing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.laws.law_fixtures import make_law
from tests.security.world import fingerprint
from tests.stats.conftest import scenario  # noqa: F401  (the fixture)
from yongxi_learn.auth.models import LoginSession, PasswordHistory
from yongxi_learn.core.time import local_today, utcnow
from yongxi_learn.extensions import db
from yongxi_learn.feedback import services as feedback
from yongxi_learn.feedback.models import Feedback, FeedbackKind
from yongxi_learn.org import audit_chain, services
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import User
from yongxi_learn.org.retention import placeholder_phone
from yongxi_learn.stats import queries
from yongxi_learn.study import plans
from yongxi_learn.study.plan_models import ItemKind, StudyProgress
from yongxi_learn.training import attendance
from yongxi_learn.training import services as training
from yongxi_learn.training.models import Attendance, KindCode

NAME, PHONE = "欧阳戊德", "13987650001"


def _years_ago(years: int) -> date:
    return local_today() - timedelta(days=365 * years + 2)


@pytest.fixture
def gone(scenario, admin):  # noqa: F811
    """戊 of the figures' scenario, renamed so a search for the name means something,
    deactivated through the service (audited with the name) 4 years ago, with a note,
    a suggestion, a login, a password in their history and a sign-in from a phone."""
    person = scenario.people["戊"]
    person.name, person.phone, person.active = NAME, PHONE, True
    db.session.commit()
    town = scenario.tree["town"]
    law = make_law(town)
    lst = plans.create_list(
        town,
        plans.ListSettings(
            name="2024年学习清单",
            year=2024,
            choose_until=utcnow() + timedelta(days=30),
            audience={"units": [town.id], "categories": [], "people": []},
        ),
        actor=services.SYSTEM,
    )
    item = plans.add_item(
        lst, plans.ItemSpec(kind=ItemKind.REQUIRED, law_id=law.id), actor=services.SYSTEM
    )
    db.session.flush()
    plans.save_note(item, person, f"{NAME}的学习心得")
    feedback.send(
        user=person,
        kind=FeedbackKind.SUGGESTION,
        text=f"我是{NAME}，建议多讲案例",
        anonymous=False,
        now=utcnow(),
    )
    db.session.add(
        LoginSession(user_id=person.id, address="10.0.0.9", user_agent="Mozilla/5.0 (iPhone)")
    )
    db.session.add(PasswordHistory(user_id=person.id, password_hash="x"))
    row = attendance.mark(_session(town), person, "补录", actor=services.SYSTEM, now=utcnow())
    row.scan_id = "device-cookie-0123456789"
    db.session.commit()
    services.set_person_active(person, False, actor=services.Actor(user=admin))
    person.active_until = _years_ago(4)
    db.session.commit()
    return person


def _session(town):
    training.ensure_default_kinds()
    kind = next(k for k in training.kinds() if k.code == KindCode.TOPIC)
    start = utcnow() - timedelta(days=1)
    data = training.SessionData(
        kind_id=kind.id,
        topic="宪法学习",
        place="会议室",
        lecturer="",
        laws="",
        notes="",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        hours=Decimal(2),
        audience={"units": [town.id]},
    )
    session = training.create_session(town, data, actor=services.SYSTEM)
    db.session.flush()
    return session


def _figures(scenario):  # noqa: F811
    town = scenario.tree["town"]
    total = queries.exam_report(scenario.formal, town, user=None, now=utcnow()).total
    sat = queries.names_select(scenario.formal, town, queries.NameList.SAT, user=None)
    return total, len(db.session.execute(sat).all())


def _where_text(needle: str) -> list[str]:
    """Every table.column (but the audit log) holding ``needle``."""
    found = []
    for table in db.metadata.sorted_tables:
        if table.name == "audit_log":
            continue
        for column in table.columns:
            if isinstance(column.type, sa.String | sa.Text) and not isinstance(
                column.type, sa.Enum
            ):
                hit = sa.select(sa.func.count()).where(column.contains(needle, autoescape=True))
                if db.session.scalar(hit.select_from(table)):
                    found.append(f"{table.name}.{column.name}")
    return found


def test_a_dry_run_names_who_and_changes_nothing(runner, gone):
    before = fingerprint(skip=set())
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "试运行" in result.output and "共1人" in result.output and NAME in result.output
    assert fingerprint(skip=set()) == before


def test_the_purge_anonymises_and_keeps_every_figure(runner, gone, scenario):  # noqa: F811
    before = _figures(scenario)
    assert _where_text(NAME) and _where_text(PHONE)
    result = runner.invoke(args=["privacy", "purge", "--apply"])
    assert result.exit_code == 0, result.output
    assert "已匿名化1人" in result.output
    db.session.expire_all()
    assert _figures(scenario) == before
    assert _where_text(NAME) == [] and _where_text(PHONE) == []
    assert _where_text("10.0.0.9") == [] and _where_text("iPhone") == []
    assert _where_text("device-cookie") == []
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 1
    person = db.session.get(User, gone.id)
    assert person.name == f"已注销人员#{person.id}"
    assert person.phone == placeholder_phone(person.id) and person.password_hash is None
    assert db.session.scalar(
        sa.select(LoginSession.ended_at).where(LoginSession.user_id == person.id)
    )
    assert db.session.scalar(sa.select(sa.func.count(PasswordHistory.id))) == 0
    assert db.session.scalar(sa.select(StudyProgress.readings)) is not None
    assert "建议" not in db.session.scalar(sa.select(Feedback.text))
    # One audit record with the count and no name; the chain still verifies.
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "privacy.purge"))
    assert "1人" in entry.detail and NAME not in entry.detail
    found, broken = audit_chain.verify(db.session)
    assert broken is None and found


def test_the_purge_is_done_once_and_spares_the_recently_gone(runner, gone, make_user, tree):
    recent = make_user("近期离岗", tree["village"], active=False)
    recent.active_until = _years_ago(1)
    assert runner.invoke(args=["privacy", "purge", "--apply"]).exit_code == 0
    again = runner.invoke(args=["privacy", "purge", "--apply"])
    assert "没有" in again.output and "未做改动" in again.output
    assert db.session.get(User, recent.id).name == "近期离岗"
    shorter = runner.invoke(args=["privacy", "purge", "--years", "1", "--apply"])
    assert "已匿名化1人" in shorter.output


def test_an_anonymised_person_cannot_log_in(client, runner, gone):
    runner.invoke(args=["privacy", "purge", "--apply"])
    reply = client.post("/login", data={"phone": placeholder_phone(gone.id), "password": "x"})
    assert reply.status_code != 302 and "退出登录" not in reply.text
