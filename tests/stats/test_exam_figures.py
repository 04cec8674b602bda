"""Exam figures (DESIGN §3) on the hand-built scenario of conftest.py: one test per case."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from yongxi_learn.core.exceptions import NotFound
from yongxi_learn.exams import attempts
from yongxi_learn.exams.models import Attempt, AttemptStatus
from yongxi_learn.extensions import db
from yongxi_learn.org.permissions import PermissionDenied
from yongxi_learn.stats import queries
from yongxi_learn.stats.common import StatsError

from .conftest import NOW


def report(scenario, unit=None, **kwargs):
    unit = unit or scenario.tree["town"]
    return queries.exam_report(scenario.formal, unit, user=None, now=NOW, **kwargs)


def row(result, unit):
    (found,) = [r for r in result.rows if r.unit.id == unit.id]
    return found.figures


def names(scenario, kind, unit=None):
    query = queries.names_select(scenario.formal, unit or scenario.tree["town"], kind, user=None)
    return [r.name for r in db.session.execute(query)]


def test_town_totals_follow_the_definitions(scenario):
    total = report(scenario).total
    assert (total.enrolled, total.exempt, total.sat, total.passed) == (7, 1, 5, 4)
    assert str(total.participation) == "71.4%"
    assert str(total.pass_rate) == "80%"
    assert str(total.pass_of_enrolled) == "57.1%"
    assert (total.average, total.lowest) == (Decimal("61.0"), Decimal("0.00"))


def test_absent_counts_as_enrolled_but_not_sat(scenario):
    assert "甲" in names(scenario, queries.NameList.ABSENT)
    assert "甲" in names(scenario, queries.NameList.ENROLLED)
    assert "甲" not in names(scenario, queries.NameList.SAT)


def test_exempted_is_out_of_the_denominator(scenario):
    village = row(report(scenario), scenario.tree["village"])
    assert (village.enrolled, village.exempt) == (4, 1)
    assert names(scenario, queries.NameList.EXEMPT) == ["乙"]
    assert "乙" not in names(scenario, queries.NameList.ENROLLED)


def test_failed_then_passed_the_makeup_counts_as_passed_after_makeup_only(scenario):
    total = report(scenario).total
    assert (total.sat_first, total.passed_first) == (5, 3)
    assert str(total.pass_rate_first) == "60%"
    assert "丙" in names(scenario, queries.NameList.PASSED)
    assert "丙" not in names(scenario, queries.NameList.FAILED)


def test_makeup_page_gives_the_formal_exams_figures(scenario):
    via_makeup = queries.exam_report(scenario.makeup, scenario.tree["town"], user=None, now=NOW)
    assert via_makeup.exam.id == scenario.formal.id
    assert via_makeup.total == report(scenario).total
    assert [m.id for m in via_makeup.makeups] == [scenario.makeup.id]


def test_two_tries_the_best_counts(scenario):
    query = queries.names_select(
        scenario.formal, scenario.tree["town"], queries.NameList.PASSED, user=None
    )
    best = {r.name: r.best for r in db.session.execute(query)}
    assert best["丁"] == Decimal(70)


def test_practice_is_ignored(scenario):
    office = row(report(scenario), scenario.tree["office"])
    assert (office.enrolled, office.sat) == (1, 0)
    assert names(scenario, queries.NameList.ABSENT, scenario.tree["office"]) == ["辛"]
    with pytest.raises(StatsError):
        queries.exam_report(scenario.practice, scenario.tree["town"], user=None, now=NOW)


def test_personal_practice_is_ignored(scenario):
    with pytest.raises(StatsError):
        queries.exam_report(scenario.personal, scenario.tree["town"], user=None, now=NOW)
    overview = queries.year_overview(2024, scenario.tree["town"], user=None, now=NOW)
    assert [r.exam.id for r in overview.reports] == [scenario.formal.id]


def test_deactivated_mid_year_still_counts_where_enrolled(scenario):
    assert "戊" in names(scenario, queries.NameList.PASSED, scenario.tree["village"])
    query = queries.names_select(
        scenario.formal, scenario.tree["village"], queries.NameList.PASSED, user=None
    )
    remarks = {r.name: queries.remark(r) for r in db.session.execute(query)}
    assert remarks["戊"] == "账号已停用"


def test_moved_to_another_unit_counts_in_the_frozen_unit(scenario):
    result = report(scenario)
    village2 = row(result, scenario.tree["village2"])
    assert (village2.enrolled, village2.sat, village2.passed) == (2, 2, 1)
    assert row(result, scenario.tree["office"]).sat == 0
    assert "己" not in names(scenario, queries.NameList.ENROLLED, scenario.tree["office"])


def _status_of(person):
    return db.session.scalar(sa.select(Attempt.status).where(Attempt.user_id == person.id))


def test_an_overdue_attempt_counts_as_finalized_before_anyone_finalizes_it(scenario):
    village2 = row(report(scenario), scenario.tree["village2"])
    assert village2.sat == 2
    assert row(report(scenario, live=True), scenario.tree["village2"]) == village2
    assert "庚" in names(scenario, queries.NameList.FAILED)
    assert _status_of(scenario.people["庚"]) is AttemptStatus.IN_PROGRESS  # read, not written


def test_the_sweeper_finalizes_an_overdue_attempt_and_the_figures_stay(scenario):
    before = report(scenario)
    assert attempts.finalize_overdue(NOW) == 1
    assert _status_of(scenario.people["庚"]) is AttemptStatus.EXPIRED
    assert report(scenario) == before


def test_an_empty_unit_shows_zero_and_no_rate(scenario):
    justice = row(report(scenario), scenario.tree["justice"])
    assert (justice.enrolled, justice.sat) == (0, 0)
    assert str(justice.participation) == "—" and str(justice.pass_rate) == "—"


def test_rows_are_the_child_units_offices_and_villages_side_by_side(scenario):
    labels = [r.label for r in report(scenario).rows]
    assert labels == ["党政办公室", "司法所", "石佛村", "红岩村"]


def test_categories_narrow_the_figures(scenario):
    officials = report(scenario, categories=["official"]).total
    assert (officials.enrolled, officials.sat) == (1, 0)


def test_a_village_subtree_has_only_its_people(scenario):
    village = report(scenario, scenario.tree["village"])
    assert (village.total.enrolled, village.total.sat, village.total.passed) == (4, 3, 3)
    assert [r.label for r in village.rows] == ["石佛村（本级）"]


def test_year_overview_equals_the_exam_report(scenario):
    overview = queries.year_overview(2024, scenario.tree["town"], user=None, now=NOW)
    (only,) = overview.reports
    assert only.total == report(scenario).total
    assert [r.figures for r in only.rows] == [r.figures for r in report(scenario).rows]


def test_score_histogram_counts_best_scores_of_those_who_sat(scenario):
    bins = queries.score_histogram(scenario.formal, scenario.tree["town"], user=None, now=NOW)
    counts = {b.label: b.count for b in bins if b.count}
    assert counts == {"0–10": 1, "60–70": 1, "70–80": 1, "80–90": 1, "90–100": 1}
    assert sum(b.count for b in bins) == 5


def test_item_analysis_counts_the_subtrees_answers(scenario):
    (item,) = queries.item_analysis(scenario.formal, scenario.tree["town"], user=None, now=NOW)
    assert (item.answered, item.correct, item.top_wrong) == (1, 0, "A")
    assert (
        queries.item_analysis(scenario.formal, scenario.tree["village"], user=None, now=NOW) == []
    )


def test_unit_admin_cannot_ask_for_another_village(scenario, unit_admin):
    with pytest.raises(PermissionDenied):
        queries.exam_report(scenario.formal, scenario.tree["village2"], user=unit_admin, now=NOW)
    with pytest.raises(PermissionDenied):
        queries.names_select(
            scenario.formal, scenario.tree["village2"], queries.NameList.ALL, user=unit_admin
        )


def test_another_towns_exam_is_not_found(scenario, make_user):
    from yongxi_learn.org.models import Role

    other_admin = make_user(
        "宝林村管理员",
        scenario.tree["other_village"],
        roles=[(Role.UNIT_ADMIN, scenario.tree["other_village"])],
    )
    with pytest.raises(NotFound):
        queries.exam_report(
            scenario.formal, scenario.tree["other_village"], user=other_admin, now=NOW
        )
