"""What every figure shares: rates that never divide by zero, and the split of a
unit subtree into its child units, done by the database in one GROUP BY."""

import sqlalchemy as sa

from ..core.formatting import NO_FIGURE, format_percent, percent  # noqa: F401  (NO_FIGURE re-exported)
from ..extensions import db
from ..org.models import OrgUnit, User
from ..org.permissions import Perm, PermissionDenied, can, ensure, scope_units


def subtree(path_column, unit: OrgUnit):
    """WHERE ``path_column`` lies in ``unit``'s subtree (an indexed range scan)."""
    return path_column.startswith(unit.path, autoescape=True)


def child_units(root: OrgUnit) -> list[OrgUnit]:
    return list(
        db.session.scalars(
            sa.select(OrgUnit)
            .where(OrgUnit.parent_id == root.id)
            .order_by(OrgUnit.sort_order, OrgUnit.id)
        )
    )


def child_bucket(path_column, root: OrgUnit, children: list[OrgUnit]):
    """A SQL expression giving, for a row under ``root``, the id of the child unit whose
    subtree holds it, or ``root.id`` for rows of the root unit itself. GROUP BY it to
    get one row per child unit (办公室, 石佛村...) in one query."""
    if not children:
        return sa.literal(root.id)
    return sa.case(
        *((path_column.startswith(c.path, autoescape=True), c.id) for c in children),
        else_=root.id,
    )


def unit_buckets(root: OrgUnit, children: list[OrgUnit]):
    """A subquery (unit_id, path, kind, bucket): each unit of ``root``'s subtree with its
    child_bucket. Join rows to it on their unit and GROUP BY ``bucket``: the CASE then
    runs once per unit (a few hundred) instead of once per row (20,000 people,
    100,000 sign-ins), and the grouping key is a plain integer. A MATERIALIZED common
    table expression: as a plain subquery SQLite merged it into the outer query and
    ran the CASE for every row again."""
    unit = sa.orm.aliased(OrgUnit, name="bucket_unit")
    return (
        sa.select(
            unit.id.label("unit_id"),
            unit.path.label("path"),
            unit.kind.label("kind"),
            child_bucket(unit.path, root, children).label("bucket"),
        )
        .where(subtree(unit.path, root))
        .cte("buckets")
        .prefix_with("MATERIALIZED")
    )


# ---------------------------------------------------------------- who may see what


class StatsError(Exception):
    """A figure that cannot be given (a practice paper, an unknown unit); the message
    is shown."""


def ensure_view(user: User | None, unit: OrgUnit) -> None:
    """``user`` may see figures of ``unit``'s subtree; None is the system (the CLI)."""
    if user is not None:
        ensure(user, Perm.VIEW_STATS, unit)


def scope_roots(user: User) -> list[OrgUnit]:
    """The roots of the subtrees whose figures ``user`` may see, outermost first."""
    return sorted(scope_units(user, Perm.VIEW_STATS), key=lambda u: (u.depth, u.id))


def get_unit(unit_id: int | None, user: User | None) -> OrgUnit:
    """The unit asked for, or the user's scope root when none is; PermissionDenied for a
    unit out of scope (also an unknown id, so ids cannot be probed)."""
    if unit_id is None and user is not None:
        roots = scope_roots(user)
        if not roots:
            raise PermissionDenied(Perm.VIEW_STATS)
        return roots[0]
    unit = db.session.get(OrgUnit, unit_id) if unit_id is not None else None
    if unit is None:
        raise PermissionDenied(Perm.VIEW_STATS) if user is not None else StatsError("没有该单位")
    ensure_view(user, unit)
    return unit


def unit_trail(unit: OrgUnit, user: User | None) -> list[OrgUnit]:
    """The units from the user's scope root down to ``unit``, for a breadcrumb."""
    ids = unit.path_ids
    units = {u.id: u for u in db.session.scalars(sa.select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    trail = [units[i] for i in ids if i in units]
    return [u for u in trail if user is None or can(user, Perm.VIEW_STATS, u)]
