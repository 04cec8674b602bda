"""seed_exams: the demo bank and the 2024 annual exam with submitted attempts."""

from collections import Counter
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import count_rows
from yongxi_learn.exams import grading
from yongxi_learn.exams.demo import CLOSES_AT, EXAM_TITLE, OPENS_AT, seed_exams
from yongxi_learn.exams.demo_bank import CATEGORIES, QUESTIONS
from yongxi_learn.exams.models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    Enrolment,
    Exam,
    ExamStatus,
    Question,
    QuestionCategory,
)
from yongxi_learn.exams.papers import paper_total
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category


@pytest.fixture
def people(tree, make_user):
    """雍溪镇: 4 leaders and 30 officials (one inactive) who must sit the exam, plus
    people who must not: village cadres, and officials of another town."""
    town = tree["town"]
    expected = [make_user(f"领导{i}", town, Category.LEADER) for i in range(4)]
    for i in range(30):
        unit = tree["office"] if i % 2 else tree["justice"]
        expected.append(make_user(f"干部{i}", unit, Category.OFFICIAL))
    make_user("已离岗干部", tree["office"], Category.OFFICIAL, active=False)
    make_user("村干部", tree["village"], Category.VILLAGE_CADRE)
    make_user("法律明白人", tree["village2"], Category.LEGAL_LIAISON)
    make_user("外镇干部", tree["other_town"], Category.OFFICIAL)
    return expected


@pytest.fixture
def seeded(tree, people):
    result = seed_exams(tree["town"])
    db.session.commit()
    return result


def _attempts():
    return db.session.scalars(sa.select(Attempt).order_by(Attempt.id)).all()


def test_seed_exams_loads_the_sample_bank_into_the_towns_categories(tree, seeded):
    questions = db.session.scalars(sa.select(Question)).all()
    assert seeded.questions_added == len(QUESTIONS) == len(questions) >= 140
    assert {q.owner_unit_id for q in questions} == {tree["town"].id}
    names = db.session.scalars(sa.select(QuestionCategory.name)).all()
    assert sorted(names) == sorted(CATEGORIES)
    assert all(q.category is not None and q.law_ref and q.explanation for q in questions)


def test_the_annual_exam_is_published_with_100_points_pass_60_and_60_minutes(seeded):
    exam = db.session.scalar(sa.select(Exam).where(Exam.title == EXAM_TITLE))
    assert exam.status is ExamStatus.PUBLISHED and exam.year == 2024
    assert paper_total(exam) == 100
    assert [(r.type.label, r.count, r.score) for r in exam.rules] == [
        ("单选", 25, 2),
        ("多选", 10, Decimal("3.5")),
        ("判断", 15, 1),
    ]
    assert exam.pass_score == 60 and exam.time_limit_minutes == 60 and exam.max_attempts == 1
    assert exam.opens_at == OPENS_AT and exam.closes_at == CLOSES_AT


def test_enrolment_is_the_towns_active_leaders_and_officials(seeded, people):
    rows = db.session.scalars(sa.select(Enrolment)).all()
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
        assert OPENS_AT <= attempt.started_at < attempt.finished_at <= attempt.deadline
        assert attempt.deadline <= CLOSES_AT


def test_most_of_the_enrolled_sit_and_most_who_sit_pass_with_a_spread_of_scores(seeded, people):
    attempts = _attempts()
    assert 0.8 <= len(attempts) / len(people) < 1
    passed = sum(1 for a in attempts if a.passed)
    assert 0.85 <= passed / len(attempts) <= 1
    assert (seeded.submitted, seeded.passed) == (len(attempts), passed)
    assert len({a.score for a in attempts}) >= 8


def test_item_analysis_shows_the_administrative_review_law_as_weakest(seeded):
    rows = db.session.execute(
        sa.select(Question.law_ref, AttemptQuestion.correct).join(AttemptQuestion.question)
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
    again = seed_exams(tree["town"])
    db.session.commit()
    assert [count_rows(m) for m in models] == before
    assert (again.questions_added, again.exam) == (0, None)
