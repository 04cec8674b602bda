"""A learner's 待办: each open item of the year — what, due by when (a Beijing date) and
what is left — and nothing else (no one else's progress, no scores, no time spent).
Each feature says what is open through its own functions; this module only words it."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import url_for

from ..core.time import local_date, month_day, to_local
from ..courses.progress import CourseState, my_courses
from ..exams.models import ExamKind
from ..exams.taking.my_exams import available_exams
from ..extensions import db
from ..org.models import User
from ..org.year_close import frozen
from ..study import readings
from ..study.summary import OpenList, open_lists
from ..training.models import Attendance
from ..training.services import upcoming_for

OPEN_EXAM = {"可参加", "进行中", "未开始"}


@dataclass(frozen=True)
class TodoItem:
    kind: str  # 考试 / 学习清单 / 阅读任务 / 集中学习 / 课程
    title: str
    due: date | None
    left: str
    url: str
    when: str = ""  # a session: its start and place, instead of a due date

    @property
    def due_text(self) -> str:
        return f"{month_day(self.due)}前" if self.due else "无期限"


def todo(user: User, *, now: datetime) -> list[TodoItem]:
    """The person's open items, soonest due first; a closed year's items are left out."""
    year = to_local(now).year
    if user.unit is None or frozen(user.unit, year, below=False):
        return []
    items = [
        *_exams(user, now),
        *(_study(o, year) for o in open_lists(user, year, now=now)),
        *_readings(user, year),
        *_sessions(user, now),
        *(_course(s) for s in my_courses(user, year) if not s.completed),
    ]
    return sorted(items, key=lambda i: (i.due is None, i.due or date.max))


def _exams(user: User, now: datetime) -> list[TodoItem]:
    out = []
    for e in available_exams(user, now):
        if e.exam.kind is ExamKind.PRACTICE or e.status not in OPEN_EXAM:
            continue
        if e.status == "进行中":
            left = "答题中，尚未交卷"
        elif e.status == "未开始":
            left = f"未开始，{month_day(local_date(e.exam.opens_at))}起可参加"
        elif e.latest:
            left = f"未通过，还可再考{e.attempts_left}次"
        else:
            left = "未参加"
        url = url_for("take.notice", exam_id=e.exam.id)
        if e.current:
            url = url_for("take.attempt", attempt_id=e.current.id)
        out.append(TodoItem(e.exam.kind.label, e.exam.title, local_date(e.deadline), left, url))
    return out


def _study(o: OpenList, year: int) -> TodoItem:
    lst = o.study_list
    parts = []
    choosing = [("重点", o.key_missing), ("专业", o.field_missing)]
    picks = [f"{label}法规{n}部" for label, n in choosing if n]
    if picks:
        parts.append("还需选学" + "、".join(picks))
    if o.unfinished:
        parts.append(f"学完{o.unfinished}部")
    left = "、".join(parts) if picks else f"还需学完{o.unfinished}部"
    due = local_date(lst.choose_until) if picks and lst.choose_until else date(year, 12, 31)
    url = url_for("study.my_lists", year=lst.year) + f"#list-{lst.id}"
    return TodoItem("学习清单", lst.name, due, left, url)


def _readings(user: User, year: int) -> list[TodoItem]:
    out = []
    for reading, progress in readings.my_readings(user):
        if (progress and progress.confirmed_at) or readings.year_of(reading) != year:
            continue
        left = "未阅读" if progress is None else "已打开，未确认已学习"
        url = url_for("study.reading", reading_id=reading.id)
        out.append(TodoItem("阅读任务", reading.title, reading.due_on, left, url))
    return out


def _sessions(user: User, now: datetime) -> list[TodoItem]:
    rows = upcoming_for(user, now)
    signed = set(
        db.session.scalars(
            sa.select(Attendance.session_id).where(
                Attendance.user_id == user.id,
                Attendance.session_id.in_([r.id for r in rows]),
                Attendance.revoked_at.is_(None),
            )
        )
    )
    out = []
    for r in rows:
        if r.id in signed:
            continue
        start = to_local(r.starts_at)
        when = f"{month_day(start.date())} {start:%H:%M}" + (f" · {r.place}" if r.place else "")
        url = url_for("training.code")
        out.append(TodoItem("集中学习", r.topic, start.date(), "未参加（到场扫码签到）", url, when))
    return out


def _course(s: CourseState) -> TodoItem:
    missing = [f"第{p.number}部分" for p in s.parts if not p.done]
    if s.course.quiz_size and not s.quiz_passed:
        missing.append("测验")
    if len(missing) > 1:
        missing = ["、".join(missing[:-1]), missing[-1]]
    left = "还差" + "和".join(missing) if missing else "已学完，待确认完成"
    url = url_for("courses.course", course_id=s.course.id)
    return TodoItem("课程", s.course.title, s.course.due_on, left, url)
