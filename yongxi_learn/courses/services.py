"""Setting up courses (MANAGE_STUDY over the owner unit): settings, parts, media,
publishing; and who has completed a course (VIEW_STUDY, the viewer's subtree only).

Permission is checked here, scoped to the actor's unit subtree; every change is
audited. Services flush; the view commits.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO

import sqlalchemy as sa

from ..core import media
from ..core.exceptions import NotFound
from ..extensions import db
from ..laws.models import Law, LawStatus
from ..org import audience as audience_module
from ..org import audit
from ..org.audience import AudienceError
from ..org.models import OrgUnit, User
from ..org.permissions import Perm, can, ensure, scope_filter
from ..org.services import Actor
from ..org.year_close import ensure_year_open
from ..study.common import may_view, visible_owner
from ..study.reading_models import ReadingAssignment
from ..training.models import TrainingSession
from .models import (
    Course,
    CourseCompletion,
    CourseMedia,
    CoursePart,
    CourseStatus,
    MediaKind,
    PartKind,
)

CREDIT_MAX = Decimal("99.9")
QUIZ_MAX = 50


class CourseError(Exception):
    """A change that cannot be made; the message is shown to the person."""


def record(actor: Actor, action: str, obj, detail: str = "") -> None:
    audit.record(action, actor=actor.user, address=actor.address, obj=obj, detail=detail)


def ensure_manage(actor: Actor, unit: OrgUnit) -> None:
    # The system actor (CLI, demo data) is trusted; people are checked.
    if actor.user is not None:
        ensure(actor.user, Perm.MANAGE_STUDY, unit)


def ensure_open(course: Course, people_units=()) -> None:
    """A course of a closed year (年度关账) no longer changes: its completions are in the
    year's frozen 学时 figures."""
    ensure_year_open(course.owner_unit, course.year, people_units=people_units, error=CourseError)


def related(a: OrgUnit, b: OrgUnit) -> bool:
    return a.contains(b) or b.contains(a)


def course_for_admin(course_id: int, user: User, *, manage: bool = False) -> Course:
    """The course if ``user`` may manage it (MANAGE_STUDY over its owner) or see it
    (VIEW_STUDY within or above the owner: a village admin follows the town's course
    for the village's people); NotFound otherwise."""
    course = db.session.get(Course, course_id)
    if course is None:
        raise NotFound
    if manage and not can(user, Perm.MANAGE_STUDY, course.owner_unit):
        raise NotFound
    if not may_view(user, course.owner_unit):
        raise NotFound
    return course


def admin_courses(user: User, year: int) -> list[Course]:
    return list(
        db.session.scalars(
            sa.select(Course)
            .join(OrgUnit, Course.owner_unit_id == OrgUnit.id)
            .where(Course.year == year, visible_owner(user, OrgUnit.path))
            .order_by(Course.due_on.desc(), Course.id.desc())
        )
    )


# ---------------------------------------------------------------- settings


@dataclass
class CourseSettings:
    title: str
    year: int
    credit_hours: Decimal | str
    description: str = ""
    due_on: date | None = None
    audience: dict = field(default_factory=dict)
    quiz_size: int = 0
    quiz_pass_percent: int = 60
    quiz_law_ref: str = ""


