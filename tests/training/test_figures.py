"""Training figures (stats layer) on hand-built data."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category, UnitKind
from yongxi_learn.org.services import SYSTEM
from yongxi_learn.stats import queries
from yongxi_learn.training import attendance, services
from yongxi_learn.training.models import AttendanceMethod, KindCode

from .conftest import NOON

VILLAGE_CADRES = [Category.VILLAGE_CADRE.value]


@pytest.fixture
def people(make_user, tree):
    village = [
        make_user(f"石佛村干部{i}", tree["village"], category=Category.VILLAGE_CADRE)
        for i in range(3)
    ]
    village2 = [make_user("红岩村干部", tree["village2"], category=Category.VILLAGE_CADRE)]
    officials = [make_user(f"机关干部{i}", tree["office"]) for i in range(2)]
    return {"village": village, "village2": village2, "officials": officials}


def _attend(session, *persons):
    for person in persons:
        attendance.sign_in(session, person, method=AttendanceMethod.QR, now=session.starts_at)
    db.session.commit()


def test_person_times_count_records_and_people_count_heads(make_session, people, tree):
    first = make_session(hours="2")
    second = make_session(
        kind=KindCode.CENTRE_GROUP, hours="1.5", starts_at=NOON + timedelta(days=7)
    )
    _attend(first, *people["village"], *people["officials"])
    _attend(second, people["village"][0], people["officials"][0])
    figures = queries.training_figures(2024, tree["town"])
    assert (figures.sessions, figures.person_times, figures.people) == (2, 7, 5)
    assert figures.hours == Decimal("13.0")  # 5 × 2 + 2 × 1.5
    assert figures.sessions_of(KindCode.TOPIC) == 1
    assert figures.sessions_of(KindCode.CENTRE_GROUP) == 1
    village_only = queries.training_figures(2024, tree["town"], categories=VILLAGE_CADRES)
    assert (village_only.person_times, village_only.people) == (4, 3)


def test_a_cancelled_session_and_its_attendance_leave_the_figures(make_session, people, tree):
    held, cancelled = make_session(), make_session(topic="取消的一场")
    _attend(held, people["village"][0])
    _attend(cancelled, *people["village"])
    services.cancel_session(cancelled, "停电", actor=SYSTEM, now=NOON)
    db.session.commit()
    figures = queries.training_figures(2024, tree["town"])
    assert (figures.sessions, figures.person_times, figures.people) == (1, 1, 1)
    assert str(queries.training_coverage(2024, tree["village"], VILLAGE_CADRES)) == "33.3%"


def test_an_undone_mark_does_not_count(make_session, people, tree):
    session = make_session()
    _attend(session, *people["officials"])
    row = attendance.existing(session, people["officials"][0])
    attendance.unmark(row, "误签", actor=SYSTEM, now=NOON)
    db.session.commit()
    assert queries.training_figures(2024, tree["town"]).person_times == 1


def test_coverage_keeps_someone_deactivated_during_the_year(make_session, people, tree):
    session = make_session()
    gone_in_june, *rest = people["village"]
    _attend(session, gone_in_june, rest[0])
    gone_in_june.active, gone_in_june.active_until = False, date(2024, 6, 30)
    gone_last_year = rest[1]
    gone_last_year.active, gone_last_year.active_until = False, date(2023, 12, 1)
    db.session.commit()
    coverage = queries.training_coverage(2024, tree["village"], VILLAGE_CADRES)
    # The June leaver attended and counts; last year's leaver is in neither number.
    assert (coverage.numerator, coverage.denominator) == (2, 2)
    assert str(coverage) == "100%" and coverage.complete
    names = [
        u.name
        for u in db.session.scalars(
            queries.training_uncovered_select(2024, tree["town"], VILLAGE_CADRES)
        )
    ]
    assert names == ["红岩村干部"]


def test_a_moved_person_counts_where_they_signed_in(make_session, people, tree):
    session = make_session()
    mover = people["village"][0]
    _attend(session, mover)
    mover.unit_id = tree["village2"].id
    db.session.commit()
    rows = {r.unit.name: r for r in queries.training_by_unit(2024, tree["town"])}
    assert rows["石佛村"].person_times == 1 and rows["红岩村"].person_times == 0


def test_by_unit_gives_offices_and_villages_side_by_side(make_session, people, tree):
    session = make_session()
    _attend(session, *people["village"][:2], people["officials"][0])
    rows = {r.unit.name: r for r in queries.training_by_unit(2024, tree["town"])}
    assert set(rows) == {"党政办公室", "司法所", "石佛村", "红岩村"}
    assert (rows["石佛村"].person_times, str(rows["石佛村"].coverage)) == (2, "66.7%")
    assert (rows["党政办公室"].people, str(rows["党政办公室"].coverage)) == (1, "50%")
    assert str(rows["司法所"].coverage) == "—"  # nobody there: no rate, no crash
    assert rows["红岩村"].person_times == 0


def test_villages_reached(make_session, people, tree):
    session = make_session()
    _attend(session, people["village"][0])
    reached = queries.units_reached(2024, tree["town"], UnitKind.VILLAGE, VILLAGE_CADRES)
    assert (reached.numerator, reached.denominator) == (1, 2)
    _attend(session, people["village2"][0])
    assert queries.units_reached(2024, tree["town"], UnitKind.VILLAGE).complete


def test_sessions_count_where_organised_and_external_lectures(make_session, people, tree):
    make_session(kind=KindCode.EXPERT, external=True)
    make_session(
        owner=tree["village"], kind=KindCode.CASE, audience={"units": [tree["village"].id]}
    )
    make_session(owner=tree["other_town"], audience={"units": [tree["other_town"].id]})
    town = queries.training_figures(2024, tree["town"])
    assert (town.sessions, town.external_lectures) == (2, 1)
    assert queries.training_figures(2024, tree["village"]).sessions == 1
    assert queries.training_figures(2024, tree["district"]).sessions == 3


def test_an_empty_year_is_zero_and_dashes(tree, kinds):
    figures = queries.training_figures(2030, tree["town"])
    assert (figures.sessions, figures.person_times, figures.people) == (0, 0, 0)
    assert str(queries.training_coverage(2030, tree["town"])) == "—"


def test_the_year_is_beijing_time(make_session, people, tree):
    # 2024-12-31 17:00 UTC is 2025-01-01 01:00 in Beijing: a 2025 session.
    from datetime import datetime

    session = make_session(starts_at=datetime(2024, 12, 31, 17, 0))
    assert session.year == 2025
