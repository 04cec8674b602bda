"""我的考试: the exams a person is enrolled in, with what they can do next."""

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import orm

from ...extensions import db
from ...org.models import User
from .. import overdue
from ..attempts import attempts_left, deadline_for, is_overdue
from ..models import Attempt, AttemptMode, AttemptStatus, Enrolment, Exam, ExamKind, ExamStatus
from ..papers.services import paper_total


@dataclass(frozen=True)
class ExamEntry:
    exam: sa.Row  # the columns of Exam in _EXAM
    status: str  # 未开始 / 可参加 / 进行中 / 已交卷 / 已通过 / 未通过 / 已结束
    deadline: datetime | None
    current: sa.Row | None  # the attempt in progress (the columns of _ATTEMPT)
    latest: "sa.Row | Finished | None"  # the latest finished attempt
    best_score: Decimal | None
    attempts_left: int
    on_paper: bool = False  # a printed paper waiting to be typed in (one of the tries)

    @property
    def can_start(self) -> bool:
        return self.status in {"可参加", "进行中"}

    @property
    def needs_notice(self) -> bool:
        """A formal exam or its 补考 opens on the 考试须知; practice starts directly."""
        return self.exam.kind is not ExamKind.PRACTICE


# What the lists show and the statuses need, read as plain rows: the home page of
# every examinee asks for this, and ORM objects cost more than the query.
_EXAM = orm.Bundle(
    "exam",
    Exam.id,
    Exam.title,
    Exam.kind,
    Exam.opens_at,
    Exam.closes_at,
    Exam.time_limit_minutes,
    Exam.max_attempts,
)
_ATTEMPT = orm.Bundle(
    "attempt",
    Attempt.id,
    Attempt.number,
    Attempt.status,
    Attempt.deadline,
    Attempt.score,
    Attempt.passed,
    Attempt.mode,
)
_MY_EXAMS = (
    sa.select(_EXAM, _ATTEMPT)
    .join(Enrolment, Enrolment.exam_id == Exam.id)
    .outerjoin(
        Attempt,
        (Attempt.exam_id == Exam.id) & (Attempt.user_id == sa.bindparam("user_id")),
    )
    .where(
        Enrolment.user_id == sa.bindparam("user_id"),
        Enrolment.exempt.is_(False),
        Exam.status == ExamStatus.PUBLISHED,
        # Practice exams a person draws for themselves live on the 错题本 page.
        Exam.personal.is_(False),
    )
    .order_by(Exam.closes_at.desc().nulls_last(), Exam.id.desc(), Attempt.number)
)


@dataclass(frozen=True)
class Finished:
    """An overdue attempt's row as it will read once finalized (``overdue``)."""

    id: int
    number: int
    status: AttemptStatus
    deadline: datetime | None
    score: Decimal
    passed: bool
    mode: AttemptMode


def available_exams(user: User, now: datetime) -> list[ExamEntry]:
    """The person's published exams (not exempt), with what they can do next. An
    attempt overdue at ``now`` counts as finalized, with its saved answers' score."""
    exams: dict[int, tuple[sa.Row, list, list]] = {}
    late = None
    for exam, attempt in db.session.execute(_MY_EXAMS, {"user_id": user.id}):
        _exam, attempts, papers = exams.setdefault(exam.id, (exam, [], []))
        if attempt.id is None:
            continue
        if _waiting_paper(attempt):  # not the person's to continue, but a try used
            papers.append(attempt)
            continue
        if is_overdue(attempt, now):  # rare: graded once for all of them
            late = late or overdue.find(now, user_id=user.id)
            attempt = _as_finalized(attempt, late.of(attempt.id))
        attempts.append(attempt)
    return [_entry(exam, attempts, now, len(papers)) for exam, attempts, papers in exams.values()]


def _waiting_paper(attempt: sa.Row) -> bool:
    return attempt.mode is AttemptMode.PAPER and attempt.status is AttemptStatus.IN_PROGRESS


def _as_finalized(attempt: sa.Row, expired: "overdue.Expired | None"):
    if expired is None:  # finalized between the two reads: read again next time
        return attempt
    row = Finished(**attempt._asdict())
    return replace(row, status=AttemptStatus.EXPIRED, score=expired.score, passed=expired.passed)


def _entry(exam: sa.Row, attempts: list, now: datetime, papers: int = 0) -> ExamEntry:
    current = next(
        (a for a in attempts if a.status is AttemptStatus.IN_PROGRESS and not is_overdue(a, now)),
        None,
    )
    finished = [a for a in attempts if a is not current]
    scored = [a.score for a in finished if a.score is not None]
    left = attempts_left(exam, len(finished) + papers)
    return ExamEntry(
        exam=exam,
        status=_status(exam, current, finished, left, now, papers),
        deadline=current.deadline if current else exam.closes_at,
        current=current,
        latest=finished[-1] if finished else None,
        best_score=max(scored) if scored else None,
        attempts_left=left,
        on_paper=papers > 0,
    )


def _status(exam, current, finished, left, now, papers=0) -> str:
    if current is not None:
        return "进行中"
    passed = any(a.passed for a in finished)
    if passed and exam.kind is not ExamKind.PRACTICE:
        return "已通过"
    if exam.opens_at and now < exam.opens_at:
        return "未开始"
    window_open = exam.closes_at is None or now < exam.closes_at
    if window_open and left > 0:
        return "可参加"
    if papers:
        return "纸质试卷待录入"
    if finished:
        return "已交卷" if exam.kind is ExamKind.PRACTICE else "未通过"
    return "已结束"


@dataclass(frozen=True)
class ExamNotice:
    """考试须知: what a person should know before the clock starts."""

    entry: ExamEntry
    exam: Exam
    question_count: int
    total: Decimal
    deadline_if_started: datetime | None  # min(now + time limit, window close)

    @property
    def cut_short(self) -> bool:
        """The window closes before the time limit would run out."""
        exam = self.exam
        return bool(
            exam.time_limit_minutes
            and exam.closes_at
            and self.deadline_if_started == exam.closes_at
        )


def exam_notice(user: User, exam_id: int, now: datetime) -> ExamNotice | None:
    """The 考试须知 of one of the person's exams, or None if it is not theirs. Reads only:
    an overdue attempt already counts as finished in the entry."""
    entry = next((e for e in available_exams(user, now) if e.exam.id == exam_id), None)
    if entry is None:
        return None
    exam = db.session.get(Exam, exam_id)
    count = sum(r.count for r in exam.rules) if exam.rules else len(exam.fixed_questions)
    return ExamNotice(entry, exam, count, paper_total(exam), deadline_for(exam, now))