def _check(s: CourseSettings, owner: OrgUnit) -> Decimal:
    title = (s.title or "").strip()
    if not title:
        raise CourseError("请输入课程名称")
    if len(title) > 200:
        raise CourseError("课程名称不能超过200个字")
    if not 2000 <= (s.year or 0) <= 2100:
        raise CourseError("年度应为4位数字，如2026")
    try:
        hours = Decimal(str(s.credit_hours)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise CourseError("学时应为数字，如 2 或 1.5") from None
    if not Decimal(0) < hours <= CREDIT_MAX:
        raise CourseError(f"学时应在0.1到{CREDIT_MAX}之间")
    if not 0 <= (s.quiz_size or 0) <= QUIZ_MAX:
        raise CourseError(f"测验题数应在0到{QUIZ_MAX}之间（0表示不设测验）")
    if not 1 <= (s.quiz_pass_percent or 0) <= 100:
        raise CourseError("测验合格线应在1%到100%之间")
    if len(s.quiz_law_ref or "") > 200:
        raise CourseError("测验法规名称过长")
    try:
        audience_module.check(s.audience, owner, noun="学习对象")
    except AudienceError as exc:
        raise CourseError(str(exc)) from exc
    return hours


def _apply(course: Course, s: CourseSettings, hours: Decimal) -> None:
    course.title, course.year, course.credit_hours = s.title.strip(), s.year, hours
    course.description = (s.description or "").strip()
    course.due_on, course.audience = s.due_on, s.audience
    course.quiz_size, course.quiz_pass_percent = s.quiz_size or 0, s.quiz_pass_percent
    course.quiz_law_ref = (s.quiz_law_ref or "").strip()


def create_course(owner: OrgUnit, s: CourseSettings, *, actor: Actor) -> Course:
    ensure_manage(actor, owner)
    hours = _check(s, owner)
    ensure_year_open(owner, s.year, error=CourseError)
    course = Course(owner_unit=owner, created_by_id=getattr(actor.user, "id", None))
    _apply(course, s, hours)
    db.session.add(course)
    db.session.flush()
    record(actor, "course.create", course, course.title)
    return course


def update_course(course: Course, s: CourseSettings, *, actor: Actor) -> None:
    """Edit. The 学时 of completions already recorded stay as they were declared."""
    ensure_manage(actor, course.owner_unit)
    hours = _check(s, course.owner_unit)
    ensure_open(course)
    ensure_year_open(course.owner_unit, s.year, error=CourseError)
    _apply(course, s, hours)
    record(actor, "course.update", course, f"{course.title}，{course.credit_hours}学时")
    db.session.flush()


def publish(course: Course, *, actor: Actor, now: datetime) -> None:
    ensure_manage(actor, course.owner_unit)
    ensure_open(course)
    if not course.parts:
        raise CourseError("课程还没有内容，请先添加至少一部分")
    if course.published:
        return
    course.status, course.published_at = CourseStatus.PUBLISHED, now
    record(actor, "course.publish", course, course.title)
    db.session.flush()


# ---------------------------------------------------------------- parts


@dataclass
class PartInput:
    kind: PartKind
    title: str = ""
    reading_id: int | None = None
    law_id: int | None = None
    article_from: int | None = None
    article_to: int | None = None
    session_id: int | None = None
    media_id: int | None = None


def add_part(course: Course, p: PartInput, *, actor: Actor) -> CoursePart:
    ensure_manage(actor, course.owner_unit)
    ensure_open(course)
    # Joined to the course only once checked: a refused part is never in course.parts.
    part = CoursePart(kind=p.kind, position=len(course.parts) + 1)
    default = _fill(part, p, course.owner_unit)
    title = (p.title or "").strip() or default
    if len(title) > 200:
        raise CourseError("标题不能超过200个字")
    part.title = title
    course.parts.append(part)
    db.session.flush()
    record(actor, "course.part", course, f"添加第{part.position}部分：{part.title}")
    return part


def _fill(part: CoursePart, p: PartInput, owner: OrgUnit) -> str:
    """Point the part at what it is made of; its default title."""
    if p.kind is PartKind.READING:
        reading = db.session.get(ReadingAssignment, p.reading_id or 0)
        if reading is None or not related(reading.owner_unit, owner):
            raise CourseError("请选择本单位的阅读任务")
        part.reading_id = reading.id
        return reading.title
    if p.kind is PartKind.ARTICLES:
        law = db.session.get(Law, p.law_id or 0)
        if law is None or law.status is not LawStatus.CURRENT:
            raise CourseError("请从法规库中选择一部现行有效的法规")
        first, last = p.article_from, p.article_to
        if first and last and first > last:
            raise CourseError("起始条不能大于结束条")
        part.law_id, part.article_from, part.article_to = law.id, first, last
        span = f"第{first or 1}条至第{last}条" if last else (f"第{first}条起" if first else "")
        return f"{law.display_name}{span}"
    if p.kind is PartKind.SESSION:
        session = db.session.get(TrainingSession, p.session_id or 0)
        if session is None or session.cancelled or not related(session.owner_unit, owner):
            raise CourseError("请选择本单位的集中学习")
        part.session_id = session.id
        return f"集中学习材料：{session.topic}"
    found = db.session.get(CourseMedia, p.media_id or 0)
    if found is None or not related(found.owner_unit, owner):
        raise CourseError("请上传音频或视频")
    part.media_id = found.id
    return found.kind.label


def remove_part(part: CoursePart, *, actor: Actor) -> None:
    course = part.course
    ensure_manage(actor, course.owner_unit)
    ensure_open(course)
    if course.published:
        raise CourseError("课程已发布，不能删除内容（学员的进度以此为准）")
    course.parts.remove(part)
    for position, rest in enumerate(course.parts, 1):
        rest.position = position
    record(actor, "course.part", course, f"删除：{part.title}")
    db.session.flush()


def move_part(part: CoursePart, step: int, *, actor: Actor) -> None:
    course = part.course
    ensure_manage(actor, course.owner_unit)
    ensure_open(course)
    parts = list(course.parts)
    i = parts.index(part)
    j = i + (1 if step > 0 else -1)
    if not 0 <= j < len(parts):
        return
    parts[i].position, parts[j].position = parts[j].position, parts[i].position
    record(actor, "course.part", course, f"调整顺序：{part.title}")
    db.session.flush()


def media_max_bytes(config) -> int:
    return int(config["COURSE_MEDIA_MAX_MB"]) * media.MB


def upload_media(
    owner: OrgUnit, f: IO[bytes], kind: MediaKind, *, actor: Actor, max_bytes: int
) -> CourseMedia:
    """Check the upload by content and size, then store it under a name of ours."""
    ensure_manage(actor, owner)
    stored = media.accept(f, kind, max_bytes=max_bytes, error=CourseError)
    found = CourseMedia(owner_unit=owner, uploaded_by_id=getattr(actor.user, "id", None), **stored)
    db.session.add(found)
    db.session.flush()
    record(actor, "course.media", found, f"{found.kind.label}，{found.size_bytes // 1024}KB")
    return found


# ---------------------------------------------------------------- who has completed


@dataclass(frozen=True)
class PersonRow:
    unit_name: str
    name: str
    completed_at: datetime | None
    # Who it is, for 催办 (reminders): the person, their phone and unit path (privacy).
    user_id: int = 0
    phone: str = ""
    unit_path: str = ""

    @property
    def done(self) -> bool:
        return self.completed_at is not None


def people(course: Course, user: User) -> list[PersonRow]:
    """The course's audience within the viewer's VIEW_STUDY subtrees: completed or not.
    Never a position or a time spent (减负)."""
    who = audience_module.people_select(course.audience).subquery()
    rows = db.session.execute(
        sa.select(
            OrgUnit.name,
            who.c.name,
            CourseCompletion.completed_at,
            who.c.id,
            who.c.phone,
            OrgUnit.path,
        )
        .select_from(who)
        .join(OrgUnit, OrgUnit.id == who.c.unit_id)
        .outerjoin(
            CourseCompletion,
            (CourseCompletion.user_id == who.c.id) & (CourseCompletion.course_id == course.id),
        )
        .where(
            OrgUnit.path.startswith(course.owner_unit.path, autoescape=True),
            scope_filter(user, Perm.VIEW_STUDY),
        )
        .order_by(OrgUnit.path, who.c.id)
    )
    return [PersonRow(*row) for row in rows]
