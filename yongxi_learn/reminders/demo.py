"""Demo: one 催办 logged for this year's open reading in one village, as its town's
admin would have sent it, so the 已发送的催办 list is not empty."""

from collections.abc import Collection
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..core.time import to_local
from ..extensions import db
from ..org.models import OrgUnit, Role, RoleGrant, UnitKind, User
from ..org.services import Actor
from ..study.reading_models import ReadingAssignment
from . import services
from .models import Reminder
from .sources import behind, target


def seed(
    town: OrgUnit | None, *, track, now: datetime, keep_open: Collection[int] = ()
) -> list[str]:
    if town is None or db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)):
        return []
    admin = db.session.scalar(
        sa.select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == Role.ADMIN, RoleGrant.unit_id == town.id)
        .order_by(User.id)
    )
    reading = db.session.scalar(
        sa.select(ReadingAssignment)
        .where(
            ReadingAssignment.owner_unit_id == town.id,
            ReadingAssignment.due_on >= to_local(now).date(),
        )
        .order_by(ReadingAssignment.due_on)
    )
    village = db.session.scalar(
        sa.select(OrgUnit)
        .where(OrgUnit.parent_id == town.id, OrgUnit.kind == UnitKind.VILLAGE)
        .order_by(OrgUnit.id)
    )
    if admin is None or reading is None or village is None:
        return []
    t = target("reading", reading.id, admin)
    people = behind(t, village, admin)
    if not people:
        return []
    sent = now - timedelta(days=1)
    services.log_sent(t, village, people, t.due, actor=Actor(admin, "demo"), now=sent)
    return [f"已记录一次催办：{village.name}{len(people)}人（阅读任务“{reading.title}”）。"]
