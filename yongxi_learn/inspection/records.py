"""The records an inspector checks beside the figures, for a year and a unit subtree:
the training sessions with their sign-ins, and what was done by hand, each with who and
when — 免考, 补考 results, 补录 sign-ins and undone sign-ins, answer-key fixes.

Read from the features' tables (this package sits above them all); the figures and
the name lists behind them come from ``stats.queries``.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ..exams.models import (
    Attempt,
    AttemptMode,
    AttemptQuestion,
    AttemptStatus,
    Enrolment,
    Exam,
    ExamKind,
    ExamStatus,
    Question,
)
from ..exams.papers import keys
from ..extensions import db
from ..org import audience as audience_module
from ..org.audit import AuditLog
from ..org.models import OrgUnit, User
from ..org.ordering import people_order, unit_positions
from ..org.subtrees import subtree
from ..training.models import (
    Attendance,
    AttendanceMethod,
    SessionStatus,
    TrainingKind,
    TrainingSession,
)

FINISHED = (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED)


def _name(user: User | None) -> str:
    return user.name if user is not None else "系统"


# ---------------------------------------------------------------- training


def sessions(year: int, unit: OrgUnit, kind_code: str | None = None) -> list[TrainingSession]:
    """The year's sessions organised in the subtree (not cancelled), oldest first: as
    the training figures count 场次."""
    owner = sa.orm.aliased(OrgUnit)
    query = (
        sa.select(TrainingSession)
        .join(owner, TrainingSession.owner_unit_id == owner.id)
        .where(
            TrainingSession.year == year,
            TrainingSession.status == SessionStatus.SCHEDULED,
            subtree(owner.path, unit),
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    )
    if kind_code is not None:
        query = query.join(TrainingKind, TrainingSession.kind_id == TrainingKind.id).where(
            TrainingKind.code == kind_code
        )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class SignIn:
    """A line of a session's 签到表: a person expected or signed in, and how."""

    unit: OrgUnit
    person: User
    attendance: Attendance | None

    @property
    def status(self) -> str:
        if self.attendance is None:
            return "未签到"
        return "已签到（非应参加）" if self.attendance.walk_in else "已签到"

    @property
    def note(self) -> str:
        a = self.attendance
        if a is None:
            return ""
        if a.method is AttendanceMethod.MANUAL:
            return f"补录原因：{a.reason}；补录人：{_name(a.marked_by)}"
        return "非应参加" if a.walk_in else ""


def sign_ins(session: TrainingSession) -> list[SignIn]:
    """Everyone expected (the audience as it is now) and everyone signed in (not
    undone), at the unit they signed in at; by unit, rank and name."""
    signed = db.session.scalars(
        sa.select(Attendance).where(
            Attendance.session_id == session.id, Attendance.revoked_at.is_(None)
        )
    ).all()
    by_user = {a.user_id: a for a in signed}
    rows = []
    for person in db.session.scalars(audience_module.people_select(session.audience)):
        a = by_user.pop(person.id, None)
        rows.append(SignIn(a.unit if a else person.unit, person, a))
    rows += [SignIn(a.unit, a.user, a) for a in by_user.values()]
    positions = unit_positions()
    rows.sort(
        key=lambda r: (
            positions.get(r.unit.id, len(positions)),
            r.person.post_rank,
            r.person.name_sort,
            r.person.id,
        )
    )
    return rows


def _sign_ins(year: int, unit: OrgUnit, which: sa.ColumnElement[bool]) -> list[Attendance]:
    """The sign-ins ``which`` picks at sessions held that year (not cancelled), signed in
    at a unit of the subtree; by session, then by unit and name."""
    signed = sa.orm.aliased(OrgUnit, name="signed_unit")
    return list(
        db.session.scalars(
            sa.select(Attendance)
            .join(TrainingSession, Attendance.session_id == TrainingSession.id)
            .join(signed, Attendance.unit_id == signed.id)
            .join(User, Attendance.user_id == User.id)
            .where(
                TrainingSession.year == year,
                TrainingSession.status == SessionStatus.SCHEDULED,
                which,
                subtree(signed.path, unit),
            )
            .order_by(TrainingSession.starts_at, TrainingSession.id, *people_order(signed.id))
        )
    )


