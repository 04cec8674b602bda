"""The district's thresholds (达标要求) for a year: what each town is held to."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.credit import CreditHours
from ..core.db import str_enum
from ..core.time import utcnow
from ..extensions import db
from ..org.models import Category, OrgUnit

# A percentage as the form takes it: 0 to 100, at most one decimal (92.5).
Percent = sa.Numeric(4, 1)


class YearThreshold(db.Model):
    """One district's thresholds for one year; its towns are held to them (a unit
    reads the nearest such row on its path). A percentage left empty is no
    requirement: nothing is judged on it."""

    __tablename__ = "year_threshold"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"))
    year: Mapped[int]
    participation: Mapped[Decimal | None] = mapped_column(Percent)  # 参考率 ≥, 补考 included
    pass_rate: Mapped[Decimal | None] = mapped_column(Percent)  # 通过率 (通过/参考) ≥
    villages: Mapped[Decimal | None] = mapped_column(Percent)  # villages reached by 集中学习 ≥
    # Every leading cadre has made the 2 + 1 choice on each of the year's lists.
    leaders_chosen: Mapped[bool] = mapped_column(default=False)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[OrgUnit] = relationship()

    __table_args__ = (sa.UniqueConstraint("unit_id", "year", name="uq_year_threshold_unit_year"),)

    @property
    def empty(self) -> bool:
        values = (self.participation, self.pass_rate, self.villages)
        return all(v is None for v in values) and not self.leaders_chosen


class CreditTarget(db.Model):
    """The 学时 a person of one 人员类别 is to reach in a year, set by a district for
    its towns (read, like the thresholds, from the nearest row on a unit's path). A
    category without a row has no target: its people are in no 达标率."""

    __tablename__ = "credit_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"))
    year: Mapped[int]
    category: Mapped[Category] = mapped_column(str_enum(Category))
    hours: Mapped[Decimal] = mapped_column(CreditHours)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("unit_id", "year", "category", name="uq_credit_target_unit_year_cat"),
    )
