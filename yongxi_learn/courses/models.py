"""Courses (课程): an admin's sequence of parts — a reading, law articles, a training
session's materials, an uploaded audio or video — ending with an optional quiz; each
learner's progress on the parts, and the completion that carries the declared 学时.

Credit comes from completion, never from minutes (DESIGN §0/§3): a media part's last
position is stored only so the learner themself can resume; no page for anyone else
reads it.
"""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import str_enum
from ..core.labels import LabelledEnum
from ..core.media import MediaKind, duration_text
from ..core.time import utcnow
from ..extensions import db
from ..laws.models import Law
from ..org.models import OrgUnit

Hours = sa.Numeric(4, 1)


class CourseStatus(LabelledEnum):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class PartKind(LabelledEnum):
    READING = "reading", "阅读任务"
    ARTICLES = "articles", "法规条文"
    SESSION = "session", "集中学习材料"
    MEDIA = "media", "音视频"


class Course(db.Model):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # 学时 as declared; a completion keeps the value it was completed under.
    credit_hours: Mapped[Decimal] = mapped_column(Hours, default=Decimal(1))
    # {"units": [ids], "categories": [values], "people": [ids]}: see org/audience.py.
    audience: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    due_on: Mapped[date | None]
    status: Mapped[CourseStatus] = mapped_column(str_enum(CourseStatus), default=CourseStatus.DRAFT)
    published_at: Mapped[datetime | None]
    # The closing quiz: quiz_size questions drawn from the learner's question banks
    # (optionally of one law), passed at quiz_pass_percent of the full score; 0: none.
    quiz_size: Mapped[int] = mapped_column(default=0)
    quiz_pass_percent: Mapped[int] = mapped_column(default=60)
    quiz_law_ref: Mapped[str] = mapped_column(sa.String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner_unit: Mapped[OrgUnit] = relationship()
    parts: Mapped[list["CoursePart"]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="CoursePart.position"
    )

    @property
    def published(self) -> bool:
        return self.status is CourseStatus.PUBLISHED


class CourseMedia(db.Model):
    """An uploaded audio or video file, stored as instance/media/<stored_name>: a name
    the server chose, never the uploader's filename."""

    __tablename__ = "course_media"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[MediaKind] = mapped_column(str_enum(MediaKind))
    mime: Mapped[str] = mapped_column(sa.String(40))
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    duration_seconds: Mapped[int | None]
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner_unit: Mapped[OrgUnit] = relationship()

    @property
    def duration_text(self) -> str:
        return duration_text(self.duration_seconds)


class CoursePart(db.Model):
    """One part of a course, in ``position`` order. Which columns are set depends on
    the kind: READING reading_id; ARTICLES law_id (+ an inclusive article range, None:
    the whole law); SESSION session_id (its topic, laws and notes are the material);
    MEDIA media_id."""

    __tablename__ = "course_part"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[PartKind] = mapped_column(str_enum(PartKind))
    title: Mapped[str] = mapped_column(sa.String(200))
    reading_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("reading_assignment.id"), index=True
    )
    law_id: Mapped[int | None] = mapped_column(sa.ForeignKey("law.id"), index=True)
    article_from: Mapped[int | None]
    article_to: Mapped[int | None]
    session_id: Mapped[int | None] = mapped_column(sa.ForeignKey("training_session.id"), index=True)
    media_id: Mapped[int | None] = mapped_column(sa.ForeignKey("course_media.id"), index=True)

    course: Mapped[Course] = relationship(back_populates="parts")
    law: Mapped[Law | None] = relationship()
    media: Mapped[CourseMedia | None] = relationship()


class PartProgress(db.Model):
    """A learner's progress on one part. ``position_seconds`` (media) is where they
    stopped, read only by the learner's own page to resume; never shown to anyone
    else, never summed, never credit."""

    __tablename__ = "course_part_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(sa.ForeignKey("course_part.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    done_at: Mapped[datetime | None]
    position_seconds: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("part_id", "user_id", name="uq_course_part_progress_part_user"),
    )


class CourseQuiz(db.Model):
    """A quiz drawn for one learner of a course: a personal practice exam
    (exams.taking.practice.start_quiz), so it is in no exam figure."""

    __tablename__ = "course_quiz"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("exam.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CourseCompletion(db.Model):
    """Written once, when every part is done and the quiz (if any) passed; carries the
    学时 declared at that moment (the 学时 ledger reads it, courses.ledger)."""

    __tablename__ = "course_completion"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    completed_at: Mapped[datetime]
    credit_hours: Mapped[Decimal] = mapped_column(Hours)

    __table_args__ = (
        sa.UniqueConstraint("course_id", "user_id", name="uq_course_completion_course_user"),
    )
