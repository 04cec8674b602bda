"""What every figure shares: rates that never divide by zero, and who may see the
figures of which unit. The split of a unit subtree into its child units is
``org.subtrees``."""

import sqlalchemy as sa

from ..core.formatting import NO_FIGURE, format_percent, percent  # noqa: F401  (NO_FIGURE re-exported)
from ..extensions import db
from ..org.models import OrgUnit, User
from ..org.permissions import Perm, PermissionDenied, can, ensure, scope_units

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
