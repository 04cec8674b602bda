"""Training figures (DESIGN §3): 场次 by kind, 参训人次 (attendance records), 参训人数
(distinct people), hours, and the coverage of a group.

- Sessions count where they were organised (the unit subtree that ran them).
- A sign-in belongs to the unit and category the person had when signing in (frozen
  on the attendance row), in the counts, the coverage and the name lists alike.
- Cancelled sessions and undone marks count nowhere.
- The figures sum ``training_tally`` (each person's counted attendance per year, kept
  by the training services); the name lists read the sign-ins themselves.
- A group for coverage holds, for the year, everyone who signed in, at each unit and
  category they signed in with (covered there), and everyone else as they are now
  (current unit and category; not covered) unless they had left before the year
  began: someone deactivated in June still counts for that year; someone gone since
  last year not. (``active_from`` is when the account was made, often after the year
  reported on, so it does not narrow the group.) So a person who moved after signing
  in is covered at the old unit and is not in the new one's group; one who signed in
  at two units is in both, and once in a group holding both.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from ..core.formatting import Rate
from ..extensions import db
from ..org.models import Category, OrgUnit, UnitKind, User
from ..org.ordering import people_order, unit_order
from ..org.subtrees import child_units, subtree, unit_buckets
from ..training.models import (
    Attendance,
    AttendanceMethod,
    SessionStatus,
    TrainingKind,
    TrainingSession,
    TrainingTally,
)

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
    "training_marks_select",
    "training_uncovered_select",
    "units_not_reached",
    "units_reached",
    "units_reached_by_child",
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


def _signed_ids(year: int) -> sa.Select:
    return sa.select(TrainingTally.user_id).where(TrainingTally.year == year)


def _not_signed(year: int, unit: OrgUnit, categories, unit_kinds) -> sa.Select:
    """People of the subtree as they are now, in the categories and unit kinds, still
    there in the year, who did not sign in that year: the group's uncovered part."""
    query = (
        sa.select(User)
        .join(OrgUnit, User.unit_id == OrgUnit.id)
        .where(
            subtree(OrgUnit.path, unit),
            sa.or_(User.active, User.active_until >= date(year, 1, 1)),
            User.id.not_in(_signed_ids(year)),
        )
    )
    if categories:
        query = query.where(User.category.in_([Category(c) for c in categories]))
    if unit_kinds:
        query = query.where(OrgUnit.kind.in_([UnitKind(k) for k in unit_kinds]))
    return query


def _members(year: int):
    """The year's groups (see the module docstring) as rows (user_id, unit_id, category,
    covered): one per unit and category a person signed in with (covered = 1), and one
    at the current unit and category of each other person still there (covered = 0)."""
    signed = sa.select(
        TrainingTally.user_id.label("user_id"),
        TrainingTally.unit_id.label("unit_id"),
        TrainingTally.category.label("category"),
        sa.literal(1).label("covered"),
    ).where(TrainingTally.year == year)
    not_signed = sa.select(User.id, User.unit_id, User.category, sa.literal(0)).where(
        sa.or_(User.active, User.active_until >= date(year, 1, 1)),
        User.id.not_in(_signed_ids(year)),
    )
    return sa.union_all(signed, not_signed).subquery("members")


def training_coverage(year: int, unit: OrgUnit, categories=None, unit_kinds=None) -> Rate:
    """覆盖率 = group members who signed in (in the group) / group size, each once."""
    members = _members(year)
    query = (
        sa.select(
            sa.func.count(sa.distinct(members.c.user_id)),
            sa.func.count(sa.distinct(sa.case((members.c.covered == 1, members.c.user_id)))),
        )
        .join_from(members, OrgUnit, members.c.unit_id == OrgUnit.id)
        .where(subtree(OrgUnit.path, unit))
    )
    if categories:
        query = query.where(members.c.category.in_([Category(c) for c in categories]))
    if unit_kinds:
        query = query.where(OrgUnit.kind.in_([UnitKind(k) for k in unit_kinds]))
    size, covered = db.session.execute(query).one()
    return Rate(covered, size)


def training_uncovered_select(year: int, unit: OrgUnit, categories=None, unit_kinds=None):
    """未参训名单: the group members with no counted attendance in the year."""
    return _not_signed(year, unit, categories, unit_kinds).order_by(*people_order(OrgUnit.id))


