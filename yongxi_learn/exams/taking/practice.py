"""错题本, self-practice and a course's closing quiz.

A practice exam is an ordinary Exam of kind PRACTICE (never counted in any
figure), created for one person on the fly, untimed, with answers shown at once;
taking it reuses the whole attempt machinery. A course's quiz (courses) is one
too, with a pass mark: personal, so it is in no exam list and no figure either.
"""

import random
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from ...extensions import db
from ...org.models import User
from .. import attempts
from ..bank.services import bank_owner_ids
from ..models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    Enrolment,
    Exam,
    ExamKind,
    ExamQuestion,
    ExamStatus,
    Question,
    QuestionCategory,
    QuestionStatus,
    ReviewPolicy,
)
from ..papers import keys
from .review import details_allowed

PRACTICE_SIZE = 10


class NothingToPractise(attempts.AttemptError):
    def __init__(self):
        super().__init__("没有可以练习的题目")


@dataclass(frozen=True)
class WrongItem:
    question: Question
    response: str  # the last wrong answer, canonical letters
    wrong_times: int
    last_wrong_at: datetime


def wrong_book(user: User, now: datetime) -> list[WrongItem]:
    """Questions the person got wrong in finished attempts and has not since
    answered right; the most recent mistake first.

    Only attempts whose sheet already shows answers count, and no question whose key
    the person may not see yet (``keys.hidden_from``): a running exam's key (or
    right/wrong) must not leak through the 错题本.
    """
    hidden = keys.hidden_from(user, now)
    rows = db.session.execute(
        sa.select(AttemptQuestion, Attempt)
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .where(Attempt.user_id == user.id, Attempt.status != AttemptStatus.IN_PROGRESS)
        .order_by(Attempt.finished_at.desc(), AttemptQuestion.id.desc())
    ).all()
    latest: dict[int, WrongItem | None] = {}
    wrong_times: dict[int, int] = {}
    for aq, attempt in rows:
        if not details_allowed(attempt.exam, now):
            continue
        root = keys.root_of(aq.question)
        if root in hidden:
            continue
        if aq.correct is False:
            wrong_times[root] = wrong_times.get(root, 0) + 1
        if root not in latest:  # newest answer decides
            latest[root] = (
                None if aq.correct else WrongItem(aq.question, aq.response, 0, attempt.finished_at)
            )
    return [
        WrongItem(item.question, item.response, wrong_times.get(root, 1), item.last_wrong_at)
        for root, item in latest.items()
        if item is not None
    ]


def practice_topics(user: User) -> tuple[list[tuple[int, str]], list[str]]:
    """Categories (id, name) and laws the person's banks have active questions for."""
    owners = bank_owner_ids(user.unit)
    active = sa.and_(Question.status == QuestionStatus.ACTIVE, Question.owner_unit_id.in_(owners))
    categories = db.session.execute(
        sa.select(QuestionCategory.id, QuestionCategory.name)
        .join(Question, Question.category_id == QuestionCategory.id)
        .where(active)
        .group_by(QuestionCategory.id, QuestionCategory.name)
        .order_by(QuestionCategory.name)
    ).all()
    laws = db.session.scalars(
        sa.select(Question.law_ref)
        .where(active, Question.law_ref != "")
        .group_by(Question.law_ref)
        .order_by(Question.law_ref)
    ).all()
    return [tuple(c) for c in categories], list(laws)


def start_practice(
    user: User,
    now: datetime,
    *,
    wrong_only: bool = False,
    category_id: int | None = None,
    law_ref: str = "",
    rng: random.Random | None = None,
) -> Attempt:
    """Draw a practice exam (from the 错题本, or a category / law) and start it."""
    rng = rng or secrets.SystemRandom()
    pool = _wrong_pool(user, now) if wrong_only else _topic_pool(user, now, category_id, law_ref)
    if not pool:
        raise NothingToPractise()
    picked = rng.sample(pool, min(PRACTICE_SIZE, len(pool)))
    exam = _practice_exam(user, now, picked, "错题练习" if wrong_only else "专项练习")
    return attempts.start_attempt(exam, user, now, rng)


def start_quiz(
    user: User,
    now: datetime,
    *,
    title: str,
    size: int,
    pass_percent: int,
    law_ref: str = "",
    rng: random.Random | None = None,
) -> Attempt:
    """Draw ``size`` questions (of one law, if given) from the person's banks into a
    personal practice exam passed at ``pass_percent`` of its full score, and start it."""
    rng = rng or secrets.SystemRandom()
    pool = _topic_pool(user, now, None, law_ref)
    if not pool:
        raise NothingToPractise()
    picked = rng.sample(pool, min(size, len(pool)))
    full = sum((q.score for q in picked), Decimal(0))
    exam = _practice_exam(user, now, picked, title[:200])
    exam.pass_score = (full * pass_percent / 100).quantize(Decimal("0.01"))
    return attempts.start_attempt(exam, user, now, rng)


def _wrong_pool(user: User, now: datetime) -> list[Question]:
    # A retired or superseded question is not practised again.
    return [
        item.question
        for item in wrong_book(user, now)
        if item.question.status is QuestionStatus.ACTIVE
    ]


def _topic_pool(user: User, now: datetime, category_id: int | None, law_ref: str) -> list[Question]:
    # Practice shows the key at once: nothing an exam the person sits can still ask.
    query = sa.select(Question).where(
        Question.status == QuestionStatus.ACTIVE,
        Question.owner_unit_id.in_(bank_owner_ids(user.unit)),
        keys.lineage().not_in(sorted(keys.hidden_from(user, now))),
    )
    if category_id:
        query = query.where(Question.category_id == category_id)
    if law_ref:
        query = query.where(Question.law_ref == law_ref)
    return list(db.session.scalars(query.order_by(Question.id).limit(500)))


def _practice_exam(user: User, now: datetime, questions: list[Question], title: str) -> Exam:
    exam = Exam(
        owner_unit_id=user.unit_id,
        title=title,
        kind=ExamKind.PRACTICE,
        year=now.year,
        status=ExamStatus.PUBLISHED,
        time_limit_minutes=None,
        pass_score=Decimal(0),
        max_attempts=1,
        shuffle_questions=True,
        shuffle_options=True,
        review_policy=ReviewPolicy.IMMEDIATE,
        audience={"people": [user.id]},
        personal=True,
        published_at=now,
        created_by_id=user.id,
    )
    exam.fixed_questions = [
        ExamQuestion(question=q, position=i, score=q.score) for i, q in enumerate(questions, 1)
    ]
    db.session.add(exam)
    db.session.flush()
    db.session.add(
        Enrolment(exam_id=exam.id, user_id=user.id, unit_id=user.unit_id, category=user.category)
    )
    db.session.flush()
    return exam
