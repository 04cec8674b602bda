"""Saved report drafts with their versions, and admins' own report templates."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.time import utcnow
from ..extensions import db
from ..org.models import OrgUnit, User


class ReportDraft(db.Model):
    """The report section of one unit for one year; its text lives in versions."""

    __tablename__ = "report_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"))
    year: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[OrgUnit] = relationship()
    versions: Mapped[list["ReportVersion"]] = relationship(
        back_populates="draft", order_by="ReportVersion.number", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.UniqueConstraint("unit_id", "year", name="uq_report_draft_unit_year"),)


class ReportVersion(db.Model):
    """One saved text. ``figures`` lists the figures the text was drafted with, in text
    order ([{"key", "label", "text", "list"}]), so that a later reading can link each
    number to its names and flag the ones the records no longer bear out."""

    __tablename__ = "report_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("report_draft.id"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    text: Mapped[str] = mapped_column(sa.Text)
    figures: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    draft: Mapped[ReportDraft] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("draft_id", "number", name="uq_report_version_draft_number"),
    )


class ReportTemplate(db.Model):
    """A unit's own wording of the section (Jinja, rendered in a sandbox); units without
    one use the nearest ancestor's, else the default modelled on the 2024 report."""

    __tablename__ = "report_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), unique=True)
    text: Mapped[str] = mapped_column(sa.Text)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    unit: Mapped[OrgUnit] = relationship()