def counted_sign_ins(year: int, unit: OrgUnit) -> list[Attendance]:
    """Every sign-in the year's 参训人次 counts (not undone)."""
    return _sign_ins(year, unit, Attendance.revoked_at.is_(None))


def marks(year: int, unit: OrgUnit) -> list[Attendance]:
    """The year's sign-ins an admin marked by hand (补录) and those undone, with who
    and when."""
    return _sign_ins(
        year,
        unit,
        sa.or_(Attendance.method == AttendanceMethod.MANUAL, Attendance.revoked_at.is_not(None)),
    )


def revoked_by(attendance: Attendance) -> str:
    return _name(db.session.get(User, attendance.revoked_by_id)) if attendance.revoked_at else ""


# ---------------------------------------------------------------- exams


def _enrolments(year: int, unit: OrgUnit) -> sa.Select:
    """Enrolments in the year's published formal exams and their 补考, of people
    enrolled at a unit of the subtree."""
    return (
        sa.select(Enrolment)
        .join(Exam, Enrolment.exam_id == Exam.id)
        .join(OrgUnit, Enrolment.unit_id == OrgUnit.id)
        .where(
            Exam.year == year,
            Exam.kind.in_([ExamKind.FORMAL, ExamKind.MAKEUP]),
            Exam.status != ExamStatus.DRAFT,
            Exam.status != ExamStatus.CANCELLED,
            Exam.personal.is_(False),
            subtree(OrgUnit.path, unit),
        )
    )


def exemptions(year: int, unit: OrgUnit) -> list[Enrolment]:
    """免考 in the formal exams, and people taken off a 补考's list (不参加补考), with
    the reason, who and when; by exam, unit and name."""
    query = (
        _enrolments(year, unit)
        .join(User, Enrolment.user_id == User.id)
        .where(Enrolment.exempt)
        .order_by(Exam.id, *people_order(Enrolment.unit_id))
    )
    return list(db.session.scalars(query))


def exempted_by(entry: Enrolment) -> str:
    return _name(db.session.get(User, entry.exempted_by_id)) if entry.exempted_by_id else "系统"


@dataclass(frozen=True)
class MakeupResult:
    enrolment: Enrolment
    best: Attempt | None  # the best finished attempt at the 补考, None: did not sit it


def makeup_results(year: int, unit: OrgUnit) -> list[MakeupResult]:
    """Everyone on a 补考's list (not taken off it) with their best finished attempt."""
    query = (
        _enrolments(year, unit)
        .join(User, Enrolment.user_id == User.id)
        .where(Exam.kind == ExamKind.MAKEUP, ~Enrolment.exempt)
        .order_by(Exam.id, *people_order(Enrolment.unit_id))
    )
    entries = list(db.session.scalars(query))
    attempts: dict[tuple[int, int], Attempt] = {}
    if entries:
        for attempt in db.session.scalars(
            sa.select(Attempt)
            .where(
                Attempt.exam_id.in_({e.exam_id for e in entries}),
                Attempt.user_id.in_({e.user_id for e in entries}),
                Attempt.status.in_(FINISHED),
            )
            .order_by(Attempt.score.desc(), Attempt.finished_at, Attempt.id)
        ):
            attempts.setdefault((attempt.exam_id, attempt.user_id), attempt)
    return [MakeupResult(e, attempts.get((e.exam_id, e.user_id))) for e in entries]


@dataclass(frozen=True)
class Regrade:
    entry: AuditLog
    question: Question | None
    exams: list[str]
    in_open_exam: bool  # an exam still open may ask it: its key is not printed


