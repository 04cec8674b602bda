"""Training figures (DESIGN §3): 场次 by kind, 参训人次 (attendance records), 参训人数
(distinct people), hours, and the coverage of a group.

- Sessions count where they were organised (the unit subtree that ran them);
  attendance counts where the person was when they signed in (frozen unit).
- Cancelled sessions and undone marks count nowhere.
- The figures sum ``training_tally`` (each person's counted attendance per year, kept
  by the training services); the name lists read the sign-ins themselves.
- A group for coverage is the people of the subtree (their current unit) in the
  given categories and unit kinds who had not left before the year began: someone
  deactivated in June still counts for that year; someone gone since last year not.
  (``active_from`` is when the account was made, often after the year reported on,
  so it does not narrow the group.)
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from ..extensions import db
from ..org.models import Category, OrgUnit, UnitKind, User
from ..training.models import (
    Attendance,
    SessionStatus,
    TrainingKind,
    TrainingSession,
    TrainingTally,
)
from .common import Rate, child_units, subtree, unit_buckets

__all__ = [
    "KindCount",
    "TrainingFigures",
    "TrainingGroups",
    "TrainingUnitRow",
    "training_attendees_select",
    "training_by_unit",
    "training_coverage",
    "training_figures",
    "training_groups",
    "training_uncovered_select",
    "units_reached",
]


@dataclass(frozen=True)
class KindCount:
    kind_id: int
    name: str
    code: str | None
    sessions: int


@dataclass(frozen=True)
class TrainingFigures:
    year: int
    unit: OrgUnit
    by_kind: list[KindCount]
    sessions: int  # 场次 (not cancelled)
    external_lectures: int  # sessions with a lecturer invited from outside
    person_times: int  # 参训人次
    people: int  # 参训人数
    hours: Decimal  # 学时 credited, summed over attendance

    def sessions_of(self, code: str) -> int:
        return sum(k.sessions for k in self.by_kind if k.code == code)


@dataclass(frozen=True)
class TrainingUnitRow:
    unit: OrgUnit
    person_times: int
    people: int
    hours: Decimal
    coverage: Rate  # of the row's group (categories given to training_by_unit)


def _counted_attendance(year: int):
    """Attendance rows that count: not undone, at a held session of ``year``."""
    return (
        sa.select(Attendance)
        .join(TrainingSession, Attendance.session_id == TrainingSession.id)
        .where(
            TrainingSession.year == year,
            TrainingSession.status == SessionStatus.SCHEDULED,
            Attendance.revoked_at.is_(None),
        )
    )


def _attendance_in(year: int, unit: OrgUnit, categories) -> sa.Select:
    query = _counted_attendance(year).join(OrgUnit, Attendance.unit_id == OrgUnit.id)
    query = query.where(subtree(OrgUnit.path, unit))
    if categories:
        query = query.where(Attendance.category.in_([Category(c) for c in categories]))
    return query


def _tally_in(year: int, unit: OrgUnit, categories) -> sa.Select:
    """training_tally rows of ``year`` signed in within ``unit``'s subtree: each
    person's counted attendance (times, hours) per unit and category at sign-in."""
    # The subtree's few hundred unit ids, looked up per row (not a LIKE per row).
    units = sa.select(OrgUnit.id).where(subtree(OrgUnit.path, unit))
    query = sa.select(TrainingTally).where(
        TrainingTally.year == year, TrainingTally.unit_id.in_(units)
    )
    if categories:
        query = query.where(TrainingTally.category.in_([Category(c) for c in categories]))
    return query


