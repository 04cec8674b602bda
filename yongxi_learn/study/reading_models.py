"""Reading assignments (阅读任务): law articles or a sanitized article (以案释法) given
to an audience, and each person's honest progress (visible-page time, confirmation)."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.credit import CreditHours
from ..core.db import str_enum
from ..core.labels import LabelledEnum
from ..core.media import StoredMedia
from ..core.time import utcnow
from ..extensions import db
from ..laws.models import Law
from ..org.models import OrgUnit, User


class ReadingKind(LabelledEnum):
    ARTICLES = "articles", "法规条文"
    TEXT = "text", "文章（以案释法等）"


class ReadingAssignment(db.Model):
    __tablename__ = "reading_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[ReadingKind] = mapped_column(str_enum(ReadingKind))
    # ARTICLES: a law version and an inclusive range of article numbers (None: all).
    law_id: Mapped[int | None] = mapped_column(sa.ForeignKey("law.id"), index=True)
    article_from: Mapped[int | None]
    article_to: Mapped[int | None]
    # TEXT: HTML cleaned by study/sanitize.py when saved; rendered as stored.
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    audience: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    due_on: Mapped[date | None]
    min_seconds: Mapped[int] = mapped_column(default=180)
    # 学时 credited when confirmed (学时 ledger, stats/credits.py).
    credit_hours: Mapped[Decimal] = mapped_column(
        CreditHours, default=Decimal(0), server_default="0"
    )
    needs_review: Mapped[bool] = mapped_column(default=False, index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner_unit: Mapped[OrgUnit] = relationship()
    law: Mapped[Law | None] = relationship()

    @property
    def body_markup(self) -> Markup:
        # body_html only ever holds the output of study/sanitize.py (cleaned on save).
        return Markup(self.body_html)  # noqa: S704

    @property
    def min_text(self) -> str:
        minutes, seconds = divmod(self.min_seconds, 60)
        if not seconds:
            return f"{minutes}分钟"
        return f"{minutes}分{seconds}秒" if minutes else f"{seconds}秒"


class ReadingProgress(db.Model):
    """Time is counted on the server from heartbeats (readings.py); the client only
    says whether the page is visible and whether the end of the text was reached."""

    __tablename__ = "reading_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("reading_assignment.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    counted_ms: Mapped[int] = mapped_column(default=0)
    # The last heartbeat while the clock runs; None while the page is hidden.
    last_beat_at: Mapped[datetime | None]
    reached_end_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]

    assignment: Mapped[ReadingAssignment] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("assignment_id", "user_id", name="uq_reading_progress_assignment_user"),
    )

    @property
    def seconds(self) -> int:
        return self.counted_ms // 1000


class ReadingAudio(StoredMedia, db.Model):
    """A 语音讲解 of a reading: a short explanation recorded on a phone by an admin who
    manages the reading (study/reading_audio.py); everyone the reading is given to
    hears it on the reading's page."""

    __tablename__ = "reading_audio"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("reading_assignment.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignment: Mapped[ReadingAssignment] = relationship()
    uploaded_by: Mapped[User] = relationship()
