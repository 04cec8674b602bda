"""A hand-built 2024 exam for the figures: each person is one case of DESIGN §3.

雍溪镇's 2024年度法治理论知识考试 (pass mark 60 of 100, two tries, closed) and its 补考:

  石佛村   甲 absent · 乙 exempted · 丙 failed (50) then passed the 补考 (80)
           丁 two tries (40, 70), the best counts · 戊 sat (65), deactivated later
  红岩村   己 sat (90), later moved to 党政办公室 · 庚 left an attempt open past its
           deadline with a wrong answer saved (not yet finalized: 0 points)
  党政办公室 辛 absent from the exam, 100 in a practice paper and a personal one
  司法所    nobody enrolled (an empty unit)

Town totals: 应考 7, 免考 1, 参考 5, 通过 4; first sitting 参考 5, 通过 3;
best scores 80, 70, 65, 90, 0: average 61.0, lowest 0.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from tests.stats.districts import Towns, build_towns
from tests.training.conftest import kinds, make_session  # noqa: F401  (for towns)
from yongxi_learn.exams import exam_tally
from yongxi_learn.exams.models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    Enrolment,
    Exam,
    ExamKind,
    ExamStatus,
    Question,
    QuestionType,
)
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category

NOW = datetime(2024, 12, 1, 2, 0)  # naive UTC


@dataclass
class Scenario:
    tree: dict
    formal: Exam
    makeup: Exam
    practice: Exam
    personal: Exam
    people: dict


def _exam(owner, title, kind=ExamKind.FORMAL, **extra) -> Exam:
    exam = Exam(
        owner_unit=owner,
        title=title,
        kind=kind,
        year=2024,
        status=ExamStatus.PUBLISHED,
        opens_at=NOW - timedelta(days=30),
        closes_at=NOW - timedelta(days=20),
        time_limit_minutes=60,
        pass_score=Decimal(60),
        max_attempts=2,
        published_at=NOW - timedelta(days=31),
        **extra,
    )
    db.session.add(exam)
    db.session.flush()
    return exam


def _enrol(exam, person, unit=None, *, exempt=False) -> None:
    entry = Enrolment(
        exam_id=exam.id,
        user_id=person.id,
        unit_id=(unit or person.unit).id,
        category=person.category,
        exempt=exempt,
        exempt_reason="病假" if exempt else "",
    )
    db.session.add(entry)
    db.session.flush()
    exam_tally.enrolment_changed(entry)  # as the exam services do


def _sat(exam, person, score, number=1) -> Attempt:
    attempt = Attempt(
        exam_id=exam.id,
        user_id=person.id,
        number=number,
        status=AttemptStatus.SUBMITTED,
        started_at=NOW - timedelta(days=25),
        deadline=NOW - timedelta(days=25) + timedelta(hours=1),
        finished_at=NOW - timedelta(days=25),
        score=Decimal(score),
        max_score=Decimal(100),
        passed=Decimal(score) >= exam.pass_score,
    )
    db.session.add(attempt)
    db.session.flush()
    exam_tally.attempts_changed([attempt])  # as the exam services do
    return attempt


def _left_open(exam, person, question) -> None:
    """An attempt whose deadline passed with a wrong answer saved, still in progress."""
    attempt = Attempt(
        exam_id=exam.id,
        user_id=person.id,
        status=AttemptStatus.IN_PROGRESS,
        started_at=NOW - timedelta(days=25),
        deadline=NOW - timedelta(days=25) + timedelta(hours=1),
        max_score=Decimal(100),
    )
    attempt.questions.append(
        AttemptQuestion(
            position=1,
            question=question,
            option_order=[0, 1, 2, 3],
            score=Decimal(100),
            response="A",
        )
    )
    db.session.add(attempt)


@pytest.fixture
def scenario(tree, make_user) -> Scenario:
    town, village, village2, office = (
        tree["town"],
        tree["village"],
        tree["village2"],
        tree["office"],
    )
    cadre = Category.VILLAGE_CADRE
    people = {
        "甲": make_user("甲", village, cadre),
        "乙": make_user("乙", village, cadre),
        "丙": make_user("丙", village, cadre),
        "丁": make_user("丁", village, cadre),
        "戊": make_user("戊", village, cadre),
        "己": make_user("己", village2, cadre),
        "庚": make_user("庚", village2, cadre),
        "辛": make_user("辛", office, Category.OFFICIAL),
    }
    question = Question(
        owner_unit=town,
        type=QuestionType.SINGLE,
        stem="宪法是国家的根本法吗？",
        options=["甲", "乙", "丙", "丁"],
        answer="B",
        score=Decimal(100),
        law_ref="宪法",
    )
    db.session.add(question)
    formal = _exam(town, "2024年度法治理论知识考试")
    for name, person in people.items():
        _enrol(formal, person, exempt=name == "乙")
    makeup = _exam(
        town, "2024年度法治理论知识考试（补考）", ExamKind.MAKEUP, parent_exam_id=formal.id
    )
    _enrol(makeup, people["甲"])
    _enrol(makeup, people["丙"])
    _sat(formal, people["丙"], 50)
    _sat(makeup, people["丙"], 80)
    _sat(formal, people["丁"], 40)
    _sat(formal, people["丁"], 70, number=2)
    _sat(formal, people["戊"], 65)
    _sat(formal, people["己"], 90)
    _left_open(formal, people["庚"], question)
    practice = _exam(town, "宪法练习", ExamKind.PRACTICE)
    _enrol(practice, people["辛"])
    _sat(practice, people["辛"], 100)
    personal = _exam(town, "我的错题练习", ExamKind.PRACTICE, personal=True)
    _sat(personal, people["辛"], 100)
    _sat(personal, people["甲"], 100, number=2)
    db.session.commit()
    # After publishing: 戊 leaves (deactivated), 己 moves to the town office.
    people["戊"].active = False
    people["己"].unit = office
    db.session.commit()
    return Scenario(tree, formal, makeup, practice, personal, people)


@pytest.fixture
def towns(tree, make_user, make_unit, make_session) -> Towns:  # noqa: F811
    """Two towns against the district's 2024 thresholds (tests/stats/districts.py)."""
    return build_towns(tree, make_user, make_unit, make_session)
