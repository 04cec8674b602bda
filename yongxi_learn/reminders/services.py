"""Logging a reminder the admin sent (已发送催办), and the past ones of an item."""

from datetime import date, datetime

import sqlalchemy as sa

from ..extensions import db
from ..org.models import OrgUnit
from ..org.permissions import ensure
from ..org.services import Actor, audit_as
from ..org.year_close import ensure_year_open
from .models import Reminder
from .sources import CHASE, Behind, Target


class ReminderError(Exception):
    """A reminder that cannot be logged; the message is shown."""


def log_sent(
    t: Target,
    unit: OrgUnit,
    people: list[Behind],
    due: date | None,
    *,
    actor: Actor,
    now: datetime,
) -> Reminder:
    """Record that the message listing ``people`` was sent for ``t`` in ``unit``."""
    if actor.user is not None:
        ensure(actor.user, CHASE, unit)
        ensure(actor.user, t.perm, unit)
    ensure_year_open(unit, t.year, error=ReminderError)
    if not people:
        raise ReminderError("没有需要催办的人员")
    row = Reminder(
        kind=t.kind,
        object_id=t.obj.id,
        title=t.title[:200],
        unit_id=unit.id,
        due_on=due,
        people=[p.user_id for p in people],
        people_count=len(people),
        sent_by_id=actor.user.id if actor.user is not None else None,
        sent_at=now,
    )
    db.session.add(row)
    db.session.flush()
    detail = f"{t.kind_label}《{t.title}》，{unit.name}，{len(people)}人"
    audit_as(actor, "reminder.sent", row, detail)
    return row


def past(t: Target, units: list[OrgUnit]) -> list[Reminder]:
    """The reminders logged for ``t`` in the subtrees of ``units`` (the viewer's), newest first."""
    if not units:
        return []
    in_units = sa.or_(*(OrgUnit.path.startswith(u.path, autoescape=True) for u in units))
    query = (
        sa.select(Reminder)
        .join(OrgUnit, Reminder.unit_id == OrgUnit.id)
        .where(Reminder.kind == t.kind, Reminder.object_id == t.obj.id, in_units)
        .order_by(Reminder.sent_at.desc(), Reminder.id.desc())
    )
    return list(db.session.scalars(query))