def training_figures(year: int, unit: OrgUnit, categories=None) -> TrainingFigures:
    owner = sa.orm.aliased(OrgUnit)
    held = (
        sa.select(
            TrainingKind.id, TrainingKind.name, TrainingKind.code, sa.func.count(TrainingSession.id)
        )
        .select_from(TrainingKind)
        .outerjoin(
            sa.join(TrainingSession, owner, TrainingSession.owner_unit_id == owner.id),
            sa.and_(
                TrainingSession.kind_id == TrainingKind.id,
                TrainingSession.year == year,
                TrainingSession.status == SessionStatus.SCHEDULED,
                subtree(owner.path, unit),
            ),
        )
        .group_by(TrainingKind.id, TrainingKind.name, TrainingKind.code, TrainingKind.position)
        .order_by(TrainingKind.position, TrainingKind.id)
    )
    by_kind = [KindCount(r[0], r[1], r[2], r[3]) for r in db.session.execute(held)]
    external = db.session.scalar(
        sa.select(sa.func.count(TrainingSession.id))
        .join(owner, TrainingSession.owner_unit_id == owner.id)
        .where(
            TrainingSession.year == year,
            TrainingSession.status == SessionStatus.SCHEDULED,
            TrainingSession.lecturer_external,
            subtree(owner.path, unit),
        )
    )
    tallied = _tally_in(year, unit, categories).subquery()
    totals = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(tallied.c.times), 0),
            sa.func.count(sa.distinct(tallied.c.user_id)),
            sa.func.coalesce(sa.func.sum(tallied.c.hours), 0),
        )
    ).one()
    return TrainingFigures(
        year=year,
        unit=unit,
        by_kind=[k for k in by_kind if k.sessions or k.code],
        sessions=sum(k.sessions for k in by_kind),
        external_lectures=external,
        person_times=totals[0],
        people=totals[1],
        hours=Decimal(totals[2]),
    )


def _group(year: int, unit: OrgUnit, categories, unit_kinds) -> sa.Select:
    """People of the group (see the module docstring), as a select of User rows."""
    query = (
        sa.select(User)
        .join(OrgUnit, User.unit_id == OrgUnit.id)
        .where(
            subtree(OrgUnit.path, unit),
            sa.or_(User.active, User.active_until >= date(year, 1, 1)),
        )
    )
    if categories:
        query = query.where(User.category.in_([Category(c) for c in categories]))
    if unit_kinds:
        query = query.where(OrgUnit.kind.in_([UnitKind(k) for k in unit_kinds]))
    return query


def _attended_ids(year: int):
    return sa.select(TrainingTally.user_id).where(TrainingTally.year == year)


def training_coverage(year: int, unit: OrgUnit, categories=None, unit_kinds=None) -> Rate:
    """覆盖率 = group members who attended at least once / group size."""
    group = _group(year, unit, categories, unit_kinds).subquery()
    row = db.session.execute(
        sa.select(
            sa.func.count(group.c.id),
            sa.func.count(group.c.id).filter(group.c.id.in_(_attended_ids(year))),
        )
    ).one()
    return Rate(row[1], row[0])


def training_uncovered_select(year: int, unit: OrgUnit, categories=None, unit_kinds=None):
    """未参训名单: the group members with no counted attendance in the year."""
    return (
        _group(year, unit, categories, unit_kinds)
        .where(User.id.not_in(_attended_ids(year)))
        .order_by(OrgUnit.path, User.name_sort, User.id)
    )


def training_attendees_select(year: int, unit: OrgUnit, categories=None) -> sa.Select:
    """参训名单: each person with their 参训次数 and 学时, by their unit at sign-in."""
    attended = _attendance_in(year, unit, categories).subquery()
    return (
        sa.select(
            User,
            sa.func.count(attended.c.id).label("times"),
            sa.func.sum(TrainingSession.hours).label("hours"),
        )
        .join(attended, attended.c.user_id == User.id)
        .join(TrainingSession, attended.c.session_id == TrainingSession.id)
        .join(OrgUnit, User.unit_id == OrgUnit.id)
        .group_by(User.id)
        .order_by(sa.func.min(OrgUnit.path), sa.func.min(User.name_sort), User.id)
    )


