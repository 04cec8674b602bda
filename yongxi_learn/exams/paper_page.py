"""What the attempt page shows of the paper as drawn.

The attempt page is the busiest page of an exam evening (every examinee opens it,
and again after each reconnect): its 20-odd items are read with one Core query into
plain values, not ORM objects with their joined questions and categories, which cost
several times the query itself in Python.
"""

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from ..extensions import db
from .grading import canonical_to_shown
from .models import AttemptQuestion, Question, QuestionType


@dataclass(frozen=True, slots=True)
class PaperItem:
    position: int
    type: QuestionType
    stem: str
    options: list[str]  # in the order shown
    letters: str  # the saved answer, in shown letters
    score: Decimal
    seq: int  # sequence number of the saved answer

    @property
    def multi(self) -> bool:
        return self.type is QuestionType.MULTI


def paper_items(attempt_id: int) -> list[PaperItem]:
    """The items of an attempt in their shown order (the caller checked ownership)."""
    return [
        PaperItem(
            position=row.position,
            type=QuestionType(row.type),
            stem=row.stem,
            options=[row.options[i] for i in row.option_order],
            letters=canonical_to_shown(row.response, row.option_order),
            score=row.score,
            seq=row.seq,
        )
        for row in db.session.execute(_ITEMS, {"attempt_id": attempt_id})
    ]


_aq, _q = AttemptQuestion.__table__, Question.__table__
# Built once: constructing a statement costs more Python than running it here.
_ITEMS = (
    sa.select(
        _aq.c.position,
        _aq.c.option_order,
        _aq.c.response,
        _aq.c.score,
        _aq.c.seq,
        _q.c.type,
        _q.c.stem,
        _q.c.options,
    )
    .join(_q, _q.c.id == _aq.c.question_id)
    .where(_aq.c.attempt_id == sa.bindparam("attempt_id"))
    .order_by(_aq.c.position)
)
