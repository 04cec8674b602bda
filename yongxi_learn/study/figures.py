"""A study list's and a reading's figures (DESIGN §3), shown on the study admin pages
and read by ``stats`` for the year's figures.

Study lists: selection done (exactly N 重点 + M 专业 chosen) and completion (every
必学 and chosen item confirmed 已学完) over the people of the list's audience.
Readings: completion = confirmed / assigned. The audience is evaluated as it stands
(lists and readings are not frozen like an exam's enrolment). Everything is counted by
the database; the per-person selects back the 未完成名单 pages and downloads.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from ..core.formatting import Rate
from ..extensions import db
from ..org.audience import people_select
from ..org.models import Category, OrgUnit, User
from ..org.subtrees import child_units, subtree, unit_buckets
from .plan_models import (
    ItemKind,
    StudyList,
    StudyListItem,
    StudyProgress,
    StudySelection,
    StudyTally,
)
from .reading_models import ReadingAssignment, ReadingProgress

__all__ = [
    "ItemFigure",
    "ReadingFigures",
    "StudyListFigures",
    "UnitRates",
    "reading_figures",
    "reading_people_select",
    "study_item_figures",
    "study_list_figures",
    "study_people_select",
]


@dataclass(frozen=True)
class UnitRates:
    unit: OrgUnit
    people: int
    first: Rate  # lists: selection done; readings: confirmed
    second: Rate | None = None  # lists: completed


@dataclass(frozen=True)
class StudyListFigures:
    study_list: StudyList
    people: int
    chosen: Rate
    completed: Rate
    by_unit: list[UnitRates]
    # (people, chosen, completed) of the leading cadres among them: leader_study's part.
    leaders: tuple[int, int, int] = (0, 0, 0)


@dataclass(frozen=True)
class ItemFigure:
    item: StudyListItem
    learners: int  # 必学: the audience; 重点/专业: those who chose it
    finished: Rate


@dataclass(frozen=True)
class ReadingFigures:
    reading: ReadingAssignment
    assigned: int
    confirmed: Rate
    by_unit: list[UnitRates]


def _person_columns() -> tuple:
    """Who a name-list row is about: the same columns for study lists and readings."""
    return (
        User.id.label("user_id"),
        User.name.label("name"),
        User.phone.label("phone"),
        User.name_sort.label("name_sort"),
        User.post_rank.label("post_rank"),
        OrgUnit.name.label("unit_name"),
        OrgUnit.path.label("unit_path"),
        OrgUnit.id.label("unit_id"),
    )


def _people(audience: dict, unit: OrgUnit | None, category: Category | None) -> sa.Select:
    query = people_select(audience).order_by(None)
    if unit is not None:
        query = query.where(subtree(OrgUnit.path, unit))
    if category is not None:
        query = query.where(User.category == category)
    return query


# ---------------------------------------------------------------- study lists


def _required_count(lst: StudyList) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(StudyListItem.id)).where(
            StudyListItem.list_id == lst.id, StudyListItem.kind == ItemKind.REQUIRED
        )
    )


def study_people_select(
    lst: StudyList, unit: OrgUnit | None = None, category: Category | None = None
) -> sa.Select:
    """One row per person of the audience (in ``unit``'s subtree): user_id, name, phone,
    unit_name, unit_path, unit_id, category, key_n, field_n, done_n (from study_tally),
    planned (items on a full plan), chosen and completed (0/1)."""
    mine = sa.and_(StudyTally.user_id == User.id, StudyTally.list_id == lst.id)
    key_n = sa.func.coalesce(StudyTally.key_n, 0)
    field_n = sa.func.coalesce(StudyTally.field_n, 0)
    done_n = sa.func.coalesce(StudyTally.done_n, 0)
    planned = _required_count(lst) + lst.key_count + lst.field_count
    chosen = sa.and_(key_n == lst.key_count, field_n == lst.field_count)
    return (
        _people(lst.audience, unit, category)
        .outerjoin(StudyTally, mine)
        .with_only_columns(
            *_person_columns(),
            User.category.label("category"),
            key_n.label("key_n"),
            field_n.label("field_n"),
            done_n.label("done_n"),
            sa.literal(planned).label("planned"),
            sa.case((chosen, 1), else_=0).label("chosen"),
            sa.case((sa.and_(chosen, done_n >= planned), 1), else_=0).label("completed"),
        )
    )


def study_list_figures(
    lst: StudyList, unit: OrgUnit | None = None, category: Category | None = None
) -> StudyListFigures:
    root = unit or lst.owner_unit
    people = study_people_select(lst, root, category).subquery()
    children = child_units(root)
    buckets = unit_buckets(root, children)
    rows = db.session.execute(
        sa.select(
            buckets.c.bucket,
            people.c.category,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(people.c.chosen), 0),
            sa.func.coalesce(sa.func.sum(people.c.completed), 0),
        )
        .join_from(people, buckets, people.c.unit_id == buckets.c.unit_id)
        .group_by(buckets.c.bucket, people.c.category)
    ).all()
    counts: dict[int, tuple[int, int, int]] = {}
    leaders = (0, 0, 0)
    for bucket, cat, *figures in rows:
        figures = tuple(int(v) for v in figures)
        counts[bucket] = _add(counts.get(bucket, (0, 0, 0)), figures)
        if Category(cat) is Category.LEADER:
            leaders = _add(leaders, figures)
    by_unit = [
        UnitRates(u, n, Rate(c, n), Rate(d, n))
        for u in [root, *children]
        for n, c, d in [counts.get(u.id, (0, 0, 0))]
    ]
    n, c, d = (0, 0, 0)
    for figures in counts.values():
        n, c, d = _add((n, c, d), figures)
    return StudyListFigures(lst, n, Rate(c, n), Rate(d, n), by_unit, leaders)


def _add(a: tuple, b: tuple) -> tuple:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def study_item_figures(lst: StudyList, unit: OrgUnit | None = None) -> list[ItemFigure]:
    """Per item: who studies it (audience or choosers) and how many finished it."""
    people = _people(lst.audience, unit or lst.owner_unit, None)
    ids = people.with_only_columns(User.id).scalar_subquery()
    audience = db.session.scalar(people.with_only_columns(sa.func.count(User.id)))
    chose = dict(
        db.session.execute(
            sa.select(StudySelection.item_id, sa.func.count())
            .where(StudySelection.list_id == lst.id, StudySelection.user_id.in_(ids))
            .group_by(StudySelection.item_id)
        ).all()
    )
    chosen = sa.and_(
        StudySelection.item_id == StudyProgress.item_id,
        StudySelection.user_id == StudyProgress.user_id,
    )
    finished = dict(
        db.session.execute(
            sa.select(StudyProgress.item_id, sa.func.count())
            .join(StudyListItem, StudyProgress.item_id == StudyListItem.id)
            .outerjoin(StudySelection, chosen)
            .where(
                StudyProgress.list_id == lst.id,
                StudyProgress.finished_at.is_not(None),
                StudyProgress.user_id.in_(ids),
                sa.or_(StudyListItem.kind == ItemKind.REQUIRED, StudySelection.id.is_not(None)),
            )
            .group_by(StudyProgress.item_id)
        ).all()
    )
    out = []
    for item in lst.sorted_items:
        learners = audience if item.kind is ItemKind.REQUIRED else chose.get(item.id, 0)
        out.append(ItemFigure(item, learners, Rate(finished.get(item.id, 0), learners)))
    return out


# ---------------------------------------------------------------- readings


def reading_people_select(reading: ReadingAssignment, unit: OrgUnit | None = None) -> sa.Select:
    """One row per person the reading is for (in ``unit``'s subtree): user_id, name,
    phone, unit_name, unit_path, unit_id, opened_at, counted_ms, confirmed_at, confirmed (0/1)."""
    mine = sa.and_(ReadingProgress.user_id == User.id, ReadingProgress.assignment_id == reading.id)
    return (
        _people(reading.audience, unit or reading.owner_unit, None)
        .where(subtree(OrgUnit.path, reading.owner_unit))
        .outerjoin(ReadingProgress, mine)
        .with_only_columns(
            *_person_columns(),
            ReadingProgress.opened_at.label("opened_at"),
            sa.func.coalesce(ReadingProgress.counted_ms, 0).label("counted_ms"),
            ReadingProgress.confirmed_at.label("confirmed_at"),
            sa.case((ReadingProgress.confirmed_at.is_not(None), 1), else_=0).label("confirmed"),
        )
    )


def reading_figures(reading: ReadingAssignment, unit: OrgUnit | None = None) -> ReadingFigures:
    root = unit or reading.owner_unit
    people = reading_people_select(reading, root).subquery()
    children = child_units(root)
    buckets = unit_buckets(root, children)
    rows = db.session.execute(
        sa.select(
            buckets.c.bucket,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(people.c.confirmed), 0),
        )
        .join_from(people, buckets, people.c.unit_id == buckets.c.unit_id)
        .group_by(buckets.c.bucket)
    ).all()
    counts = {row[0]: (int(row[1]), int(row[2])) for row in rows}
    by_unit = [
        UnitRates(u, n, Rate(c, n))
        for u in [root, *children]
        for n, c in [counts.get(u.id, (0, 0))]
    ]
    assigned = sum(n for n, _ in counts.values())
    confirmed = sum(c for _, c in counts.values())
    return ReadingFigures(reading, assigned, Rate(confirmed, assigned), by_unit)