def units_reached(year: int, unit: OrgUnit, kind: UnitKind, categories=None) -> Rate:
    """Units of ``kind`` in the subtree with at least one attendee, of all such units
    (e.g. the 8 villages whose 两委 cadres took part)."""
    reached = (
        _tally_in(year, unit, categories)
        .join(OrgUnit, TrainingTally.unit_id == OrgUnit.id)
        .where(OrgUnit.kind == kind)
        .with_only_columns(sa.func.count(sa.distinct(OrgUnit.id)))
    )
    total = sa.select(sa.func.count(OrgUnit.id)).where(
        subtree(OrgUnit.path, unit), OrgUnit.kind == kind, OrgUnit.active
    )
    return Rate(db.session.scalar(reached), db.session.scalar(total))


@dataclass(frozen=True)
class TrainingGroups:
    """The people of a subtree who count for coverage (see the module docstring) by
    (child-unit bucket, category, unit kind): {key: (group size, who attended)}. One
    pass over the people gives training_by_unit's coverage and every
    training_coverage of the overview."""

    counts: dict[tuple, tuple[int, int]]

    def by_bucket(self, categories=None) -> dict[int, tuple[int, int]]:
        wanted = {Category(c) for c in categories or ()}
        out: dict[int, tuple[int, int]] = {}
        for (bucket, category, _kind), (size, covered) in self.counts.items():
            if not wanted or category in wanted:
                before = out.get(bucket, (0, 0))
                out[bucket] = (before[0] + size, before[1] + covered)
        return out

    def coverage(self, categories=None, unit_kinds=None) -> Rate:
        """As training_coverage(year, unit, categories, unit_kinds)."""
        wanted = {Category(c) for c in categories or ()}
        kinds = {UnitKind(k) for k in unit_kinds or ()}
        size = covered = 0
        for (_bucket, category, kind), (n, c) in self.counts.items():
            if (not wanted or category in wanted) and (not kinds or kind in kinds):
                size, covered = size + n, covered + c
        return Rate(covered, size)


def training_groups(year: int, unit: OrgUnit, children=None) -> TrainingGroups:
    buckets = unit_buckets(unit, child_units(unit) if children is None else children)
    attended = User.id.in_(_attended_ids(year))
    rows = db.session.execute(
        sa.select(
            buckets.c.bucket,
            User.category,
            buckets.c.kind,
            sa.func.count(User.id),
            sa.func.count(User.id).filter(attended),
        )
        .join(buckets, User.unit_id == buckets.c.unit_id)
        .where(sa.or_(User.active, User.active_until >= date(year, 1, 1)))
        .group_by(buckets.c.bucket, User.category, buckets.c.kind)
    )
    return TrainingGroups({(r[0], Category(r[1]), UnitKind(r[2])): (r[3], r[4]) for r in rows})


def training_by_unit(
    year: int, unit: OrgUnit, categories=None, groups: TrainingGroups | None = None
) -> list[TrainingUnitRow]:
    """One row per child unit (and the unit itself when it has people of its own)."""
    children = child_units(unit)
    figures = _attendance_by_bucket(year, unit, categories, children)
    groups = (groups or training_groups(year, unit, children)).by_bucket(categories)
    rows = []
    for u in [unit, *children]:
        times, people, hours = figures.get(u.id, (0, 0, 0))
        size, covered = groups.get(u.id, (0, 0))
        if u is unit and not (times or size):
            continue  # the town itself usually has no people of its own
        rows.append(TrainingUnitRow(u, times, people, Decimal(hours), Rate(covered, size)))
    return rows


def _attendance_by_bucket(year: int, unit: OrgUnit, categories, children) -> dict:
    """{bucket: (参训人次, 参训人数, 学时)}."""
    buckets = unit_buckets(unit, children)
    query = (
        sa.select(
            buckets.c.bucket,
            sa.func.sum(TrainingTally.times),
            sa.func.count(sa.distinct(TrainingTally.user_id)),
            sa.func.coalesce(sa.func.sum(TrainingTally.hours), 0),
        )
        .join(buckets, TrainingTally.unit_id == buckets.c.unit_id)
        .where(TrainingTally.year == year)
        .group_by(buckets.c.bucket)
    )
    if categories:
        query = query.where(TrainingTally.category.in_([Category(c) for c in categories]))
    rows = db.session.execute(query)
    return {r[0]: r[1:] for r in rows}