def _attended_in(year: int, unit: OrgUnit, categories, signed_unit) -> sa.Select:
    """FROM the counted sign-ins of ``year`` ⋈ their session ⋈ the unit signed in at
    (``signed_unit``, an alias of OrgUnit), within ``unit``'s subtree and categories."""
    query = (
        sa.select()
        .select_from(Attendance)
        .join(TrainingSession, Attendance.session_id == TrainingSession.id)
        .join(signed_unit, Attendance.unit_id == signed_unit.id)
        .where(
            TrainingSession.year == year,
            TrainingSession.status == SessionStatus.SCHEDULED,
            Attendance.revoked_at.is_(None),
            subtree(signed_unit.path, unit),
        )
    )
    if categories:
        query = query.where(Attendance.category.in_([Category(c) for c in categories]))
    return query


def training_attendees_select(year: int, unit: OrgUnit, categories=None) -> sa.Select:
    """参训名单: one row per person and the unit and category they signed in with (a
    person who signed in at two units has a row at each): User, that unit (OrgUnit),
    the category, 参训次数 (times), 学时 (hours), how many of those sign-ins an admin
    marked by hand (manual, 补录), and the path of the person's current unit (whose
    admins see their phone in full). The rows sum to the figures: Σ times = 参训人次."""
    signed = sa.orm.aliased(OrgUnit, name="signed_unit")
    home = sa.orm.aliased(OrgUnit, name="home_unit")
    manual = sa.case((Attendance.method == AttendanceMethod.MANUAL, 1))
    return (
        _attended_in(year, unit, categories, signed)
        .join(User, Attendance.user_id == User.id)
        .join(home, User.unit_id == home.id)
        .add_columns(
            User,
            signed,
            Attendance.category.label("signed_category"),
            sa.func.count(Attendance.id).label("times"),
            sa.func.sum(TrainingSession.hours).label("hours"),
            sa.func.count(manual).label("manual"),
            home.path.label("home_path"),
        )
        # Grouped rows: the person's unit comes as home_path, not as a joined load.
        .options(sa.orm.lazyload(User.unit), sa.orm.lazyload(User.grants))
        .group_by(User.id, signed.id, Attendance.category, home.id)
        .order_by(*people_order(signed.id))
    )


def training_marks_select(year: int, unit: OrgUnit, categories=None) -> sa.Select:
    """The sign-ins behind training_attendees_select that an admin marked by hand
    (补录): user_id, unit_id, category, reason, the session's start; oldest first."""
    signed = sa.orm.aliased(OrgUnit, name="signed_unit")
    return (
        _attended_in(year, unit, categories, signed)
        .where(Attendance.method == AttendanceMethod.MANUAL)
        .add_columns(
            Attendance.user_id,
            Attendance.unit_id,
            Attendance.category,
            Attendance.reason,
            TrainingSession.starts_at,
        )
        .order_by(TrainingSession.starts_at, Attendance.id)
    )


def _reached_ids(year: int, unit: OrgUnit, kind: UnitKind, categories) -> sa.Select:
    """Ids of the units of ``kind`` in the subtree where someone signed in that year."""
    return (
        _tally_in(year, unit, categories)
        .join(OrgUnit, TrainingTally.unit_id == OrgUnit.id)
        .where(OrgUnit.kind == kind)
        .with_only_columns(OrgUnit.id)
        .distinct()
    )


def _kind_units(unit: OrgUnit, kind: UnitKind) -> sa.Select:
    """The active units of ``kind`` in the subtree: what units_reached divides by."""
    return sa.select(OrgUnit).where(
        subtree(OrgUnit.path, unit), OrgUnit.kind == kind, OrgUnit.active
    )


def units_reached(year: int, unit: OrgUnit, kind: UnitKind, categories=None) -> Rate:
    """Units of ``kind`` in the subtree with at least one attendee, of all such units
    (e.g. the 8 villages whose 两委 cadres took part)."""
    reached = _reached_ids(year, unit, kind, categories).subquery()
    total = _kind_units(unit, kind).with_only_columns(sa.func.count(OrgUnit.id))
    return Rate(
        db.session.scalar(sa.select(sa.func.count()).select_from(reached)),
        db.session.scalar(total),
    )


def units_not_reached(year: int, unit: OrgUnit, kind: UnitKind, categories=None) -> list[OrgUnit]:
    """The units units_reached counts and finds nobody of, in the tree's order: the
    names behind a shortfall (the villages not reached)."""
    reached = _reached_ids(year, unit, kind, categories)
    return list(
        db.session.scalars(
            _kind_units(unit, kind)
            .where(OrgUnit.id.not_in(reached))
            .order_by(unit_order(OrgUnit.id))
        )
    )


