"""exam_tally never disagrees with the rows it sums: after each change made through the
real services, its rows equal the figures grouped from the enrolment and attempts, and
the year overview and exam_report read from it equal those computed from the source
rows (``live=True``)."""

import importlib.util
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.exams.taking import hand_in_fast, login_token
from tests.stats.tally import source_rows, tally_rows
from yongxi_learn.exams import attempts, exam_tally
from yongxi_learn.exams.models import Enrolment, ExamTally, QuestionType
from yongxi_learn.exams.papers import enrolment, makeup, regrade
from yongxi_learn.exams.papers import services as papers
from yongxi_learn.extensions import db
from yongxi_learn.org import services as org
from yongxi_learn.org.models import Category
from yongxi_learn.org.services import Actor
from yongxi_learn.stats import queries

from ..exams.paper_fixtures import NOW, make_exam, make_questions

MIGRATION = Path(__file__).parents[2] / "migrations/versions/20261126_stats_summary.py"


def figures(report):
    return report.total, [(r.unit.id, r.own, r.figures) for r in report.rows]


def assert_agrees(exam, unit, now):
    db.session.flush()
    tally = sorted(tally_rows(exam.id), key=lambda r: (r[0], r[1], r[2].value))
    assert tally == source_rows(exam.id)
    for categories in ((), (Category.VILLAGE_CADRE,)):
        kwargs = {"user": None, "now": now, "categories": categories}
        kept = queries.exam_report(exam, unit, **kwargs)
        live = queries.exam_report(exam, unit, live=True, **kwargs)
        assert figures(kept) == figures(live)
        kept_year = queries.year_overview(exam.year, unit, **kwargs)
        live_year = queries.year_overview(exam.year, unit, live=True, **kwargs)
        assert [figures(r) for r in kept_year.reports] == [figures(r) for r in live_year.reports]
    return queries.exam_report(exam, unit, user=None, now=now).total


def answer(attempt, person, correct, now):
    """Answer every question, right or wrong, as the page would (shown letters)."""
    for aq in attempt.questions:
        right = "ABCD"[aq.option_order.index(0)]  # the key is canonical A
        shown = right if correct else "ABCD"[aq.option_order.index(1)]
        attempts.save_answer(attempt, person, aq.position, shown, now)


def sit(exam, person, correct, now):
    attempt = attempts.start_attempt(exam, person, now)
    answer(attempt, person, correct, now)
    attempts.submit_attempt(attempt, person, now + timedelta(minutes=5))
    return attempt


@pytest.fixture
def district_exam(tree, make_user, admin):
    town, village, office = tree["town"], tree["village"], tree["office"]
    cadre = Category.VILLAGE_CADRE
    people = {name: make_user(name, village, cadre) for name in ("甲", "乙", "丙", "丁")}
    people |= {name: make_user(name, office, Category.OFFICIAL) for name in ("戊", "己")}
    questions = make_questions(town, QuestionType.SINGLE, n=2)
    exam = make_exam(
        town, admin, audience={"units": [town.id]}, questions=questions, pass_score=Decimal(4)
    )
    papers.publish(exam, actor=Actor(user=admin), now=NOW - timedelta(days=1))
    db.session.commit()
    return exam, people, questions


def test_tally_follows_every_change_made_through_the_services(
    district_exam, tree, make_user, admin
):
    exam, people, questions = district_exam
    town, actor = tree["town"], Actor(user=admin)
    total = assert_agrees(exam, town, NOW)
    assert (total.enrolled, total.sat) == (7, 0)  # the six and the admin (town office)

    sit(exam, people["甲"], True, NOW)
    sit(exam, people["乙"], False, NOW)
    total = assert_agrees(exam, town, NOW)
    assert (total.sat, total.passed, total.lowest) == (2, 1, Decimal("0.00"))

    # 丙 leaves an attempt open: the figures finalize it at its deadline.
    attempts.start_attempt(exam, people["丙"], NOW)
    db.session.commit()
    later = NOW + timedelta(hours=2)
    total = assert_agrees(exam, town, later)
    assert total.sat == 3

    entry = db.session.scalar(
        sa.select(Enrolment).where(
            Enrolment.exam_id == exam.id, Enrolment.user_id == people["丁"].id
        )
    )
    enrolment.exempt(entry, "病假", actor=actor, now=later)
    assert assert_agrees(exam, town, later).exempt == 1
    enrolment.unexempt(entry, actor=actor)
    assert assert_agrees(exam, town, later).exempt == 0
    enrolment.exempt(entry, "调离", actor=actor, now=later)

    # A wrong key fixed: 乙 (who answered B) now passes, 甲 fails.
    regrade.fix_answer_key(questions[0], "B", actor=actor)
    regrade.fix_answer_key(questions[1], "B", actor=actor)
    total = assert_agrees(exam, town, later)
    assert total.passed == 1

    # Moves and deactivation after publishing change nothing (frozen unit).
    before = total
    org.update_person(
        people["乙"],
        name="乙",
        phone=people["乙"].phone,
        unit=tree["village2"],
        category=Category.VILLAGE_CADRE,
        post="",
        actor=actor,
    )
    org.set_person_active(people["戊"], False, actor=actor)
    assert assert_agrees(exam, town, later) == before

    late = make_user("庚", tree["village2"], Category.VILLAGE_CADRE)
    enrolment.add_person(exam, late, actor=actor)
    assert assert_agrees(exam, town, later).enrolled == before.enrolled + 1


