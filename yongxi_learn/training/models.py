"""Training sessions (集中学习) and who attended them.

A session belongs to the unit that organised it; an attendance keeps the unit and
category the person had when they signed in, so later moves do not change the
figures of past years (as an exam's enrolment does).
"""

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import str_enum
from ..core.labels import LabelledEnum
from ..core.time import utcnow
from ..extensions import db
from ..org.models import Category, OrgUnit, User

Hours = sa.Numeric(4, 1)


class KindCode(enum.StrEnum):
    """The built-in kinds the report counts by name; admins may add more kinds."""

    CENTRE_GROUP = "centre_group"
    TOPIC = "topic"
    LECTURE_HALL = "lecture_hall"
    EXPERT = "expert"
    CASE = "case"
    OTHER = "other"


DEFAULT_KINDS = {
    KindCode.CENTRE_GROUP: "党委理论学习中心组专题学习",
    KindCode.TOPIC: "法治专题学习",
    KindCode.LECTURE_HALL: "法治讲堂",
    KindCode.EXPERT: "专家授课",
    KindCode.CASE: "以案释法",
    KindCode.OTHER: "其他",
}


class TrainingKind(db.Model):
    __tablename__ = "training_kind"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    # Set on the built-in kinds only; the report finds "法治专题学习" by its code.
    code: Mapped[KindCode | None] = mapped_column(str_enum(KindCode), unique=True)
    # The unit whose admins added it; its subtree uses it. None: built in, for everyone.
    owner_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    owner_unit: Mapped["OrgUnit | None"] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("owner_unit_id", "name", name="uq_training_kind_owner_name"),
    )


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"  # kept with its record, left out of every figure


class TrainingSession(db.Model):
    __tablename__ = "training_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    kind_id: Mapped[int] = mapped_column(sa.ForeignKey("training_kind.id"), index=True)
    topic: Mapped[str] = mapped_column(sa.String(200))
    # The Beijing-time year of the start, kept for the figures' WHERE year = ...
    year: Mapped[int] = mapped_column(index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(sa.String(100), default="")
    lecturer: Mapped[str] = mapped_column(sa.String(100), default="")
    lecturer_external: Mapped[bool] = mapped_column(default=False)  # 外请专家
    # What the session covered beyond the linked laws (习近平法治思想, a case...).
    laws: Mapped[str] = mapped_column(sa.String(500), default="")
    hours: Mapped[Decimal] = mapped_column(Hours, default=Decimal(2))
    # {"units": [ids], "categories": [values], "people": [ids]}: see org/audience.py.
    audience: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[SessionStatus] = mapped_column(
        str_enum(SessionStatus), default=SessionStatus.SCHEDULED
    )
    cancel_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner_unit: Mapped[OrgUnit] = relationship()
    kind: Mapped[TrainingKind] = relationship(lazy="joined", innerjoin=True)
    law_links: Mapped[list["SessionLaw"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionLaw.id"
    )

    @property
    def cancelled(self) -> bool:
        return self.status is SessionStatus.CANCELLED


class SessionLaw(db.Model):
    """A law (one version in the library) a session covered. When the law is amended
    the link is flagged 待复核 until an admin saves the session again."""

    __tablename__ = "training_session_law"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("training_session.id"))
    law_id: Mapped[int] = mapped_column(sa.ForeignKey("law.id"), index=True)
    needs_review: Mapped[bool] = mapped_column(default=False)

    session: Mapped[TrainingSession] = relationship(back_populates="law_links")
    law = relationship("Law", lazy="joined", innerjoin=True)

    __table_args__ = (
        sa.UniqueConstraint("session_id", "law_id", name="uq_training_session_law_session_law"),
    )


class AttendanceMethod(LabelledEnum):
    QR = "qr", "扫码签到"  # scanned the projector's QR code
    CODE = "code", "签到码"  # typed the 6-digit code
    MANUAL = "manual", "管理员补录"  # marked by an admin, with a reason


class Attendance(db.Model):
    """One person at one session. Undoing a wrong mark keeps the row (revoked_at set),
    so the audit trail and a later re-mark stay on the same record."""

    __tablename__ = "training_attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("training_session.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    category: Mapped[Category] = mapped_column(str_enum(Category))
    signed_at: Mapped[datetime]
    method: Mapped[AttendanceMethod] = mapped_column(str_enum(AttendanceMethod))
    walk_in: Mapped[bool] = mapped_column(default=False)  # 非应参加
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    revoke_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    # The sign-in link (ticket) used, unique: one link signs in one person. None for
    # an admin's mark and for rows older than the rule.
    ticket: Mapped[str | None] = mapped_column(sa.String(16), unique=True)
    # The device cookie of the browser that scanned (or typed the code): rows sharing
    # it came from one phone's scans, which the admin's page points out.
    scan_id: Mapped[str | None] = mapped_column(sa.String(32))

    session: Mapped[TrainingSession] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)
    unit: Mapped[OrgUnit] = relationship()
    marked_by: Mapped[User | None] = relationship(foreign_keys=[marked_by_id])

    __table_args__ = (
        sa.UniqueConstraint("session_id", "user_id", name="uq_training_attendance_session_user"),
    )

    @property
    def counted(self) -> bool:
        return self.revoked_at is None


class TrainingTally(db.Model):
    """Per year and person, their counted attendance (not undone, at a session held
    that year), by the unit and category they signed in with: how many times and
    hours. Kept by the training services (``training.tally``) in the same
    transaction as the sign-ins; the figures sum its ~20,000 rows a year at district
    size instead of joining every sign-in to its session."""

    __tablename__ = "training_tally"

    year: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), primary_key=True)
    category: Mapped[Category] = mapped_column(str_enum(Category), primary_key=True)
    times: Mapped[int]
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(8, 1))
