"""What goes into a person's 学法档案 for a year: the year's 学时 against the target,
sessions attended with hours, exams with scores, and (when the study feature provides
them) study-list choices and readings.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from ..exams import counting, overdue
from ..exams.models import Attempt, Enrolment, Exam, ExamKind, ExamStatus
from ..extensions import db
from ..external.models import ExternalResult
from ..org.models import User
from ..org.permissions import Perm, can
from ..stats.credits import PersonYear, person_year
from ..training.models import Attendance, SessionStatus, TrainingSession


def may_view(viewer: User, person: User) -> bool:
    """The person themselves, or whoever may see people of the person's unit."""
    return viewer.id == person.id or can(viewer, Perm.VIEW_PEOPLE, person.unit)


@dataclass(frozen=True)
class ExamLine:
    exam: Exam
    exempt: bool
    best: Decimal | None  # best finished or imported score, None when none
    passed: bool
    imported: bool = False  # a result in an imported sheet this exam counts (计入本考试)

    @property
    def result(self) -> str:
        """In the statistics' words (参考 / 通过), so the record and the 名单 agree."""
        if self.exempt:
            return "免考"
        if self.best is None and not self.imported:
            return "未参考"
        return "通过" if self.passed else "未通过"


@dataclass(frozen=True)
class YearRecord:
    person: User
    year: int
    attendance: list[Attendance]
    exams: list[ExamLine]
    credits: PersonYear

    @property
    def hours(self) -> Decimal:
        return sum((a.session.hours for a in self.attendance), Decimal(0))


def _attendance(person: User, year: int) -> list[Attendance]:
    return list(
        db.session.scalars(
            sa.select(Attendance)
            .join(TrainingSession, Attendance.session_id == TrainingSession.id)
            .where(
                Attendance.user_id == person.id,
                Attendance.revoked_at.is_(None),
                TrainingSession.year == year,
                TrainingSession.status == SessionStatus.SCHEDULED,
            )
            .order_by(TrainingSession.starts_at)
        )
    )


def _exams(person: User, year: int, now: datetime) -> list[ExamLine]:
    """An attempt overdue at ``now`` counts as finalized (``exams.overdue``)."""
    late = overdue.find(now, user_id=person.id)
    finished = late.finished() & (Attempt.user_id == person.id)
    best = (
        sa.select(sa.func.max(late.score()))
        .where(finished, Attempt.exam_id == Exam.id)
        .scalar_subquery()
    )
    passed = (
        sa.select(sa.func.count(Attempt.id))
        .where(finished, Attempt.exam_id == Exam.id, late.passed().is_(True))
        .scalar_subquery()
    )
    # The imported sheets the exam counts, as the figures count them (exams.counting).
    imported_score = counting.imported_result(ExternalResult.score, [Exam.id], person.id)
    standing = counting.imported_result(counting.standing(), [Exam.id], person.id)
    imported_passed = sa.or_(
        standing == counting.IMPORTED_PASSED, imported_score >= Exam.pass_score
    )
    rows = db.session.execute(
        sa.select(
            Exam,
            Enrolment.exempt,
            counting.greater(best, imported_score),
            sa.case((sa.or_(passed > 0, imported_passed), 1), else_=0),
            sa.case((standing.is_not(None), 1), else_=0),
        )
        .join(Enrolment, Enrolment.exam_id == Exam.id)
        .where(
            Enrolment.user_id == person.id,
            Exam.year == year,
            Exam.personal.is_(False),
            Exam.kind != ExamKind.PRACTICE,
            Exam.status == ExamStatus.PUBLISHED,
        )
        .order_by(Exam.opens_at, Exam.id)
    )
    return [
        ExamLine(exam, exempt, score, bool(passed), bool(imported))
        for exam, exempt, score, passed, imported in rows
    ]


def year_record(person: User, year: int, *, now: datetime) -> YearRecord:
    return YearRecord(
        person,
        year,
        _attendance(person, year),
        _exams(person, year, now),
        person_year(person, year),
    )


def years(person: User, current: int) -> list[int]:
    """Years with anything on record, and the current one, newest first."""
    sessions = (
        sa.select(TrainingSession.year)
        .join(Attendance, Attendance.session_id == TrainingSession.id)
        .where(Attendance.user_id == person.id)
    )
    exams = (
        sa.select(Exam.year)
        .join(Enrolment, Enrolment.exam_id == Exam.id)
        .where(Enrolment.user_id == person.id)
    )
    found = set(db.session.scalars(sa.union(sessions, exams)))
    return sorted(found | {current}, reverse=True)
