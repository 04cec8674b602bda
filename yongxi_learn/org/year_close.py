"""Closed years (年度关账): the record of a unit's year, and the guard every service that
changes a year's records calls.

A close is per unit (a 镇/街道 or the 区) and year. While it stands (not reopened), every
record of that year whose figures it holds is frozen: the records of the closed unit's
subtree, and the records of a unit above it, whose figures reach into it (a district's
exam enrols a closed town's people). A change concerning a person (their attempt, their
sign-in, their choice) is also frozen when the person's own unit is in a closed subtree.

Closing, the frozen figures and reopening are done in ``cycle`` (the rules of who may do
them are there); this module only holds the rows and answers "may this year still change
here?", in one small query.
"""

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.time import utcnow
from ..extensions import db
from .models import OrgUnit, User


class YearClosed(Exception):
    """A change to a record of a closed year; the message is shown."""


def message(year: int) -> str:
    return f"{year}年度已关账，记录不再更改。如需更正，请区管理员重新开放该年度。"


class YearClose(db.Model):
    """One close of one unit's year. A reopened close stays as history (``reopened_at``
    set, with who and why); closing again adds a new row with a new snapshot. At most
    one close of a unit's year stands at a time."""

    __tablename__ = "year_close"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    closed_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # The unit's figures of the year as the report prints them, at the close:
    # [{"key", "label", "text"}] (cycle.closing writes them from reports.figures).
    figures: Mapped[list] = mapped_column(sa.JSON, default=list)
    # The report version frozen as the year's record (reports.models.ReportVersion.id; a
    # plain id so that org knows no report), None: the unit had no report draft.
    report_version_id: Mapped[int | None]
    report_version_number: Mapped[int | None]
    reopened_at: Mapped[datetime | None]
    reopened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    reopen_reason: Mapped[str] = mapped_column(sa.String(500), default="")

    unit: Mapped[OrgUnit] = relationship()
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    reopened_by: Mapped[User | None] = relationship(foreign_keys=[reopened_by_id])

    __table_args__ = (
        # One standing close per unit and year, on both databases.
        sa.Index(
            "uq_year_close_standing",
            "unit_id",
            "year",
            unique=True,
            sqlite_where=sa.text("reopened_at IS NULL"),
            postgresql_where=sa.text("reopened_at IS NULL"),
        ),
    )

    @property
    def standing(self) -> bool:
        return self.reopened_at is None


def _unit(unit: OrgUnit | int | None) -> OrgUnit | None:
    if unit is None or isinstance(unit, OrgUnit):
        return unit
    return db.session.get(OrgUnit, unit)  # mostly from the identity map: no query


def standing_paths(year: int) -> list[str]:
    """The paths of the units whose ``year`` is closed now."""
    query = (
        sa.select(OrgUnit.path)
        .join(YearClose, YearClose.unit_id == OrgUnit.id)
        .where(YearClose.year == year, YearClose.reopened_at.is_(None))
    )
    return list(db.session.scalars(query))


def frozen(
    unit: OrgUnit | int | None,
    year: int | None,
    people_units: Iterable = (),
    *,
    below: bool = True,
) -> bool:
    """Whether a record of ``year`` owned by ``unit`` (and concerning people of
    ``people_units``) lies in a closed year's figures. ``below=False``: only closes of
    the unit itself and above count (a unit's own report is not in a town's figures)."""
    if year is None:
        return False
    owner = _unit(unit)
    people = [u for u in (_unit(p) for p in people_units) if u is not None]
    paths = standing_paths(year)
    if not paths:
        return False
    for closed in paths:
        if owner is not None and owner.path.startswith(closed):
            return True
        if owner is not None and below and closed.startswith(owner.path):
            return True
        if any(person.path.startswith(closed) for person in people):
            return True
    return False


def ensure_year_open(
    unit: OrgUnit | int | None,
    year: int | None,
    *,
    people_units: Iterable = (),
    below: bool = True,
    error: type[Exception] = YearClosed,
) -> None:
    """Refuse (``error`` with the Chinese message, so each feature's pages show it as
    they show their own refusals) a change to a record of a closed year."""
    if frozen(unit, year, people_units, below=below):
        raise error(message(year))


def standing_close(unit: OrgUnit, year: int) -> YearClose | None:
    """The unit's own standing close of ``year``."""
    return db.session.scalar(
        sa.select(YearClose).where(
            YearClose.unit_id == unit.id, YearClose.year == year, YearClose.reopened_at.is_(None)
        )
    )


def history(unit: OrgUnit, year: int) -> list[YearClose]:
    """Every close of the unit's year, newest first (reopened ones included)."""
    query = (
        sa.select(YearClose)
        .where(YearClose.unit_id == unit.id, YearClose.year == year)
        .order_by(YearClose.id.desc())
    )
    return list(db.session.scalars(query))
