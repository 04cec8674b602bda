"""导出个人数据: everything the platform holds about one person, for an admin who
manages them (PIPL: a person may ask for a copy of their data).

One section per kind of record — profile, roles, attendance, exams, attempts, study
lists, readings, certificates issued — each a header row and rows of plain values,
written as XLSX sheets or JSON. The export is audited. No password hash, login session
or token is included.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from ..core.time import format_local
from ..exams.models import Attempt, Enrolment, Exam
from ..extensions import db
from ..org import audit
from ..org.models import User
from ..org.permissions import Perm, ensure
from ..org.privacy import shown_phone
from ..org.services import Actor
from ..study.plan_models import StudyList, StudyListItem, StudyProgress, StudySelection
from ..study.reading_models import ReadingAssignment, ReadingProgress
from ..training.models import Attendance, TrainingSession
from .models import Certificate


@dataclass(frozen=True)
class Section:
    name: str
    headers: tuple[str, ...]
    rows: list[list]


def personal_data(person: User, *, actor: Actor) -> list[Section]:
    """The person's data; the actor must manage people of the person's unit."""
    ensure(actor.user, Perm.MANAGE_PEOPLE, person.unit)
    sections = [
        _profile(person),
        _roles(person),
        _attendance(person),
        _exams(person),
        _attempts(person),
        _study(person),
        _readings(person),
        _certificates(person),
    ]
    audit.record(
        "person.export",
        actor=actor.user,
        address=actor.address,
        obj=person,
        detail=person.name,
    )
    return sections


def plain(value):
    """A value as JSON and a spreadsheet both take it: times in Beijing time."""
    if isinstance(value, datetime):
        return format_local(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def _section(name, headers, rows) -> Section:
    return Section(name, tuple(headers), [[plain(v) for v in row] for row in rows])


def _profile(person: User) -> Section:
    rows = [
        ["姓名", person.name],
        ["手机号", shown_phone(person.phone, person.unit)],
        ["单位", person.unit.name],
        ["人员类别", person.category.label if person.category else ""],
        ["职务", person.post],
        ["状态", "在用" if person.active else "已停用"],
    ]
    return _section("基本信息", ("项目", "内容"), rows)


def _roles(person: User) -> Section:
    rows = [[g.role.label, g.unit.name] for g in person.grants]
    return _section("权限", ("角色", "范围"), rows)


def _attendance(person: User) -> Section:
    query = (
        sa.select(TrainingSession.topic, TrainingSession.starts_at, TrainingSession.hours)
        .add_columns(Attendance.signed_at, Attendance.method, Attendance.reason)
        .add_columns(Attendance.revoked_at)
        .join(Attendance, Attendance.session_id == TrainingSession.id)
        .where(Attendance.user_id == person.id)
        .order_by(TrainingSession.starts_at)
    )
    rows = [
        [topic, starts, hours, signed, method.label, reason, revoked is not None]
        for topic, starts, hours, signed, method, reason, revoked in db.session.execute(query)
    ]
    headers = ("主题", "开始时间", "学时", "签到时间", "签到方式", "补录原因", "已撤销")
    return _section("集中学习", headers, rows)


def _exams(person: User) -> Section:
    query = (
        sa.select(Exam.title, Exam.year, Exam.kind, Enrolment.exempt, Enrolment.exempt_reason)
        .join(Enrolment, Enrolment.exam_id == Exam.id)
        .where(Enrolment.user_id == person.id)
        .order_by(Exam.year, Exam.id)
    )
    rows = [[t, y, k.label, e, r] for t, y, k, e, r in db.session.execute(query)]
    return _section("应考名单", ("考试", "年度", "类型", "免考", "免考原因"), rows)


ATTEMPT_STATUS = {"in_progress": "答题中", "submitted": "已交卷", "expired": "到时自动交卷"}


def _attempts(person: User) -> Section:
    query = (
        sa.select(Exam.title, Attempt.number, Attempt.status, Attempt.started_at)
        .add_columns(Attempt.finished_at, Attempt.score, Attempt.max_score, Attempt.passed)
        .join(Attempt, Attempt.exam_id == Exam.id)
        .where(Attempt.user_id == person.id)
        .order_by(Attempt.started_at)
    )
    rows = [
        [title, n, ATTEMPT_STATUS.get(status, status), start, end, score, top, passed]
        for title, n, status, start, end, score, top, passed in db.session.execute(query)
    ]
    headers = ("考试", "第几次", "状态", "开始", "交卷", "得分", "满分", "通过")
    return _section("答卷", headers, rows)


def _study(person: User) -> Section:
    chosen = (
        sa.select(StudySelection.item_id)
        .where(StudySelection.user_id == person.id)
        .scalar_subquery()
    )
    query = (
        sa.select(StudyList.name, StudyListItem, StudyProgress)
        .join(StudyListItem, StudyListItem.list_id == StudyList.id)
        .outerjoin(
            StudyProgress,
            sa.and_(StudyProgress.item_id == StudyListItem.id, StudyProgress.user_id == person.id),
        )
        .where(sa.or_(StudyListItem.id.in_(chosen), StudyProgress.id.is_not(None)))
        .order_by(StudyList.year, StudyList.id, StudyListItem.id)
    )
    rows = [
        [
            name,
            item.law.display_name,
            item.kind.label,
            progress.readings if progress else 0,
            progress.finished_at if progress else None,
            progress.note if progress else "",
        ]
        for name, item, progress in db.session.execute(query)
    ]
    headers = ("学习清单", "法规", "类别", "阅读次数", "学完时间", "学习心得")
    return _section("学习清单", headers, rows)


def _readings(person: User) -> Section:
    query = (
        sa.select(ReadingAssignment.title, ReadingProgress)
        .join(ReadingProgress, ReadingProgress.assignment_id == ReadingAssignment.id)
        .where(ReadingProgress.user_id == person.id)
        .order_by(ReadingProgress.opened_at)
    )
    # No heartbeat time: the admin who downloads this is a supervisor, and supervisors
    # see done / not done only (本平台的承诺); the person sees it on their reading pages.
    rows = [[title, p.opened_at, p.confirmed_at] for title, p in db.session.execute(query)]
    return _section("阅读任务", ("阅读任务", "首次打开", "确认已学习"), rows)


def _certificates(person: User) -> Section:
    query = (
        sa.select(Certificate.kind, Certificate.year, Exam.title, Certificate.unit_name)
        .add_columns(Certificate.issued_at, Certificate.code)
        .outerjoin(Exam, Exam.id == Certificate.exam_id)
        .where(Certificate.user_id == person.id)
        .order_by(Certificate.issued_at)
    )
    rows = [
        [kind.label, year, title or "", unit, issued, code]
        for kind, year, title, unit, issued, code in db.session.execute(query)
    ]
    return _section("成绩证明", ("证明", "年度", "考试", "单位", "开具时间", "验证码"), rows)
