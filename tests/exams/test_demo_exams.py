"""seed_exams: the demo bank, last year's annual exam with submitted attempts and a 补考,
and this year's, open now."""

from collections import Counter
from datetime import datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import count_rows
from yongxi_learn.exams import grading
from yongxi_learn.exams.bank.demo import CATEGORIES, QUESTIONS
from yongxi_learn.exams.demo import exam_title, makeup_window, past_window, seed_exams
from yongxi_learn.exams.models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    Enrolment,
    Exam,
    ExamKind,
    ExamStatus,
    Question,
    QuestionCategory,
)
from yongxi_learn.exams.papers.services import paper_total
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category

# 10:00 on 6 December 2026, Beijing time: this year's exam is open, last year's closed.
NOW = datetime(2026, 12, 6, 2, 0)
PAST = past_window(2025)


@pytest.fixture
def people(tree, make_user):
    """雍溪镇: 4 leaders, 30 officials (one more inactive), village cadres and 法律明白人
    who must sit the exam, and an official of another town who must not."""
    town = tree["town"]
    expected = [make_user(f"领导{i}", town, Category.LEADER) for i in range(4)]
    for i in range(30):
        unit = tree["office"] if i % 2 else tree["justice"]
        expected.append(make_user(f"干部{i}", unit, Category.OFFICIAL))
    make_user("已离岗干部", tree["office"], Category.OFFICIAL, active=False)
    expected.append(make_user("村干部", tree["village"], Category.VILLAGE_CADRE))
    expected.append(make_user("法律明白人", tree["village2"], Category.LEGAL_LIAISON))
    make_user("外镇干部", tree["other_town"], Category.OFFICIAL)
    return expected


@pytest.fixture
def seeded(tree, people):
    result = seed_exams(tree["town"], now=NOW, keep_open={people[0].id})
    db.session.commit()
    return result


def _past_exam() -> Exam:
    return db.session.scalar(sa.select(Exam).where(Exam.title == exam_title(2025)))


def _attempts():
    """Last year's formal sitting."""
    return db.session.scalars(
        sa.select(Attempt).where(Attempt.exam_id == _past_exam().id).order_by(Attempt.id)
    ).all()


def test_seed_exams_loads_the_sample_bank_into_the_towns_categories(tree, seeded):
    questions = db.session.scalars(sa.select(Question)).all()
    assert seeded.questions_added == len(QUESTIONS) == len(questions) >= 140
    assert {q.owner_unit_id for q in questions} == {tree["town"].id}
    names = db.session.scalars(sa.select(QuestionCategory.name)).all()
    assert sorted(names) == sorted(CATEGORIES)
    assert all(q.category is not None and q.law_ref and q.explanation for q in questions)


def test_the_annual_exam_is_published_with_100_points_pass_60_and_60_minutes(seeded):
    exam = _past_exam()
    assert exam.status is ExamStatus.PUBLISHED and exam.year == 2025
    assert paper_total(exam) == 100
    assert [(r.type.label, r.count, r.score) for r in exam.rules] == [
        ("单选", 25, 2),
        ("多选", 10, Decimal("3.5")),
        ("判断", 15, 1),
    ]
    assert exam.pass_score == 60 and exam.time_limit_minutes == 60 and exam.max_attempts == 1
    assert (exam.opens_at, exam.closes_at) == (PAST.opens_at, PAST.closes_at)


def test_enrolment_is_the_towns_active_people_of_every_category(seeded, people):
    rows = db.session.scalars(
        sa.select(Enrolment).where(Enrolment.exam_id == _past_exam().id)
    ).all()
    assert sorted(e.user_id for e in rows) == sorted(p.id for p in people)
    by_user = {p.id: p for p in people}
    assert all(
        e.unit_id == by_user[e.user_id].unit_id and e.category == by_user[e.user_id].category
        for e in rows
    )
    assert seeded.enrolled == len(people)


def test_every_stored_score_is_the_grading_of_the_stored_answers(seeded):
    attempts = _attempts()
    assert attempts
    for attempt in attempts:
        rows = attempt.questions
        assert len(rows) == 50 and len({aq.question_id for aq in rows}) == 50
        result = grading.grade(
            [
                grading.Item(aq.question.type, aq.question.answer, aq.response, aq.score)
                for aq in rows
            ],
            attempt.exam.pass_score,
        )
        assert attempt.status is AttemptStatus.SUBMITTED
        assert (attempt.score, attempt.max_score, attempt.passed) == (
            result.score,
            100,
            result.passed,
        )
        assert [(aq.correct, aq.awarded) for aq in rows] == [
            (g.correct, g.awarded) for g in result.items
        ]
        assert PAST.opens_at <= attempt.started_at < attempt.finished_at <= attempt.deadline
        assert attempt.deadline <= PAST.closes_at


def test_most_of_the_enrolled_sit_and_most_who_sit_pass_with_a_spread_of_scores(seeded, people):
    attempts = _attempts()
    assert 0.8 <= len(attempts) / len(people) < 1
    passed = sum(1 for a in attempts if a.passed)
    assert 0.85 <= passed / len(attempts) <= 1
    assert (seeded.submitted, seeded.passed) == (len(attempts), passed)
    assert len({a.score for a in attempts}) >= 8


def test_item_analysis_shows_the_administrative_review_law_as_weakest(seeded):
    rows = db.session.execute(
        sa.select(Question.law_ref, AttemptQuestion.correct)
        .join(AttemptQuestion.question)
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .where(Attempt.exam_id == _past_exam().id)
    ).all()
    asked, right = Counter(), Counter()
    for law, correct in rows:
        asked[law] += 1
        right[law] += bool(correct)
    rates = {law: right[law] / asked[law] for law in asked if asked[law] >= 20}
    assert min(rates, key=rates.get) == "行政复议法"


def test_running_it_twice_adds_nothing(tree, seeded):
    models = (Question, QuestionCategory, Exam, Enrolment, Attempt, AttemptQuestion)
    before = [count_rows(m) for m in models]
    again = seed_exams(tree["town"], now=NOW)
    db.session.commit()
    assert [count_rows(m) for m in models] == before
    assert (again.questions_added, again.exam, again.current) == (0, None, None)


def test_last_years_makeup_is_for_the_absent_and_the_failed_and_most_sit_it(seeded):
    makeup = db.session.scalar(sa.select(Exam).where(Exam.kind == ExamKind.MAKEUP))
    assert makeup.parent_exam_id == _past_exam().id
    assert makeup.opens_at == makeup_window(2025).opens_at
    missed = {
        p.user_id
        for p in db.session.scalars(sa.select(Enrolment).where(Enrolment.exam_id == makeup.id))
    }
    passed = {a.user_id for a in _attempts() if a.passed}
    assert missed and not missed & passed
    sat = db.session.scalars(sa.select(Attempt).where(Attempt.exam_id == makeup.id)).all()
    assert 0 < len(sat) <= len(missed) and seeded.makeup_submitted == len(sat)


def test_this_years_exam_is_open_now_and_some_have_sat_it_but_not_the_kept_open(seeded, people):
    exam = db.session.scalar(sa.select(Exam).where(Exam.title == exam_title(2026)))
    assert exam.status is ExamStatus.PUBLISHED and exam.opens_at < NOW < exam.closes_at
    sat = db.session.scalars(sa.select(Attempt).where(Attempt.exam_id == exam.id)).all()
    assert sat and all(a.finished_at < NOW for a in sat)
    assert people[0].id not in {a.user_id for a in sat}
    assert seeded.current_submitted == len(sat)