def makeup_after(exam, actor):
    """A 补考 of ``exam`` opening the day after it closed, and that day."""
    after = exam.closes_at + timedelta(days=1)
    extra = makeup.create_makeup(
        exam, actor=actor, opens_at=after, closes_at=after + timedelta(days=3), now=after
    )
    return extra, after


def test_makeup_counts_until_it_is_cancelled(district_exam, tree, admin):
    exam, people, _ = district_exam
    town, actor = tree["town"], Actor(user=admin)
    sit(exam, people["甲"], False, NOW)
    db.session.commit()
    extra, after = makeup_after(exam, actor)
    sit(extra, people["甲"], True, after + timedelta(hours=1))
    total = assert_agrees(exam, town, after + timedelta(hours=2))
    assert (total.passed, total.passed_first, total.sat_first) == (1, 0, 1)

    papers.cancel(extra, actor=actor)
    total = assert_agrees(exam, town, after + timedelta(hours=2))
    assert (total.sat, total.passed) == (1, 0)


def test_the_fast_submit_counts_a_makeup_in_its_formal_exams_groups(
    app, district_exam, tree, admin
):
    """The submit hot path reads the person's group and whether a 补考 counts in its
    locking query (exams.taking.fast_submit): a 补考's attempt handed in there moves the
    formal exam's figures as the services do."""
    exam, people, _ = district_exam
    town, actor = tree["town"], Actor(user=admin)

    def sit_fast(paper, person, correct, now):
        attempt = attempts.start_attempt(paper, person, now)
        answer(attempt, person, correct, now)
        token = login_token(person)
        assert hand_in_fast(app, token, attempt.id, now + timedelta(minutes=5))

    sit_fast(exam, people["甲"], False, NOW)
    extra, after = makeup_after(exam, actor)
    sit_fast(extra, people["甲"], True, after + timedelta(hours=1))
    total = assert_agrees(exam, town, after + timedelta(hours=2))
    assert (total.sat, total.passed, total.passed_first) == (1, 1, 0)


def test_migration_backfill_sums_what_is_there(scenario):
    """The migration's BACKFILL gives the rows the services keep (the scenario covers a
    补考, an exemption, a practice and a personal paper, and an attempt left open)."""
    formal = scenario.formal
    queries.exam_report(formal, scenario.tree["town"], user=None, now=scenario_now())
    kept = tally_rows(formal.id)
    spec = importlib.util.spec_from_file_location("stats_summary", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    db.session.execute(sa.delete(ExamTally))
    db.session.execute(sa.text(migration.BACKFILL))
    db.session.expire_all()
    assert tally_rows(formal.id) == kept
    assert sorted(kept, key=lambda r: (r[0], r[1], r[2].value)) == source_rows(formal.id)
    assert {r[0] for r in tally_rows(scenario.practice.id)} == set()


def scenario_now():
    from .conftest import NOW as SCENARIO_NOW

    return SCENARIO_NOW


def test_rebuild_repairs_a_tally_that_was_written_past(scenario):
    formal = scenario.formal
    kept = tally_rows(formal.id)
    db.session.execute(sa.update(ExamTally).values(sat=0, lowest=None))
    exam_tally.rebuild([formal.id])
    db.session.expire_all()
    assert tally_rows(formal.id) == kept


def test_the_fast_submit_keeps_the_people_of_a_counted_sheet_in_its_group(
    app, district_exam, tree, admin
):
    """The locking query also tells whether the family counts an imported sheet
    (计入本考试): a hand-in beside someone counted from the sheet keeps them counted."""
    from yongxi_learn.exams import external_sheets
    from yongxi_learn.external.models import ExternalExam, ExternalResult

    exam, people, _ = district_exam
    town, actor = tree["town"], Actor(user=admin)
    sheet = ExternalExam(owner_unit=town, title="全市学法考试", year=exam.year)
    sheet.results.append(ExternalResult(user_id=people["乙"].id, passed=True))
    db.session.add(sheet)
    external_sheets.count_sheet(exam, sheet, actor=actor, now=NOW)
    db.session.commit()
    attempt = attempts.start_attempt(exam, people["甲"], NOW)
    answer(attempt, people["甲"], False, NOW)
    assert hand_in_fast(app, login_token(people["甲"]), attempt.id, NOW + timedelta(minutes=5))
    total = assert_agrees(exam, town, NOW + timedelta(hours=1))
    assert (total.sat, total.passed, total.sat_first, total.passed_first) == (2, 1, 2, 1)
