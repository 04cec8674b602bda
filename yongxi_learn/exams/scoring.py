"""Grading an attempt's stored answers in the database, set-based.

One SELECT reads the answers with their keys (and the exam's pass mark), the pure
functions of ``grading`` decide each one, and one UPDATE writes every row's
``correct`` and ``awarded`` at once: a row is right or wrong, and a right one earns
its score. Before, each of the 20-odd rows was an ORM object updated on its own.
The caller holds the attempt's row lock (FOR UPDATE) and writes the attempt's total.
"""

from collections.abc import Mapping, Sequence
from decimal import Decimal

import sqlalchemy as sa

from ..extensions import db
from . import grading
from .models import Attempt, AttemptQuestion, Exam, Question, QuestionType


def stored_answers(attempt_id: int) -> tuple[Decimal, list]:
    """The exam's pass mark and the attempt's rows as stored now, by position.

    Read in a statement of its own, after the caller's lock: on PostgreSQL a
    statement sees what was committed when it began, so answers saved while the
    lock was awaited are only seen by a later statement.
    """
    rows = db.session.execute(_ANSWERS, {"attempt_id": attempt_id}).all()
    return rows[0].pass_score, [row for row in rows if row.position is not None]


def grade_stored(attempt_id: int) -> grading.Result:
    """Grade the attempt's answers as stored now and write each row's grade."""
    pass_score, rows = stored_answers(attempt_id)
    return mark(attempt_id, rows, pass_score)


def mark(
    attempt_id: int,
    rows: Sequence,
    pass_score: Decimal,
    responses: Mapping[int, str] | None = None,
) -> grading.Result:
    """Grade ``rows`` (from ``stored_answers``; ``responses`` by position replace
    theirs, as just written) and write every row's grade in one statement."""
    result = result_of(rows, pass_score, responses)
    graded = zip(rows, result.items, strict=True)
    right = [row.position for row, item in graded if item.correct]
    db.session.execute(_MARK, {"b_attempt": attempt_id, "right": right})
    return result


def result_of(
    rows: Sequence, pass_score: Decimal, responses: Mapping[int, str] | None = None
) -> grading.Result:
    """The grade of ``rows`` (each with position, type, answer, response and score),
    written nowhere: what ``mark`` writes, and what a reader counts for an attempt
    not yet finalized (``exams.overdue``)."""
    responses = responses or {}
    return grading.grade(
        [
            grading.Item(
                QuestionType(row.type),
                row.answer,
                responses.get(row.position, row.response),
                row.score,
            )
            for row in rows
        ],
        pass_score,
    )


# Built once: constructing a statement costs more Python than running it here.
_a, _e = Attempt.__table__, Exam.__table__
_aq, _q = AttemptQuestion.__table__, Question.__table__


def attempt_with_items(columns: sa.Select) -> sa.Select:
    """``columns`` over an attempt (bound ``attempt_id``) with its exam and its items
    with their questions, by position; an attempt without items gives one row."""
    return (
        columns.select_from(_a)
        .join(_e, _e.c.id == _a.c.exam_id)
        .outerjoin(_aq, _aq.c.attempt_id == _a.c.id)
        .outerjoin(_q, _q.c.id == _aq.c.question_id)
        .where(_a.c.id == sa.bindparam("attempt_id"))
        .order_by(_aq.c.position)
    )


_ANSWERS = attempt_with_items(
    sa.select(
        _e.c.pass_score,
        _aq.c.position,
        # As text, parsed by grading.parse_order where needed (the page's form).
        sa.cast(_aq.c.option_order, sa.Text).label("option_order"),
        _aq.c.response,
        _aq.c.version,
        _aq.c.score,
        _q.c.type,
        _q.c.answer,
    )
)
_is_right = _aq.c.position.in_(sa.bindparam("right", expanding=True))
_MARK = (
    sa.update(_aq)
    .where(_aq.c.attempt_id == sa.bindparam("b_attempt"))
    .values(correct=_is_right, awarded=sa.case((_is_right, _aq.c.score), else_=0))
)
