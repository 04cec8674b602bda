"""What can be chased and who has not done it, through each feature's own name-list
query (stats' 未参考名单, study's people selects, training's roster): nothing here
restates who counts as done."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ..core.exceptions import NotFound
from ..core.time import local_date
from ..courses.models import CourseStatus
from ..courses.services import course_for_admin
from ..courses.services import people as course_people
from ..exams.models import Exam, ExamKind
from ..extensions import db
from ..org.models import OrgUnit, User
from ..org.ordering import people_order
from ..org.permissions import Perm, can, scope_filter, scope_units
from ..stats.queries import NameList, names_select
from ..study import readings
from ..study.common import get_visible
from ..study.figures import reading_people_select, study_people_select
from ..study.plan_models import StudyList
from ..study.reading_models import ReadingAssignment
from ..training import attendance
from ..training.services import get_session

# Who may chase: people who manage the persons listed (an admin, a unit admin).
CHASE = Perm.MANAGE_PEOPLE


@dataclass(frozen=True)
class Behind:
    """One person who has not done it, and what is left (never a time spent)."""

    user_id: int
    name: str
    phone: str  # as stored: the page shows it through privacy's PhoneView
    unit_name: str
    unit_path: str
    left: str


@dataclass(frozen=True)
class Target:
    kind: str  # exam / list / reading / session / course
    obj: object
    title: str
    owner: OrgUnit
    year: int
    due: date | None
    perm: Perm  # the feature's view permission
    attend: bool = False  # a session: 按时参加, not 完成

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


KIND_LABELS = {
    "exam": "考试",
    "list": "学习清单",
    "reading": "阅读任务",
    "session": "集中学习",
    "course": "课程",
}


def target(kind: str, object_id: int, viewer: User) -> Target:
    """The object if ``viewer`` may see it and chase anyone for it, else NotFound."""
    found = _TARGETS.get(kind)
    if found is None:
        raise NotFound(object_id)
    t = found(object_id, viewer)
    if not chase_roots(t, viewer):
        raise NotFound(object_id)
    return t


def _exam(exam_id: int, viewer: User) -> Target:
    exam = db.session.get(Exam, exam_id)
    if exam is None or exam.personal or exam.kind is ExamKind.PRACTICE:
        raise NotFound(exam_id)
    due = local_date(exam.closes_at)
    return Target("exam", exam, exam.title, exam.owner_unit, exam.year, due, Perm.VIEW_STATS)


def _list(list_id: int, viewer: User) -> Target:
    lst = get_visible(StudyList, list_id, user=viewer)
    due = local_date(lst.choose_until)
    if due is None or due.year != lst.year:
        due = date(lst.year, 12, 31)
    return Target("list", lst, lst.name, lst.owner_unit, lst.year, due, Perm.VIEW_STUDY)


def _reading(reading_id: int, viewer: User) -> Target:
    r = get_visible(ReadingAssignment, reading_id, user=viewer)
    year = readings.year_of(r) or 0
    return Target("reading", r, r.title, r.owner_unit, year, r.due_on, Perm.VIEW_STUDY)


def _session(session_id: int, viewer: User) -> Target:
    s = get_session(session_id, user=viewer, perm=Perm.VIEW_TRAINING)
    if s is None or s.cancelled:
        raise NotFound(session_id)
    day = local_date(s.starts_at)
    return Target("session", s, s.topic, s.owner_unit, s.year, day, Perm.VIEW_TRAINING, True)


def _course(course_id: int, viewer: User) -> Target:
    c = course_for_admin(course_id, viewer)
    if c.status is not CourseStatus.PUBLISHED:
        raise NotFound(course_id)
    return Target("course", c, c.title, c.owner_unit, c.year, c.due_on, Perm.VIEW_STUDY)


_TARGETS = {
    "exam": _exam,
    "list": _list,
    "reading": _reading,
    "session": _session,
    "course": _course,
}


def _related(a: OrgUnit, b: OrgUnit) -> bool:
    return a.contains(b) or b.contains(a)


def chase_roots(t: Target, viewer: User) -> list[OrgUnit]:
    """The units the viewer may chase people of for ``t``: their roots on its branch
    (cut down to the owner when a root lies above it)."""
    out = []
    for root in scope_units(viewer, CHASE):
        if _related(root, t.owner) and can(viewer, t.perm, root):
            out.append(t.owner if root.contains(t.owner) else root)
    return out


def chase_unit(t: Target, viewer: User, unit_id: int | None) -> OrgUnit:
    """The unit asked for (one the viewer may chase on the target's branch) or their
    first; NotFound for anything else, so ids cannot be probed."""
    roots = chase_roots(t, viewer)
    if not unit_id:
        return roots[0]
    unit = db.session.get(OrgUnit, unit_id)
    ok = unit is not None and any(r.contains(unit) for r in roots)
    if not ok:
        raise NotFound(unit_id)
    return unit


def behind(t: Target, unit: OrgUnit, viewer: User) -> list[Behind]:
    """Who in ``unit``'s subtree (and the viewer's) has not done ``t``, by unit then name."""
    return _BEHIND[t.kind](t.obj, unit, viewer)


def _exam_behind(exam: Exam, unit: OrgUnit, viewer: User) -> list[Behind]:
    query = names_select(exam, unit, NameList.ABSENT, user=viewer).add_columns(
        User.id.label("user_id")
    )
    return [
        Behind(r.user_id, r.name, r.phone, r.unit_name, r.unit_path, "未参加考试")
        for r in db.session.execute(query)
    ]


def _scoped_people(select: sa.Select, viewer: User, perm: Perm, undone) -> list:
    people = select.subquery()
    query = (
        sa.select(people)
        .where(undone(people.c), scope_filter(viewer, perm, people.c.unit_path))
        .order_by(
            *people_order(
                people.c.unit_id, people.c.post_rank, people.c.name_sort, people.c.user_id
            )
        )
    )
    return db.session.execute(query).all()


def _list_left(r) -> str:
    if not r.chosen:
        return f"未按规则选学，已学完{r.done_n}/{r.planned}部"
    return f"已学完{r.done_n}/{r.planned}部，还差{r.planned - r.done_n}部"


def _list_behind(lst: StudyList, unit: OrgUnit, viewer: User) -> list[Behind]:
    rows = _scoped_people(
        study_people_select(lst, unit), viewer, Perm.VIEW_STUDY, lambda c: c.completed == 0
    )
    return [
        Behind(r.user_id, r.name, r.phone, r.unit_name, r.unit_path, _list_left(r)) for r in rows
    ]


def _reading_behind(reading: ReadingAssignment, unit: OrgUnit, viewer: User) -> list[Behind]:
    rows = _scoped_people(
        reading_people_select(reading, unit), viewer, Perm.VIEW_STUDY, lambda c: c.confirmed == 0
    )
    return [
        Behind(
            r.user_id, r.name, r.phone, r.unit_name, r.unit_path,
            "未打开" if r.opened_at is None else "已打开，未确认已学习",
        )
        for r in rows
    ]  # fmt: skip


def _session_behind(session, unit: OrgUnit, viewer: User) -> list[Behind]:
    roster = attendance.roster(session, viewer=viewer)
    return [
        Behind(r.person.id, r.person.name, r.person.phone, r.unit.name, r.unit.path, "未签到")
        for r in roster.missing
        if r.is_expected and unit.contains(r.unit)
    ]


def _course_behind(course, unit: OrgUnit, viewer: User) -> list[Behind]:
    return [
        Behind(r.user_id, r.name, r.phone, r.unit_name, r.unit_path, "未学完课程")
        for r in course_people(course, viewer)
        if not r.done and r.unit_path.startswith(unit.path)
    ]


_BEHIND = {
    "course": _course_behind,
    "exam": _exam_behind,
    "list": _list_behind,
    "reading": _reading_behind,
    "session": _session_behind,
}
