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


def _mark(session, person, reason="忘带手机"):
    attendance.mark(session, person, reason, actor=SYSTEM, now=session.starts_at)
    db.session.commit()


def _attendee_rows(year, unit, categories=None):
    return [
        (person.name, signed.name, category, times)
        for person, signed, category, times, *_ in db.session.execute(
            queries.training_attendees_select(year, unit, categories)
        )
    ]


def _rate(rate):
    return (rate.numerator, rate.denominator)


def test_a_person_who_moved_after_signing_in_is_counted_covered_and_listed_at_the_old_unit(
    make_session, people, tree
):
    session = make_session()
    mover, stays, _ = people["village"]
    _attend(session, mover, stays)
    mover.unit_id = tree["village2"].id
    db.session.commit()
    old, new = tree["village"], tree["village2"]
    # Counted at 石佛村: 2 of its 3 cadres came (the mover among them); 红岩村 is as it
    # was: its one cadre, who did not come. The mover is in 红岩村's group no more.
    rows = {r.unit.name: r for r in queries.training_by_unit(2024, tree["town"])}
    assert (rows["石佛村"].person_times, _rate(rows["石佛村"].coverage)) == (2, (2, 3))
    assert (rows["红岩村"].person_times, _rate(rows["红岩村"].coverage)) == (0, (0, 1))
    assert _rate(queries.training_coverage(2024, old, VILLAGE_CADRES)) == (2, 3)
    assert _rate(queries.training_coverage(2024, new, VILLAGE_CADRES)) == (0, 1)
    # Listed there too, and not as 未参训 at the new unit.
    assert [r[:2] for r in _attendee_rows(2024, old)] == [
        (mover.name, "石佛村"),
        (stays.name, "石佛村"),
    ]
    assert _attendee_rows(2024, new) == []
    uncovered = db.session.scalars(queries.training_uncovered_select(2024, new, VILLAGE_CADRES))
    assert [u.name for u in uncovered] == ["红岩村干部"]
    # The town's figures hold each person once.
    assert _rate(queries.training_coverage(2024, tree["town"], VILLAGE_CADRES)) == (2, 4)
    assert queries.training_figures(2024, new).person_times == 0


def test_a_person_whose_category_changed_after_signing_in_counts_in_the_old_category(
    make_session, people, tree
):
    session = make_session()
    cadre = people["village"][0]
    _attend(session, cadre)
    cadre.category = Category.OFFICIAL
    db.session.commit()
    village = queries.training_coverage(2024, tree["village"], VILLAGE_CADRES)
    officials = queries.training_coverage(2024, tree["village"], [Category.OFFICIAL.value])
    assert _rate(village) == (1, 3) and _rate(officials) == (0, 0)
    assert _attendee_rows(2024, tree["town"], VILLAGE_CADRES)[0][2] == Category.VILLAGE_CADRE


def test_someone_who_signed_in_at_two_units_is_covered_at_both_and_once_in_the_town(
    make_session, people, tree
):
    first = make_session()
    second = make_session(starts_at=NOON + timedelta(days=30))
    mover = people["village"][0]
    _attend(first, mover)
    mover.unit_id = tree["village2"].id
    db.session.commit()
    _attend(second, mover)
    groups = queries.training_groups(2024, tree["town"])
    rows = {r.unit.name: r for r in queries.training_by_unit(2024, tree["town"], groups=groups)}
    assert _rate(rows["石佛村"].coverage) == (1, 3)
    assert _rate(rows["红岩村"].coverage) == (1, 2)
    town = queries.training_coverage(2024, tree["town"], VILLAGE_CADRES)
    assert _rate(town) == (1, 4)  # 石佛村's 3 (mover included) and 红岩村's own cadre
    # The one pass the overview makes gives the same as the query per figure.
    assert _rate(groups.coverage(VILLAGE_CADRES, [UnitKind.VILLAGE.value])) == (1, 4)
    assert _rate(groups.coverage()) == _rate(queries.training_coverage(2024, tree["town"]))
    assert [r[:2] for r in _attendee_rows(2024, tree["town"])] == [
        (mover.name, "石佛村"),
        (mover.name, "红岩村"),
    ]
    assert queries.training_figures(2024, tree["town"]).people == 1


def test_the_list_counts_the_marks_made_by_hand(make_session, people, tree):
    first, second = make_session(), make_session(starts_at=NOON + timedelta(days=7))
    person = people["officials"][0]
    _attend(first, person)
    _mark(second, person)
    rows = list(db.session.execute(queries.training_attendees_select(2024, tree["town"])))
    assert [(r.times, r.manual) for r in rows] == [(2, 1)]
    marks = list(db.session.execute(queries.training_marks_select(2024, tree["town"])))
    assert [(m.user_id, m.reason) for m in marks] == [(person.id, "忘带手机")]
