"""Question bank, exams and their papers, enrolment, attempts (and their sheets).

Money-like quantities (scores) are Numeric(6, 2): half points exist, floats would
make 60 become 59.999. Times are naive UTC, as everywhere.
"""

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.credit import CreditHours
from ..core.db import str_enum
from ..core.labels import LabelledEnum
from ..core.time import utcnow
from ..extensions import db
from ..external.models import ExternalExam
from ..laws.models import Law, LawArticle
from ..org.models import Category, OrgUnit, User

Score = sa.Numeric(6, 2)


class QuestionType(LabelledEnum):
    SINGLE = "single", "单选"
    MULTI = "multi", "多选"
    JUDGE = "judge", "判断"


QUESTION_TYPE_LABELS = QuestionType.labels()
# A 判断 question is stored with these two options; its answer is "A" or "B".
JUDGE_OPTIONS = ["正确", "错误"]
DIFFICULTY_LABELS = {1: "易", 2: "中", 3: "难"}


class QuestionStatus(enum.StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"  # withdrawn by an admin; kept for attempts that used it
    SUPERSEDED = "superseded"  # replaced by a newer version after it was used


class QuestionCategory(db.Model):
    """题库分类, owned by a unit (a town's bank, or the district's)."""

    __tablename__ = "question_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner_unit: Mapped[OrgUnit] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("owner_unit_id", "name", name="uq_question_category_owner_name"),
    )


