"""What the study services share: their exception, permission checks, auditing, and
which lists and readings a viewer may see."""

import sqlalchemy as sa

from ..core.exceptions import NotFound
from ..extensions import db
from ..org import audience as audience_module
from ..org import audit
from ..org.audience import AudienceError
from ..org.models import OrgUnit, User
from ..org.permissions import Perm, can, ensure, scope_units
from ..org.services import Actor
from ..org.year_close import ensure_year_open


class StudyError(Exception):
    """A change that cannot be made; the message is shown to the person."""


def record(actor: Actor, action: str, obj, detail: str = "") -> None:
    audit.record(action, actor=actor.user, address=actor.address, obj=obj, detail=detail)


def ensure_manage(actor: Actor, unit: OrgUnit) -> None:
    # The system actor (CLI, demo data) is trusted; people are checked.
    if actor.user is not None:
        ensure(actor.user, Perm.MANAGE_STUDY, unit)


def ensure_year_not_closed(unit: OrgUnit, year: int | None, people_units=()) -> None:
    """A closed year's (年度关账) lists, readings, choices and progress stay as recorded."""
    ensure_year_open(unit, year, people_units=people_units, error=StudyError)


def check_audience(audience: dict, owner: OrgUnit, noun: str) -> None:
    try:
        audience_module.check(audience, owner, noun=noun)
    except AudienceError as exc:
        raise StudyError(str(exc)) from exc


def people_by_phones(text: str, owner: OrgUnit) -> list[int]:
    try:
        return audience_module.people_by_phones(text, owner)
    except AudienceError as exc:
        raise StudyError(str(exc)) from exc


def in_audience(audience: dict, user: User) -> bool:
    return audience_module.includes(audience, user)


def owned_above(user: User, owner_path) -> sa.ColumnElement[bool]:
    """Owned by the person's unit or one of its ancestors (whose audience may hold them).
    Paths hold only digits and slashes: nothing to escape in the LIKE pattern."""
    return sa.literal(user.unit.path).startswith(owner_path)


def visible_owner(user: User, owner_path) -> sa.ColumnElement[bool]:
    """Owned inside the viewer's VIEW_STUDY subtrees, or above them: a village admin
    follows the town's list for the village's people."""
    roots = scope_units(user, Perm.VIEW_STUDY)
    if not roots:
        return sa.false()
    return sa.or_(
        *(
            sa.or_(
                owner_path.startswith(root.path, autoescape=True),
                sa.literal(root.path).startswith(owner_path),
            )
            for root in roots
        )
    )


def may_view(user: User, owner: OrgUnit) -> bool:
    return any(
        root.contains(owner) or owner.contains(root) for root in scope_units(user, Perm.VIEW_STUDY)
    )


def get_visible(model, object_id: int, *, user: User, manage: bool = False):
    """The list or reading if ``user`` may see it (or manage it), else NotFound."""
    obj = db.session.get(model, object_id)
    if obj is None:
        raise NotFound
    ok = can(user, Perm.MANAGE_STUDY, obj.owner_unit) if manage else may_view(user, obj.owner_unit)
    if not ok:
        raise NotFound
    return obj


def viewer_unit(user: User, unit_id: int | None, within: OrgUnit) -> OrgUnit | None:
    """The unit to cut a list of people by: one the viewer holds VIEW_STUDY over and
    that lies within ``within`` (the owner), else None (the viewer's whole scope)."""
    if not unit_id:
        return None
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or not can(user, Perm.VIEW_STUDY, unit):
        raise NotFound
    if not (within.contains(unit) or unit.contains(within)):
        raise NotFound
    return unit
