"""Who may do what, and where.

Every person is a learner. Grants add a role over a unit subtree. Services call
``ensure`` on the unit an object belongs to, and filter lists with ``scope_filter``;
views only use ``require`` to keep out people without the permission anywhere.
"""

import enum
from functools import wraps

import sqlalchemy as sa
from flask import abort
from flask_login import current_user, login_required

from ..core.exceptions import PermissionDenied
from .models import OrgUnit, Role, User


class Perm(enum.StrEnum):
    VIEW_PEOPLE = "view_people"
    MANAGE_PEOPLE = "manage_people"
    MANAGE_UNITS = "manage_units"
    GRANT_ROLES = "grant_roles"
    VIEW_AUDIT = "view_audit"
    VIEW_EXAMS = "view_exams"
    MANAGE_EXAMS = "manage_exams"
    VIEW_TRAINING = "view_training"
    MANAGE_TRAINING = "manage_training"
    VIEW_STUDY = "view_study"
    MANAGE_STUDY = "manage_study"
    VIEW_STATS = "view_stats"
    MANAGE_REPORTS = "manage_reports"  # draft, edit and word the report section
    # Read and answer the 意见建议 sent from the subtree (feedback/); an ADMIN's only.
    ANSWER_FEEDBACK = "answer_feedback"
    # Download the 备案 information sheet (feedback/filing.py): no personal data in it.
    FILING_SHEET = "filing_sheet"
    SET_THRESHOLDS = "set_thresholds"  # a district's yearly 达标要求 (stats.thresholds)
    # Close a unit's year and reopen it for a correction (cycle/closing.py): an ADMIN's only.
    CLOSE_YEAR = "close_year"


ROLE_PERMS: dict[Role, frozenset[Perm]] = {
    Role.ADMIN: frozenset(Perm),
    # A unit admin chases their own people; the content and the papers are the town's.
    Role.UNIT_ADMIN: frozenset(
        {
            Perm.VIEW_PEOPLE,
            Perm.MANAGE_PEOPLE,
            Perm.VIEW_EXAMS,
            Perm.VIEW_TRAINING,
            Perm.VIEW_STUDY,
            Perm.VIEW_STATS,
        }
    ),
    # 审阅人 (auditors): every figure and list, no change.
    Role.REVIEWER: frozenset(
        {Perm.VIEW_PEOPLE, Perm.VIEW_EXAMS, Perm.VIEW_TRAINING, Perm.VIEW_STUDY, Perm.VIEW_STATS}
    ),
}


def scope_units(user: User, perm: Perm) -> list[OrgUnit]:
    """The roots of the subtrees where ``user`` holds ``perm``."""
    if not user.is_authenticated or not user.active:
        return []
    return [g.unit for g in user.grants if perm in ROLE_PERMS[g.role] and g.unit.active]


def can(user: User, perm: Perm, unit: OrgUnit | None = None) -> bool:
    """Whether ``user`` holds ``perm`` over ``unit`` (or anywhere, if unit is None)."""
    roots = scope_units(user, perm)
    if unit is None:
        return bool(roots)
    return any(root.contains(unit) for root in roots)


def held(user: User) -> frozenset[Perm]:
    """Every permission ``user`` holds somewhere: ``can(user, perm)`` for each at once
    (what the navigation offers)."""
    if not user.is_authenticated or not user.active:
        return frozenset()
    return frozenset().union(*(ROLE_PERMS[g.role] for g in user.grants if g.unit.active))


def ensure(user: User, perm: Perm, unit: OrgUnit) -> None:
    if not can(user, perm, unit):
        raise PermissionDenied(perm)


def scope_filter(user: User, perm: Perm, path_column=OrgUnit.path):
    """A WHERE clause limiting ``path_column`` to the user's subtrees for ``perm``."""
    roots = scope_units(user, perm)
    if not roots:
        return sa.false()
    return sa.or_(*(path_column.startswith(root.path, autoescape=True) for root in roots))


def require(perm: Perm):
    """View decorator: logged in and holding ``perm`` over some unit, else 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not can(current_user, perm):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
