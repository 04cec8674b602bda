"""Whose eyes a question's key must not reach yet: the one rule for practice, the
错题本, practice results and every per-question statistic (admin item analysis, the
statistics page and its downloads).

While a formal exam (or its 补考) has not closed, everyone enrolled in it and not
exempted is kept from the key of every question it can ask: its fixed paper, the
pools its draw rules draw from (with questions retired since: an attempt may have
drawn them before). Otherwise a candidate could practise the same bank
round after round, or read the most-chosen wrong answer and the 0% / 100% rates, and
collect the keys of the sheet still open in another tab. A 补考 keeps the questions
hidden from the formal exam's enrolment too, until it closes.

Questions are matched by lineage (``root_id`` or their own id): a new version of a
question on an open sheet is the same question to a candidate.
"""

from datetime import datetime

import sqlalchemy as sa

from ...extensions import db
from ...org.models import User
from ..models import (
    Enrolment,
    Exam,
    ExamKind,
    ExamQuestion,
    ExamStatus,
    Question,
)
from .services import rule_pool


def root_of(question: Question) -> int:
    return question.root_id or question.id


def lineage() -> sa.ColumnElement[int]:
    """A question's lineage id in SQL, as ``root_of`` computes it."""
    return sa.func.coalesce(Question.root_id, Question.id)


def open_exams(user: User, now: datetime) -> list[Exam]:
    """The published, not yet closed exams whose questions ``user`` must not see:
    those they are enrolled in (not exempted), and a 补考 of an exam they are."""
    enrolled = sa.select(Enrolment.exam_id).where(
        Enrolment.user_id == user.id, Enrolment.exempt.is_(False)
    )
    return list(
        db.session.scalars(
            sa.select(Exam)
            .where(
                Exam.status == ExamStatus.PUBLISHED,
                Exam.kind != ExamKind.PRACTICE,
                Exam.personal.is_(False),
                sa.or_(Exam.closes_at.is_(None), Exam.closes_at > now),
                sa.or_(Exam.id.in_(enrolled), Exam.parent_exam_id.in_(enrolled)),
            )
            .order_by(Exam.id)
        )
    )


def hidden_from(user: User, now: datetime, exams: list[Exam] | None = None) -> frozenset[int]:
    """Lineage ids of the questions whose key ``user`` must not see at ``now`` (those
    ``exams`` can ask; by default ``open_exams``)."""
    exams = open_exams(user, now) if exams is None else exams
    if not exams:
        return frozenset()
    ids = [e.id for e in exams]
    # Pools, not the attempts' drawn rows: as sure (a drawn question is in its pool,
    # retired or not, and edits make versions) and not a scan of a whole exam
    # evening's answers on every practice start.
    asked = [
        sa.select(ExamQuestion.question_id).where(ExamQuestion.exam_id.in_(ids)),
        *(rule_pool(exam, rule, active_only=False) for exam in exams for rule in exam.rules),
    ]
    question_ids = sa.union(*asked).subquery()
    return frozenset(
        db.session.scalars(
            sa.select(lineage()).distinct().where(Question.id.in_(sa.select(question_ids)))
        )
    )


def may_see_item_stats(user: User | None, exam: Exam, now: datetime) -> bool:
    """Whether the per-question figures of ``exam`` and its 补考 may be shown to
    ``user`` at all; None is the system (the CLI), which sees them. Pages say so when
    not; the figures themselves leave out ``hidden_from`` questions either way."""
    if user is None:
        return True
    family = {exam.id, exam.parent_exam_id or exam.id}
    return not any({e.id, e.parent_exam_id} & family for e in open_exams(user, now))


def withheld_until(
    user: User, questions: list[Question], now: datetime, *, besides: Exam | None = None
) -> datetime | None:
    """When a sheet holding ``questions`` may show its keys to ``user`` again: the
    latest close of the exams still open that they sit, other than ``besides`` (the
    sheet's own exam, whose review policy decides for it); None when it may now."""
    exams = [e for e in open_exams(user, now) if besides is None or e.id != besides.id]
    hidden = hidden_from(user, now, exams)
    if not any(root_of(q) in hidden for q in questions):
        return None
    return max((e.closes_at for e in exams if e.closes_at), default=now)