def units_reached_by_child(
    year: int, unit: OrgUnit, kind: UnitKind, categories, children: list[OrgUnit]
) -> dict[int, tuple[Rate, list[OrgUnit]]]:
    """units_reached and units_not_reached for each child of ``unit`` at once (two
    queries, however many children): {child id: (rate, the units not reached)}."""
    reached = set(db.session.scalars(_reached_ids(year, unit, kind, categories)))
    found = db.session.scalars(_kind_units(unit, kind).order_by(unit_order(OrgUnit.id))).all()
    out = {}
    for child in children:
        inside = [u for u in found if child.contains(u)]
        missed = [u for u in inside if u.id not in reached]
        out[child.id] = (Rate(len(inside) - len(missed), len(inside)), missed)
    return out


@dataclass(frozen=True)
class TrainingGroups:
    """The year's groups (see the module docstring) in a subtree, by (child-unit
    bucket, category, unit kind). One pass over the people gives training_by_unit's
    coverage and every training_coverage of the overview.

    ``counts``: {key: (group size, who signed in)} of the people with one row in the
    groups (nearly everyone). ``several``: (key, user_id) of those with more than
    one (signed in at two units or under two categories; all of them covered), kept
    by person so that a group holding two of their rows counts them once."""

    counts: dict[tuple, tuple[int, int]]
    several: tuple[tuple[tuple, int], ...] = ()

    def by_bucket(self, categories=None) -> dict[int, tuple[int, int]]:
        wanted = {Category(c) for c in categories or ()}
        out: dict[int, tuple[int, int]] = {}
        for (bucket, category, _kind), (size, covered) in self.counts.items():
            if not wanted or category in wanted:
                before = out.get(bucket, (0, 0))
                out[bucket] = (before[0] + size, before[1] + covered)
        people: dict[int, set[int]] = {}
        for (bucket, category, _kind), user_id in self.several:
            if not wanted or category in wanted:
                people.setdefault(bucket, set()).add(user_id)
        for bucket, ids in people.items():
            before = out.get(bucket, (0, 0))
            out[bucket] = (before[0] + len(ids), before[1] + len(ids))
        return out

    def coverage(self, categories=None, unit_kinds=None) -> Rate:
        """As training_coverage(year, unit, categories, unit_kinds)."""
        wanted = {Category(c) for c in categories or ()}
        kinds = {UnitKind(k) for k in unit_kinds or ()}

        def keep(category, kind):
            return (not wanted or category in wanted) and (not kinds or kind in kinds)

        size = covered = 0
        for (_bucket, category, kind), (n, c) in self.counts.items():
            if keep(category, kind):
                size, covered = size + n, covered + c
        ids = {user_id for (_b, category, kind), user_id in self.several if keep(category, kind)}
        return Rate(covered + len(ids), size + len(ids))


def training_groups(year: int, unit: OrgUnit, children=None) -> TrainingGroups:
    buckets = unit_buckets(unit, child_units(unit) if children is None else children)
    # Two grouped halves, each planned on its own (as one GROUP BY over the union of
    # people and sign-ins, SQLite took twice as long): the people who did not sign
    # in, from the people of each unit (ix_user_unit_people) ...
    not_signed = (
        sa.select(
            buckets.c.bucket,
            User.category,
            buckets.c.kind,
            sa.null().label("person"),
            sa.func.count(User.id),
            sa.literal(0),
        )
        .join(buckets, User.unit_id == buckets.c.unit_id)
        .where(
            sa.or_(User.active, User.active_until >= date(year, 1, 1)),
            User.id.not_in(_signed_ids(year)),
        )
        .group_by(buckets.c.bucket, User.category, buckets.c.kind)
    )
    # ... and those who did, by unit and category at sign-in; someone with more
    # than one such row is kept by person.
    several = _signed_ids(year).group_by(TrainingTally.user_id).having(sa.func.count() > 1)
    person = sa.case((TrainingTally.user_id.in_(several), TrainingTally.user_id))
    signed = (
        sa.select(
            buckets.c.bucket,
            TrainingTally.category,
            buckets.c.kind,
            person,
            sa.func.count(),
            sa.func.count(),
        )
        .join(buckets, TrainingTally.unit_id == buckets.c.unit_id)
        .where(TrainingTally.year == year)
        .group_by(buckets.c.bucket, TrainingTally.category, buckets.c.kind, person)
    )
    counts: dict[tuple, tuple[int, int]] = {}
    many = []
    for bucket, category, kind, user_id, size, covered in db.session.execute(
        sa.union_all(not_signed, signed)
    ):
        group = (bucket, Category(category), UnitKind(kind))
        if user_id is not None:
            many.append((group, user_id))
        else:
            before = counts.get(group, (0, 0))
            counts[group] = (before[0] + size, before[1] + covered)
    return TrainingGroups(counts, tuple(many))


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
