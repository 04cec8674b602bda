"""training_tally never disagrees with the sign-ins it sums: after each change made
through the real services its rows equal those grouped from the sign-ins, and the
集中学习 overview read from it equals the one after the table is rebuilt from them."""

import importlib.util
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from yongxi_learn.extensions import db
from yongxi_learn.org import services as org
from yongxi_learn.org.models import Category
from yongxi_learn.org.services import SYSTEM
from yongxi_learn.stats import training_section
from yongxi_learn.stats.sections import Scope
from yongxi_learn.training import attendance, services, tally
from yongxi_learn.training.models import AttendanceMethod, TrainingTally

from .conftest import NOON

MIGRATION = Path(__file__).parents[2] / "migrations/versions/20261126_stats_summary.py"


def kept_rows():
    rows = db.session.scalars(sa.select(TrainingTally)).all()
    return sorted(
        (t.year, t.user_id, t.unit_id, Category(t.category), t.times, Decimal(t.hours))
        for t in rows
    )


def source_rows():
    rows = db.session.execute(tally.source_select()).all()
    return sorted(
        (r.year, r.user_id, r.unit_id, Category(r.category), r.times, Decimal(str(r.hours)))
        for r in rows
    )


def overview(tree, year=2024):
    data = training_section.build(Scope(year, tree["town"], None, NOON))
    rows = [(r.unit.id, r.person_times, r.people, r.hours, r.coverage) for r in data.rows]
    f = data.figures
    return (f.sessions, f.person_times, f.people, f.hours), rows, data.coverage, data.villages


def assert_agrees(tree, year=2024):
    db.session.flush()
    assert kept_rows() == source_rows()
    kept = overview(tree, year)
    tally.rebuild()
    assert overview(tree, year) == kept
    return kept


def sign_in(session, person):
    attendance.sign_in(session, person, method=AttendanceMethod.QR, now=session.starts_at)


def data_of(session, **changes):
    data = services.SessionData(
        kind_id=session.kind_id,
        topic=session.topic,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        hours=session.hours,
        audience=session.audience,
    )
    return replace(data, **changes)


@pytest.fixture
def people(make_user, tree):
    cadre = Category.VILLAGE_CADRE
    return {
        "v0": make_user("石佛村干部0", tree["village"], category=cadre),
        "v1": make_user("石佛村干部1", tree["village"], category=cadre),
        "w0": make_user("红岩村干部0", tree["village2"], category=cadre),
        "o0": make_user("机关干部0", tree["office"]),
        "o1": make_user("机关干部1", tree["office"]),
    }


def test_tally_follows_every_change_made_through_the_services(make_session, people, tree):
    first = make_session(hours="2")
    second = make_session(hours="1.5", starts_at=NOON + timedelta(days=7))
    for who in ("v0", "v1", "o0"):
        sign_in(first, people[who])
    totals, _, coverage, villages = assert_agrees(tree)
    assert totals[1:] == (3, 3, Decimal(6))
    assert str(coverage["village"]) == "66.7%" and str(villages) == "50%"

    attendance.mark(second, people["v0"], "忘带手机", actor=SYSTEM, now=second.starts_at)
    assert assert_agrees(tree)[0][1:] == (4, 3, Decimal("7.5"))

    row = attendance.existing(first, people["v1"])
    attendance.unmark(row, "误签", actor=SYSTEM, now=first.ends_at)
    assert assert_agrees(tree)[0][1:] == (3, 2, Decimal("5.5"))
    attendance.mark(first, people["v1"], "补录", actor=SYSTEM, now=first.ends_at)
    assert_agrees(tree)

    # A move and a deactivation change coverage (the current people), not the sign-ins.
    org.update_person(
        people["v0"],
        name="石佛村干部0",
        phone=people["v0"].phone,
        unit=tree["office"],
        category=Category.OFFICIAL,
        post="",
        actor=SYSTEM,
    )
    org.set_person_active(people["o1"], False, actor=SYSTEM)
    assert_agrees(tree)

    services.update_session(second, data_of(second, hours=Decimal(3)), actor=SYSTEM)
    assert assert_agrees(tree)[0][3] == Decimal(9)
    next_year = first.starts_at.replace(year=2025)
    moved = data_of(first, starts_at=next_year, ends_at=next_year + timedelta(hours=2))
    services.update_session(first, moved, actor=SYSTEM)
    assert assert_agrees(tree)[0][1:] == (1, 1, Decimal(3))
    assert assert_agrees(tree, 2025)[0][1:] == (3, 3, Decimal(6))

    services.cancel_session(second, "改期", actor=SYSTEM, now=NOON)
    assert assert_agrees(tree)[0][:3] == (0, 0, 0)


def test_migration_backfill_sums_the_sign_ins(make_session, people, tree):
    session = make_session(hours="2")
    for person in people.values():
        sign_in(session, person)
    attendance.unmark(attendance.existing(session, people["o1"]), "误签", actor=SYSTEM, now=NOON)
    db.session.flush()
    kept = kept_rows()
    spec = importlib.util.spec_from_file_location("stats_summary", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    db.session.execute(sa.delete(TrainingTally))
    db.session.execute(sa.text(migration.TRAINING_BACKFILL))
    db.session.expire_all()
    assert kept_rows() == kept == source_rows()
    assert len(kept) == 4
