"""我的考试: the exams a person is enrolled in, with what they can do next."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from ..extensions import db
from ..org.models import User
from .attempts import attempts_left, is_overdue
from .models import Attempt, AttemptStatus, Enrolment, Exam, ExamKind, ExamStatus


@dataclass(frozen=True)
class ExamEntry:
    exam: Exam
    status: str  # 未开始 / 可参加 / 进行中 / 已交卷 / 已通过 / 未通过 / 已结束
    deadline: datetime | None
    current: Attempt | None  # the attempt in progress
    latest: Attempt | None  # the latest finished attempt
    best_score: Decimal | None
    attempts_left: int
    overdue: bool  # an attempt past its deadline awaits finalization

    @property
    def can_start(self) -> bool:
        return self.status in {"可参加", "进行中"}


def available_exams(user: User, now: datetime) -> list[ExamEntry]:
    """The person's published exams (not exempt), with what they can do next."""
    exams = db.session.scalars(
        sa.select(Exam)
        .join(Enrolment, Enrolment.exam_id == Exam.id)
        .where(
            Enrolment.user_id == user.id,
            Enrolment.exempt.is_(False),
            Exam.status == ExamStatus.PUBLISHED,
            # Practice papers a person draws for themselves live on the 错题本 page.
            Exam.personal.is_(False),
        )
        .order_by(Exam.closes_at.desc().nulls_last(), Exam.id.desc())
    ).all()
    by_exam: dict[int, list[Attempt]] = {}
    if exams:
        attempts = db.session.scalars(
            sa.select(Attempt)
            .where(Attempt.user_id == user.id, Attempt.exam_id.in_([e.id for e in exams]))
            .order_by(Attempt.number)
        )
        for attempt in attempts:
            by_exam.setdefault(attempt.exam_id, []).append(attempt)
    return [_entry(exam, by_exam.get(exam.id, []), now) for exam in exams]


def _entry(exam: Exam, attempts: list[Attempt], now: datetime) -> ExamEntry:
    # An overdue attempt counts as finished here; it is finalized when next touched.
    current = next(
        (a for a in attempts if a.status is AttemptStatus.IN_PROGRESS and not is_overdue(a, now)),
        None,
    )
    finished = [a for a in attempts if a is not current]
    scored = [a.score for a in finished if a.score is not None]
    left = attempts_left(exam, len(finished))
    return ExamEntry(
        exam=exam,
        status=_status(exam, current, finished, left, now),
        deadline=current.deadline if current else exam.closes_at,
        current=current,
        latest=finished[-1] if finished else None,
        best_score=max(scored) if scored else None,
        attempts_left=left,
        overdue=any(is_overdue(a, now) for a in attempts),
    )


def _status(exam, current, finished, left, now) -> str:
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
    if finished:
        return "已交卷" if exam.kind is ExamKind.PRACTICE else "未通过"
    return "已结束"
