"""Attempts left in progress past their deadline (+ GRACE), counted as they will be
once finalized: EXPIRED, finished at the deadline, graded from the saved answers.

Who writes the finalization: the attempt's owner, at their next POST (save, submit,
start), and the sweeper (``flask exams finalize-overdue``, scheduled). Nobody else,
and never a GET: a page that finalized took SQLite's one write lock to render
figures, and what it showed depended on whether anyone had swept. So every reader
asks this module instead, and counts an overdue attempt exactly as the sweeper will.

The one design, shared by every reader (statistics, monitor, 我的考试, result page,
学法档案, 补考 candidates): the overdue attempts are found through ix_attempt_overdue
(a handful at any time: people who closed the page before handing in), graded in
memory by the grader a submit uses (``scoring.result_of``, pure), and handed to the
readers' SQL as expressions of the *effective* state (``finished``, ``score``,
``passed``, ``correct``): CASEs over those few attempt ids, so each query stays the
one statement it was and, with nothing overdue, is exactly the statement it was.
Grading in SQL instead would restate ``grading``'s rules (多选 all or nothing, the
option letters) in a second place. ``exam_tally`` is not rebuilt on a read either:
only the groups of the few people concerned are computed from the source rows, and
replace those groups' tally rows (``stats.exam_sql.tally_rows``).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from ..extensions import db
from . import attempts, grading, scoring
from .models import Attempt, AttemptQuestion, AttemptStatus, Exam, Question

FINISHED = (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED)


@dataclass(frozen=True)
class Expired:
    """One overdue attempt as it will be once finalized."""

    attempt_id: int
    exam_id: int
    user_id: int
    finished_at: datetime  # its deadline
    result: grading.Result
    right: frozenset[int]  # the attempt_question ids graded right
    items: dict[int, grading.Graded] = field(default_factory=dict)  # by position

    @property
    def score(self) -> Decimal:
        return self.result.score

    @property
    def passed(self) -> bool:
        return self.result.passed


@dataclass(frozen=True)
class Overdue:
    """The overdue attempts found at one moment, by attempt id; the expressions give
    any query over Attempt (or an alias of it) their effective state."""

    attempts: dict[int, Expired]

    def __bool__(self) -> bool:
        return bool(self.attempts)

    def _ids(self) -> list[int]:
        return sorted(self.attempts)

    def finished(self, attempt=Attempt):
        """Handed in, finalized, or overdue."""
        done = attempt.status.in_(FINISHED)
        return sa.or_(done, attempt.id.in_(self._ids())) if self else done

    def in_progress(self, attempt=Attempt):
        """In progress and not overdue."""
        open_ = attempt.status == AttemptStatus.IN_PROGRESS
        return sa.and_(open_, attempt.id.not_in(self._ids())) if self else open_

    def score(self, attempt=Attempt):
        if not self:
            return attempt.score
        scores = {i: sa.literal(e.score, Attempt.score.type) for i, e in self.attempts.items()}
        return sa.case(scores, value=attempt.id, else_=attempt.score)

    def passed(self, attempt=Attempt):
        if not self:
            return attempt.passed
        passed = {i: sa.literal(e.passed, sa.Boolean) for i, e in self.attempts.items()}
        return sa.case(passed, value=attempt.id, else_=attempt.passed)

    def correct(self, item=AttemptQuestion):
        """AttemptQuestion.correct, for the items of overdue attempts as graded."""
        if not self:
            return item.correct
        right = sorted(i for e in self.attempts.values() for i in e.right)
        graded = item.id.in_(right) if right else sa.false()
        return sa.case((item.attempt_id.in_(self._ids()), graded), else_=item.correct)

    def of(self, attempt_id: int) -> Expired | None:
        return self.attempts.get(attempt_id)

    def in_exams(self, exam_ids: Iterable[int]) -> list[Expired]:
        wanted = set(exam_ids)
        return [e for e in self.attempts.values() if e.exam_id in wanted]


NONE = Overdue({})


def find(now: datetime, *, user_id: int | None = None, attempt_id: int | None = None) -> Overdue:
    """The attempts (of ``user_id``, or the one ``attempt_id``, or everyone's) in
    progress past deadline + GRACE at ``now``, graded from their saved answers."""
    query = sa.select(Attempt.id, Attempt.exam_id, Attempt.user_id, Attempt.deadline).where(
        Attempt.status == AttemptStatus.IN_PROGRESS,
        Attempt.deadline.is_not(None),
        Attempt.deadline < now - attempts.GRACE,  # read when called, as is_overdue does
    )
    if user_id is not None:
        query = query.where(Attempt.user_id == user_id)
    if attempt_id is not None:
        query = query.where(Attempt.id == attempt_id)
    found = db.session.execute(query).all()
    if not found:
        return NONE
    answers = _answers([row.id for row in found])
    return Overdue({row.id: _expired(row, *answers[row.id]) for row in found})


def _expired(row, pass_score: Decimal, items: list) -> Expired:
    result = scoring.result_of(items, pass_score)
    graded = list(zip(items, result.items, strict=True))
    return Expired(
        attempt_id=row.id,
        exam_id=row.exam_id,
        user_id=row.user_id,
        finished_at=row.deadline,
        result=result,
        right=frozenset(item.id for item, g in graded if g.correct),
        items={item.position: g for item, g in graded},
    )


def _answers(attempt_ids: list[int]) -> dict[int, tuple[Decimal, list]]:
    """{attempt id: (its exam's pass mark, its items with their keys, by position)}."""
    rows = db.session.execute(
        sa.select(
            Attempt.id.label("attempt_id"),
            Exam.pass_score,
            AttemptQuestion.id,
            AttemptQuestion.position,
            AttemptQuestion.response,
            AttemptQuestion.score,
            Question.type,
            Question.answer,
        )
        .join(Exam, Exam.id == Attempt.exam_id)
        .outerjoin(AttemptQuestion, AttemptQuestion.attempt_id == Attempt.id)
        .outerjoin(Question, Question.id == AttemptQuestion.question_id)
        .where(Attempt.id.in_(attempt_ids))
        .order_by(Attempt.id, AttemptQuestion.position)
    ).all()
    found: dict[int, tuple[Decimal, list]] = {}
    for row in rows:
        items = found.setdefault(row.attempt_id, (row.pass_score, []))[1]
        if row.position is not None:
            items.append(row)
    return found