class Question(db.Model):
    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("question_category.id"), index=True
    )
    type: Mapped[QuestionType] = mapped_column(str_enum(QuestionType))
    stem: Mapped[str] = mapped_column(sa.Text)
    # Option texts in their canonical order A, B, C...; 2 to 6 of them.
    options: Mapped[list[str]] = mapped_column(sa.JSON)
    # Canonical letters, sorted: "B", "AC"; 判断: "A" (正确) or "B" (错误).
    answer: Mapped[str] = mapped_column(sa.String(6))
    explanation: Mapped[str] = mapped_column(sa.Text, default="")
    difficulty: Mapped[int] = mapped_column(default=2)
    score: Mapped[Decimal] = mapped_column(Score, default=Decimal(2))
    tags: Mapped[str] = mapped_column(sa.String(200), default="")
    # The law version and article asked about (the law library). law_ref and
    # article_ref keep the text: the law's title and the article's label when linked,
    # free text on older rows; the exam draw rules filter on law_ref.
    law_id: Mapped[int | None] = mapped_column(sa.ForeignKey("law.id"), index=True)
    article_id: Mapped[int | None] = mapped_column(sa.ForeignKey("law_article.id"), index=True)
    law_ref: Mapped[str] = mapped_column(sa.String(200), default="", index=True)
    article_ref: Mapped[str] = mapped_column(sa.String(100), default="")
    status: Mapped[QuestionStatus] = mapped_column(
        str_enum(QuestionStatus), default=QuestionStatus.ACTIVE, index=True
    )
    # Versions: editing a question an attempt has used makes a new row with the same
    # root_id and version + 1; the old row becomes SUPERSEDED and keeps what was asked.
    root_id: Mapped[int | None] = mapped_column(sa.ForeignKey("question.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    needs_review: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    category: Mapped[QuestionCategory | None] = relationship(lazy="joined")
    owner_unit: Mapped[OrgUnit] = relationship()
    law: Mapped["Law | None"] = relationship()
    article: Mapped["LawArticle | None"] = relationship()


class ExamKind(LabelledEnum):
    FORMAL = "formal", "正式考试"
    MAKEUP = "makeup", "补考"
    PRACTICE = "practice", "练习"


class ReviewPolicy(LabelledEnum):
    IMMEDIATE = "immediate", "交卷后立即"
    AFTER_CLOSE = "after_close", "考试结束后"
    NEVER = "never", "不显示"


class ExamStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"  # enrolment frozen; open between opens_at and closes_at
    CANCELLED = "cancelled"


class Exam(db.Model):
    """An exam: its paper (questions fixed or drawn by rules), scoring, window and audience."""

    __tablename__ = "exam"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[ExamKind] = mapped_column(str_enum(ExamKind), default=ExamKind.FORMAL)
    # A 补考 points at the formal exam whose figures it completes.
    parent_exam_id: Mapped[int | None] = mapped_column(sa.ForeignKey("exam.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    status: Mapped[ExamStatus] = mapped_column(str_enum(ExamStatus), default=ExamStatus.DRAFT)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    time_limit_minutes: Mapped[int | None]  # None: untimed (practice)
    pass_score: Mapped[Decimal] = mapped_column(Score, default=Decimal(60))
    max_attempts: Mapped[int] = mapped_column(default=1)
    shuffle_questions: Mapped[bool] = mapped_column(default=True)
    shuffle_options: Mapped[bool] = mapped_column(default=True)
    review_policy: Mapped[ReviewPolicy] = mapped_column(
        str_enum(ReviewPolicy), default=ReviewPolicy.AFTER_CLOSE
    )
    # The audience as defined ({"units": [ids], "categories": [values], "people": [ids]});
    # the Enrolment rows frozen at publishing are what counts.
    audience: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    published_at: Mapped[datetime | None]
    # A practice exam a person drew for themselves (错题本, 练习): not an admin's exam,
    # so it stays out of the exam lists and every figure.
    personal: Mapped[bool] = mapped_column(default=False, server_default=sa.false(), index=True)
    # 学时 credited to whoever passes a formal exam (its 补考 included); stats/credits.py.
    credit_hours: Mapped[Decimal] = mapped_column(
        CreditHours, default=Decimal(0), server_default="0"
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner_unit: Mapped[OrgUnit] = relationship()
    parent_exam: Mapped["Exam | None"] = relationship(remote_side=[id])
    rules: Mapped[list["ExamRule"]] = relationship(
        back_populates="exam", cascade="all, delete-orphan", order_by="ExamRule.position"
    )
    fixed_questions: Mapped[list["ExamQuestion"]] = relationship(
        back_populates="exam", cascade="all, delete-orphan", order_by="ExamQuestion.position"
    )


class ExamRule(db.Model):
    """Draw ``count`` questions of ``type`` (optionally from a category / law /
    difficulty), each worth ``score``; every person draws their own set."""

    __tablename__ = "exam_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("exam.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    type: Mapped[QuestionType] = mapped_column(str_enum(QuestionType))
    count: Mapped[int]
    score: Mapped[Decimal] = mapped_column(Score)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("question_category.id"))
    law_ref: Mapped[str] = mapped_column(sa.String(200), default="")
    difficulty: Mapped[int | None]

    exam: Mapped[Exam] = relationship(back_populates="rules")
    category: Mapped[QuestionCategory | None] = relationship()


class ExamQuestion(db.Model):
    """A fixed question of an exam's paper, with its score in this paper."""

    __tablename__ = "exam_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("exam.id"), index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    score: Mapped[Decimal] = mapped_column(Score)

    exam: Mapped[Exam] = relationship(back_populates="fixed_questions")
    question: Mapped[Question] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("exam_id", "question_id", name="uq_exam_question_exam_question"),
    )


class Enrolment(db.Model):
    """应考名单: who must take the exam, frozen when it is published (the denominator).

    unit_id and category are copied at publishing, so figures by unit stay as they
    were even when people move or are deactivated later.
    """

    __tablename__ = "enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the constraint and the index below, both led by exam_id.
    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("exam.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    category: Mapped[Category] = mapped_column(str_enum(Category))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Added after publishing (补录): who and when.
    added_late: Mapped[bool] = mapped_column(default=False)
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # 免考 (病假, 调离 ...): excluded from 应考人数, with who, when and why.
    exempt: Mapped[bool] = mapped_column(default=False)
    exempt_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    exempted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    exempted_at: Mapped[datetime | None]

    exam: Mapped[Exam] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    unit: Mapped[OrgUnit] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("exam_id", "user_id", name="uq_enrolment_exam_user"),
        # The figures group an exam's enrolment by unit from this index alone (stats).
        sa.Index("ix_enrolment_exam_unit", "exam_id", "unit_id", "user_id", "exempt", "category"),
    )


class CountedSheet(db.Model):
    """An imported external result sheet that a formal exam or its 补考 counts (计入本考试):
    an enrolled, not exempted person with a result in it has sat that exam, and passed
    it if the import says so (``counting``). Attached to a 补考, it counts only after
    the make-up, like the 补考's own attempts. Same year as the exam; a sheet counts
    once per formal exam (``external_sheets``)."""

    __tablename__ = "counted_sheet"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("exam.id"), index=True)
    external_exam_id: Mapped[int] = mapped_column(sa.ForeignKey("external_exam.id"), index=True)
    attached_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    attached_at: Mapped[datetime] = mapped_column(default=utcnow)

    exam: Mapped[Exam] = relationship()
    external_exam: Mapped[ExternalExam] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("exam_id", "external_exam_id", name="uq_counted_sheet_exam_sheet"),
    )


class AttemptStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"  # by the person
    EXPIRED = "expired"  # finalized at the deadline with what was saved

    @property
    def finished(self) -> bool:
        return self is not AttemptStatus.IN_PROGRESS


class AttemptMode(LabelledEnum):
    """How the person sat: on a phone or PC, or on a printed paper the admin typed in."""

    ONLINE = "online", "在线作答"
    PAPER = "paper", "纸质作答"


class Attempt(db.Model):
    """One sitting of one person; its sheet is frozen in AttemptQuestion rows."""

    __tablename__ = "attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the constraint and the index below, both led by exam_id.
    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("exam.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    number: Mapped[int] = mapped_column(default=1)  # 1st, 2nd ... try
    status: Mapped[AttemptStatus] = mapped_column(
        str_enum(AttemptStatus), default=AttemptStatus.IN_PROGRESS
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    # min(start + time limit, window close), decided at start; None: untimed.
    deadline: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    score: Mapped[Decimal | None] = mapped_column(Score)
    max_score: Mapped[Decimal] = mapped_column(Score, default=Decimal(0))
    passed: Mapped[bool | None]
    # A paper sitting (paper_sittings): drawn when its paper is printed, answered on
    # paper, typed in by an admin; its code is printed on the paper and typed back.
    mode: Mapped[AttemptMode] = mapped_column(
        str_enum(AttemptMode), default=AttemptMode.ONLINE, server_default="online"
    )
    paper_code: Mapped[str | None] = mapped_column(sa.String(20), unique=True)

    exam: Mapped[Exam] = relationship()
    user: Mapped[User] = relationship()
    questions: Mapped[list["AttemptQuestion"]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="AttemptQuestion.position"
    )

    # One row per try: two concurrent "start" requests cannot both create try 1.
    __table_args__ = (
        sa.UniqueConstraint("exam_id", "user_id", "number", name="uq_attempt_exam_user_number"),
        # The figures read each person's best score from this index alone (stats).
        sa.Index("ix_attempt_exam_user_score", "exam_id", "user_id", "status", "score"),
        # Open attempts past their deadline (finalize_overdue), and nothing else: a
        # query that names an attempt (by id, or exam and person) never mentions the
        # deadline, so this index cannot be chosen for it. An index on status would
        # be: PostgreSQL takes it for one row whenever its statistics predate an exam
        # evening's thousands of attempts in progress.
        sa.Index(
            "ix_attempt_overdue",
            "deadline",
            postgresql_where=sa.text("status = 'in_progress' AND deadline IS NOT NULL"),
            sqlite_where=sa.text("status = 'in_progress' AND deadline IS NOT NULL"),
        ),
    )


class AttemptQuestion(db.Model):
    """A question as this attempt shows it, and the person's answer to it."""

    __tablename__ = "attempt_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("attempt.id"), index=True)
    position: Mapped[int]  # 1-based, as shown
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id"), index=True)
    # Shown order of the canonical options, e.g. [2, 0, 1, 3]: shown "A" is canonical C.
    option_order: Mapped[list[int]] = mapped_column(sa.JSON)
    score: Mapped[Decimal] = mapped_column(Score)
    # The answer in canonical letters ("AC"), "" when unanswered.
    response: Mapped[str] = mapped_column(sa.String(6), default="")
    # The answer's version: 0 while never answered, one more at each change. A page
    # saves "based on version N"; see ``answer_versions`` for which save wins.
    version: Mapped[int] = mapped_column(default=0)
    # When the person gave the saved answer, as the server reckons it (the request's
    # time less the age the page reports): of two pages, the later answer wins.
    answered_at: Mapped[datetime | None]
    # The page (a random id per page load) and its count of saves that wrote this
    # answer: an earlier save of the same page, delivered late, never replaces it
    # (``answer_versions``). None: written by a form or a page without them.
    page_key: Mapped[str | None] = mapped_column(sa.String(32))
    page_n: Mapped[int | None]
    correct: Mapped[bool | None]
    awarded: Mapped[Decimal | None] = mapped_column(Score)

    attempt: Mapped[Attempt] = relationship(back_populates="questions")
    question: Mapped[Question] = relationship(lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("attempt_id", "position", name="uq_attempt_question_attempt_position"),
    )


class AttemptLogin(db.Model):
    """A login (one browser on one device) that opened or answered an attempt: a
    second one is shown on the exam's monitor. Written once per login and attempt."""

    __tablename__ = "attempt_login"

    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("attempt.id"), primary_key=True)
    login_id: Mapped[int] = mapped_column(sa.ForeignKey("login_session.id"), primary_key=True)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExamTally(db.Model):
    """The figures of a formal exam (with its 补考) for one group of its frozen
    enrolment: the people enrolled in one unit with one category. Kept by the
    services in the same transaction as the rows it sums (``exams.exam_tally``), so
    the year overview sums a few thousand of these instead of every enrolment and
    attempt. ``score_sum / scored`` is the average of the best scores; the counts
    follow DESIGN §3 exactly as ``exams.counting.figure_columns`` computes them."""

    __tablename__ = "exam_tally"

    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("exam.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), primary_key=True)
    category: Mapped[Category] = mapped_column(str_enum(Category), primary_key=True)
    exempt: Mapped[int] = mapped_column(default=0)
    enrolled: Mapped[int] = mapped_column(default=0)
    sat: Mapped[int] = mapped_column(default=0)
    passed: Mapped[int] = mapped_column(default=0)
    sat_first: Mapped[int] = mapped_column(default=0)
    passed_first: Mapped[int] = mapped_column(default=0)
    scored: Mapped[int] = mapped_column(default=0)
    score_sum: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))  # None: nobody scored
    lowest: Mapped[Decimal | None] = mapped_column(Score)
