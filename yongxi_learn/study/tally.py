"""``study_tally``: per study list and person, the 重点 and 专业 items chosen and the
items on their plan (必学, or chosen) finished. The study services call
``people_changed`` (a choice made, an item finished) or ``list_changed`` (an item's
kind changed) in the same transaction; each recomputes the rows from the choices and
progress (``source_select``), never by adding one. On PostgreSQL the people are
locked first (``stats.common.lock_people``)."""

from collections.abc import Iterable

import sqlalchemy as sa

from ..core.db import lock_people
from ..extensions import db
from .plan_models import ItemKind, StudyListItem, StudyProgress, StudySelection, StudyTally

LOCK_SPACE = 7303
COLUMNS = ["list_id", "user_id", "key_n", "field_n", "done_n"]


def source_select(list_ids: Iterable[int] | None = None, user_ids: Iterable[int] | None = None):
    """(list_id, user_id, key_n, field_n, done_n) from the choices and progress."""
    item = StudyListItem
    chosen = sa.select(
        StudySelection.list_id.label("list_id"),
        StudySelection.user_id.label("user_id"),
        sa.case((item.kind == ItemKind.KEY, 1), else_=0).label("key_n"),
        sa.case((item.kind == ItemKind.FIELD, 1), else_=0).label("field_n"),
        sa.literal(0).label("done_n"),
    ).join(item, StudySelection.item_id == item.id)
    on_plan = sa.and_(
        StudySelection.item_id == StudyProgress.item_id,
        StudySelection.user_id == StudyProgress.user_id,
    )
    done = (
        sa.select(
            StudyProgress.list_id,
            StudyProgress.user_id,
            sa.literal(0),
            sa.literal(0),
            sa.literal(1),
        )
        .join(item, StudyProgress.item_id == item.id)
        .outerjoin(StudySelection, on_plan)
        .where(
            StudyProgress.finished_at.is_not(None),
            sa.or_(item.kind == ItemKind.REQUIRED, StudySelection.id.is_not(None)),
        )
    )
    if list_ids is not None:
        chosen = chosen.where(StudySelection.list_id.in_(sorted(set(list_ids))))
        done = done.where(StudyProgress.list_id.in_(sorted(set(list_ids))))
    if user_ids is not None:
        chosen = chosen.where(StudySelection.user_id.in_(sorted(set(user_ids))))
        done = done.where(StudyProgress.user_id.in_(sorted(set(user_ids))))
    rows = sa.union_all(chosen, done).subquery("study_rows")
    return sa.select(
        rows.c.list_id,
        rows.c.user_id,
        sa.func.sum(rows.c.key_n),
        sa.func.sum(rows.c.field_n),
        sa.func.sum(rows.c.done_n),
    ).group_by(rows.c.list_id, rows.c.user_id)


def people_changed(list_id: int, user_ids: Iterable[int]) -> None:
    user_ids = sorted(set(user_ids))
    if not user_ids:
        return
    lock_people(LOCK_SPACE, user_ids)
    db.session.execute(
        sa.delete(StudyTally).where(StudyTally.list_id == list_id, StudyTally.user_id.in_(user_ids))
    )
    db.session.execute(
        sa.insert(StudyTally).from_select(COLUMNS, source_select([list_id], user_ids))
    )


def list_changed(list_id: int) -> None:
    """An item's kind changed: everyone's finished count may have."""
    people = db.session.scalars(
        sa.select(StudyProgress.user_id).where(StudyProgress.list_id == list_id).distinct()
    ).all()
    people_changed(list_id, people)


def rebuild(list_ids: Iterable[int] | None = None) -> None:
    """Recompute the table (or these lists) from the choices and progress."""
    delete = sa.delete(StudyTally)
    if list_ids is not None:
        delete = delete.where(StudyTally.list_id.in_(sorted(set(list_ids))))
    db.session.execute(delete)
    db.session.execute(sa.insert(StudyTally).from_select(COLUMNS, source_select(list_ids)))
