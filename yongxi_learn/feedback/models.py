"""A complaint or suggestion (意见建议) and its answer."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import str_enum
from ..core.labels import LabelledEnum
from ..core.time import utcnow
from ..extensions import db
from ..org.models import OrgUnit, User


class FeedbackKind(LabelledEnum):
    COMPLAINT = "complaint", "投诉"
    SUGGESTION = "suggestion", "建议"


class Feedback(db.Model):
    __tablename__ = "feedback"
    # The admins' list: open items of a subtree, oldest first.
    __table_args__ = (sa.Index("ix_feedback_open", "answered_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[FeedbackKind] = mapped_column(str_enum(FeedbackKind))
    text: Mapped[str] = mapped_column(sa.Text)
    # 对本镇匿名: the town's admins see "匿名"; a district admin always sees the sender.
    anonymous: Mapped[bool] = mapped_column(default=False)
    sender_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # The sender's unit when sending: whose admins answer it, even after a move.
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer: Mapped[str] = mapped_column(sa.Text, default="")
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    sender: Mapped[User] = relationship(foreign_keys=[sender_id], lazy="joined")
    unit: Mapped[OrgUnit] = relationship(lazy="joined", innerjoin=True)
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id], lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.answered_at is None
