"""An external exam (考试名称, 年度, 组织单位, 合格分数) and its imported results, one per
person."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.credit import CreditHours
from ..core.time import utcnow
from ..extensions import db
from ..org.models import OrgUnit, User

Score = sa.Numeric(6, 2)


class ExternalExam(db.Model):
    """A result sheet from another platform, owned by the unit of the admin who
    imported it (the figures of a unit count only its own subtree's people)."""

    __tablename__ = "external_exam"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(100))
    year: Mapped[int] = mapped_column(index=True)
    organiser: Mapped[str] = mapped_column(sa.String(100), default="")
    pass_mark: Mapped[Decimal | None] = mapped_column(Score)
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner_unit: Mapped[OrgUnit] = relationship()
    results: Mapped[list["ExternalResult"]] = relationship(
        back_populates="exam", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("owner_unit_id", "year", "title", name="uq_external_exam_owner_title"),
    )


class ExternalResult(db.Model):
    __tablename__ = "external_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(
        sa.ForeignKey("external_exam.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    score: Mapped[Decimal | None] = mapped_column(Score)
    passed: Mapped[bool] = mapped_column(default=False)
    sat_on: Mapped[date | None] = mapped_column()
    row_number: Mapped[int] = mapped_column(default=0)  # the sheet's row, for the audit trail
    # The 学时 the other platform credited, as imported (0 when the sheet gives none).
    credit_hours: Mapped[Decimal] = mapped_column(
        CreditHours, default=Decimal(0), server_default="0"
    )

    exam: Mapped[ExternalExam] = relationship(back_populates="results")
    user: Mapped[User] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("exam_id", "user_id", name="uq_external_result_exam_user"),
    )
