"""Everything that points at a law version (questions, study-list items, readings,
training sessions) registers here, so that amending a law can flag them 待复核.

A referencing model has a ``law_id`` column (a Law version) and a boolean
``needs_review`` column; it may also have an ``article_id`` column (a LawArticle).
"""

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db


@dataclass(frozen=True)
class LawReference:
    label: str  # what the rows are, shown to admins: "试题", "学习清单条目", "阅读任务"
    model: type
    describe: Callable[[object], str]  # one row → a short text for the 待复核 list
    endpoint: str  # url_for endpoint of the page where an admin fixes one row
    endpoint_arg: str = "id"  # the endpoint's argument that takes the row id

    @property
    def law_column(self):
        return self.model.law_id


REFERENCES: list[LawReference] = []


def register(reference: LawReference) -> None:
    if all(r.model is not reference.model for r in REFERENCES):
        REFERENCES.append(reference)


def flag_references(law_ids: list[int]) -> int:
    """Mark every row that points at one of ``law_ids`` (old versions) 待复核."""
    flagged = 0
    for ref in REFERENCES:
        result = db.session.execute(
            sa.update(ref.model)
            .where(ref.law_column.in_(law_ids), ref.model.needs_review.is_(False))
            .values(needs_review=True)
            .execution_options(synchronize_session="fetch")
        )
        flagged += result.rowcount
    return flagged
