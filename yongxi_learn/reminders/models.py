"""A reminder an admin says they sent (已发送催办): what, for which unit, who was listed,
by whom, when. Never shown to the learners and never counted per person."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.time import utcnow
from ..extensions import db
from ..org.models import OrgUnit, User


class Reminder(db.Model):
    __tablename__ = "reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What was chased: "exam", "list", "reading", "session" or "course" and its id (a
    # plain id: the features know nothing of reminders).
    kind: Mapped[str] = mapped_column(sa.String(20))
    object_id: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    due_on: Mapped[date | None]
    # The ids of the people listed when it was sent (ids, not the message's names: the
    # retention purge anonymises a person in one place, the user row).
    people: Mapped[list] = mapped_column(sa.JSON, default=list)
    people_count: Mapped[int] = mapped_column(default=0)
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[OrgUnit] = relationship()
    sent_by: Mapped[User | None] = relationship()

    __table_args__ = (sa.Index("ix_reminder_object", "kind", "object_id"),)