def open_exam_questions(now: datetime) -> frozenset[int]:
    """Lineage ids of the questions an exam open at ``now`` may ask: whoever reads the
    pack may be sitting it, so their keys and stems stay out of it until it closes."""
    exams = db.session.scalars(
        sa.select(Exam).where(
            Exam.status == ExamStatus.PUBLISHED,
            Exam.kind != ExamKind.PRACTICE,
            Exam.personal.is_(False),
            sa.or_(Exam.closes_at.is_(None), Exam.closes_at > now),
        )
    ).all()
    return keys.hidden_from(None, now, exams=list(exams))


def regrades(year: int, unit: OrgUnit, now: datetime) -> list[Regrade]:
    """Answer keys fixed (and attempts regraded) in questions asked in the year's exams
    of people of the subtree, from the audit log: who, when, the key before and after."""
    exams = _enrolments(year, unit).with_only_columns(Enrolment.exam_id).distinct()
    asked = (
        sa.select(AttemptQuestion.question_id, Exam.title)
        .join(Attempt, AttemptQuestion.attempt_id == Attempt.id)
        .join(Exam, Attempt.exam_id == Exam.id)
        .where(Attempt.exam_id.in_(exams))
        .distinct()
    )
    titles: dict[int, list[str]] = {}
    for question_id, title in db.session.execute(asked):
        titles.setdefault(question_id, []).append(title)
    if not titles:
        return []
    entries = db.session.scalars(
        sa.select(AuditLog)
        .where(
            AuditLog.action == "question.fix_answer",
            AuditLog.object_type == "Question",
            AuditLog.object_id.in_(list(titles)),
        )
        .order_by(AuditLog.at, AuditLog.id)
    )
    hidden = open_exam_questions(now)
    out = []
    for entry in entries:
        question = db.session.get(Question, entry.object_id)
        withheld = question is not None and keys.root_of(question) in hidden
        out.append(Regrade(entry, question, sorted(titles[entry.object_id]), withheld))
    return out


# Changes by hand to who counts in an exam, besides 免考 and 补录 (kept on their rows).
EXAM_HAND_ACTIONS = ("exam.paper_corrected", "exam.sheet_counted", "exam.sheet_uncounted")


def exam_hand_changes(year: int, unit: OrgUnit) -> list[AuditLog]:
    """From the audit log: paper answers corrected for people of the subtree, and
    imported sheets counted or taken out by the year's exams of its people."""
    exams = _enrolments(year, unit).with_only_columns(Enrolment.exam_id).distinct()
    sittings = (
        sa.select(Attempt.id)
        .join(
            Enrolment,
            sa.and_(Enrolment.exam_id == Attempt.exam_id, Enrolment.user_id == Attempt.user_id),
        )
        .join(OrgUnit, Enrolment.unit_id == OrgUnit.id)
        .where(
            Attempt.exam_id.in_(exams),
            Attempt.mode == AttemptMode.PAPER,
            subtree(OrgUnit.path, unit),
        )
    )
    corrected = sa.and_(
        AuditLog.action == EXAM_HAND_ACTIONS[0],
        AuditLog.object_type == "Attempt",
        AuditLog.object_id.in_(sittings),
    )
    counted = sa.and_(
        AuditLog.action.in_(EXAM_HAND_ACTIONS[1:]),
        AuditLog.object_type == "Exam",
        AuditLog.object_id.in_(exams),
    )
    return list(
        db.session.scalars(
            sa.select(AuditLog).where(sa.or_(corrected, counted)).order_by(AuditLog.at, AuditLog.id)
        )
    )


def exam_of(entry: AuditLog) -> Exam | None:
    """The exam an entry of ``exam_hand_changes`` is about (a sitting's, or itself)."""
    if entry.object_type == "Attempt":
        sitting = db.session.get(Attempt, entry.object_id)
        return sitting.exam if sitting is not None else None
    return db.session.get(Exam, entry.object_id)
