"""Everything that points at a law version (questions, study-list items, readings,
training sessions) registers here, so that amending a law can flag them 待复核. Each
feature registers its own references when the app is set up (``register``), so the
library knows none of their models.

A referencing model has a ``law_id`` column (a Law version) and a boolean
``needs_review`` column; it may also have an ``article_id`` column (a LawArticle).
``flagged`` lists the rows waiting for review on the 待复核 page: each admin sees the
rows of their own units when the reference names its ``unit_column``.
"""

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for

from ..extensions import db
from ..org.models import OrgUnit, User
from ..org.permissions import Perm, can, scope_filter, scope_units
from .models import Law

FLAGGED_MAX = 500  # rows per kind on the 待复核 page


@dataclass(frozen=True)
class LawReference:
    label: str  # what the rows are, shown to admins: "试题", "学习清单条目", "阅读任务"
    model: type
    describe: Callable[[object], str]  # one row → a short text for the 待复核 list
    endpoint: str  # url_for endpoint of the page where an admin fixes one row
    endpoint_arg: str = "id"  # the endpoint's argument that takes the row id
    # Optional: the model's column holding its owner unit id (scopes the 待复核 list),
    # or ``owner_join`` adding the join to the owner's OrgUnit when it is further away;
    # the permission needed to fix a row, and which rows are worth listing at all.
    unit_column: str | None = None
    owner_join: Callable[[sa.Select], sa.Select] | None = None
    # The endpoint argument's value for a row, when it is not the row's own id.
    target: Callable[[object], int] | None = None
    perm: Perm = Perm.MANAGE_STUDY
    listed: Callable[[], sa.ColumnElement[bool]] | None = None

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


@dataclass(frozen=True)
class FlaggedRow:
    label: str
    text: str
    endpoint: str
    args: dict
    law: Law | None

    @property
    def url(self) -> str:
        return url_for(self.endpoint, **self.args)


def flagged(user: User) -> list[FlaggedRow]:
    """Every row waiting for review that ``user`` may fix, kind by kind."""
    rows: list[FlaggedRow] = []
    for ref in REFERENCES:
        if can(user, ref.perm):
            rows.extend(_flagged_of(ref, user))
    return rows


def count_flagged(user: User) -> int:
    total = 0
    for ref in REFERENCES:
        if can(user, ref.perm):
            query = _flagged_query(ref, user).with_only_columns(sa.func.count()).order_by(None)
            total += db.session.scalar(query) or 0
    return total


def any_root(user: User, perm: Perm) -> bool:
    return any(unit.parent_id is None for unit in scope_units(user, perm))


def _flagged_query(ref: LawReference, user: User) -> sa.Select:
    query = sa.select(ref.model, Law).outerjoin(Law, ref.law_column == Law.id)
    query = query.where(ref.model.needs_review.is_(True))
    if ref.listed is not None:
        query = query.where(ref.listed())
    if ref.unit_column is not None:
        unit_id = getattr(ref.model, ref.unit_column)
        query = query.join(OrgUnit, unit_id == OrgUnit.id)
    elif ref.owner_join is not None:
        query = ref.owner_join(query)
    else:  # no owner to scope by: only those who manage a whole tree see the rows
        query = query.where(sa.literal(any_root(user, ref.perm)))
    if ref.unit_column is not None or ref.owner_join is not None:
        query = query.where(scope_filter(user, ref.perm, OrgUnit.path))
    return query.order_by(ref.model.id)


def _flagged_of(ref: LawReference, user: User) -> list[FlaggedRow]:
    result = db.session.execute(_flagged_query(ref, user).limit(FLAGGED_MAX))
    return [
        FlaggedRow(
            label=ref.label,
            text=ref.describe(row),
            endpoint=ref.endpoint,
            args={ref.endpoint_arg: ref.target(row) if ref.target else row.id},
            law=law,
        )
        for row, law in result
    ]
