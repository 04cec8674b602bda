"""Reading assignments: settings (admins), and the reader's honest progress.

Time is summed on the server. The page sends a heartbeat while it is visible; each
heartbeat is credited the real time since the previous one, at most ``BEAT_CAP``, so a
fast loop, a replayed request or a page left hidden adds nothing it did not spend.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import orm

from ..core import credit
from ..extensions import db
from ..laws.models import Law, LawArticle, LawStatus
from ..org.models import OrgUnit, User
from ..org.services import Actor
from . import sanitize
from .common import (
    StudyError,
    check_audience,
    ensure_manage,
    ensure_year_not_closed,
    in_audience,
    record,
)
from .plans import check_range
from .reading_models import ReadingAssignment, ReadingKind, ReadingProgress

BEAT_CAP = timedelta(seconds=30)
MIN_SECONDS_RANGE = (5, 3600)


class Beat:
    START = "start"  # the page became visible: the clock starts, nothing is credited
    VISIBLE = "visible"  # still visible since the previous beat
    HIDDEN = "hidden"  # just hidden: credit up to now, then the clock stops


# ---------------------------------------------------------------- settings


@dataclass
class ReadingSettings:
    title: str
    kind: ReadingKind
    due_on: date | None
    min_seconds: int
    law_id: int | None = None
    article_from: int | None = None
    article_to: int | None = None
    body: str = ""
    audience: dict = field(default_factory=dict)
    credit_hours: Decimal = Decimal(0)


def _check(s: ReadingSettings, owner: OrgUnit) -> None:
    if not (s.title or "").strip():
        raise StudyError("请输入阅读任务标题")
    if len(s.title.strip()) > 200:
        raise StudyError("标题不能超过200个字")
    low, high = MIN_SECONDS_RANGE
    if not low <= (s.min_seconds or 0) <= high:
        raise StudyError(f"最短阅读时间应在{low}秒到{high // 60}分钟之间")
    if s.kind is ReadingKind.ARTICLES:
        law = db.session.get(Law, s.law_id or 0)
        if law is None or law.status is not LawStatus.CURRENT:
            raise StudyError("请从法规库中选择一部现行有效的法规")
        check_range(s.article_from, s.article_to)
    elif not sanitize.clean(s.body):
        raise StudyError("请输入文章内容")
    elif len(s.body) > sanitize.MAX_CHARS:
        raise StudyError(f"文章不能超过{sanitize.MAX_CHARS}个字符")
    if message := credit.problem(s.credit_hours):
        raise StudyError(message)
    check_audience(s.audience, owner, "阅读对象")


def _apply(reading: ReadingAssignment, s: ReadingSettings) -> None:
    reading.title, reading.kind = s.title.strip(), s.kind
    reading.due_on, reading.min_seconds, reading.audience = s.due_on, s.min_seconds, s.audience
    reading.credit_hours = Decimal(s.credit_hours)
    if s.kind is ReadingKind.ARTICLES:
        reading.law_id, reading.article_from, reading.article_to = (
            s.law_id,
            s.article_from,
            s.article_to,
        )
        reading.body_html = ""
    else:
        reading.law_id = reading.article_from = reading.article_to = None
        reading.body_html = sanitize.clean(s.body)


def create_reading(owner: OrgUnit, s: ReadingSettings, *, actor: Actor) -> ReadingAssignment:
    ensure_manage(actor, owner)
    _check(s, owner)
    ensure_year_not_closed(owner, s.due_on.year if s.due_on else None)
    reading = ReadingAssignment(owner_unit=owner, created_by_id=getattr(actor.user, "id", None))
    _apply(reading, s)
    db.session.add(reading)
    db.session.flush()
    record(actor, "reading.create", reading, reading.title)
    return reading


def update_reading(reading: ReadingAssignment, s: ReadingSettings, *, actor: Actor) -> None:
    """Edit; saving also clears 待复核 (the admin has looked at it)."""
    ensure_manage(actor, reading.owner_unit)
    _check(s, reading.owner_unit)
    ensure_year_not_closed(reading.owner_unit, year_of(reading))
    ensure_year_not_closed(reading.owner_unit, s.due_on.year if s.due_on else None)
    _apply(reading, s)
    reading.needs_review = False
    record(actor, "reading.update", reading, reading.title)
    db.session.flush()


def year_of(reading: ReadingAssignment) -> int | None:
    """The year whose figures count the reading (as ``in_year`` finds it)."""
    if reading.due_on is not None:
        return reading.due_on.year
    return reading.created_at.year if reading.created_at is not None else None


def in_year(year: int) -> sa.ColumnElement[bool]:
    """Readings of a year: due in it, or (without a due date) created in it."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    return sa.or_(
        ReadingAssignment.due_on.between(first, last),
        sa.and_(
            ReadingAssignment.due_on.is_(None),
            ReadingAssignment.created_at >= datetime(year, 1, 1),
            ReadingAssignment.created_at < datetime(year + 1, 1, 1),
        ),
    )


def articles_of(law_id: int | None, first: int | None, last: int | None) -> list[LawArticle]:
    if not law_id:
        return []
    query = sa.select(LawArticle).where(LawArticle.law_id == law_id)
    if first:
        query = query.where(LawArticle.number >= first)
    if last:
        query = query.where(LawArticle.number <= last)
    return list(db.session.scalars(query.order_by(LawArticle.position)))


# ---------------------------------------------------------------- the reader


def my_readings(user: User) -> list[tuple[ReadingAssignment, ReadingProgress | None]]:
    """The readings whose audience holds the person, newest first, with progress."""
    rows = db.session.execute(_MY_READINGS, {"user_id": user.id, "units": list(user.unit.path_ids)})
    return [(r, progress) for r, progress in rows if in_audience(r.audience, user)]


# Built once (building a statement costs more Python than running it).
_MY_READINGS = (
    sa.select(ReadingAssignment, ReadingProgress)
    .options(orm.defer(ReadingAssignment.body_html))  # lists show titles only
    .outerjoin(
        ReadingProgress,
        (ReadingProgress.assignment_id == ReadingAssignment.id)
        & (ReadingProgress.user_id == sa.bindparam("user_id")),
    )
    # Owned by the person's unit or one above it (whose audience may hold them).
    .where(ReadingAssignment.owner_unit_id.in_(sa.bindparam("units", expanding=True)))
    .order_by(ReadingAssignment.due_on.desc(), ReadingAssignment.id.desc())
)


def assigned(reading: ReadingAssignment, user: User) -> bool:
    return user.unit.path.startswith(reading.owner_unit.path) and in_audience(
        reading.audience, user
    )


def progress_of(reading: ReadingAssignment, user: User) -> ReadingProgress | None:
    return db.session.scalar(
        sa.select(ReadingProgress).where(
            ReadingProgress.assignment_id == reading.id, ReadingProgress.user_id == user.id
        )
    )


def page_progress(reading: ReadingAssignment, user: User) -> ReadingProgress:
    """The person's progress as the reading page shows it: before the page's first
    beat records the opening (``open_reading``, a POST), a blank one not in the
    database."""
    if not assigned(reading, user):
        raise StudyError("这项阅读任务不是布置给您的")
    found = progress_of(reading, user)
    if found is not None:
        return found
    return ReadingProgress(assignment=reading, user_id=user.id, counted_ms=0)


def open_reading(reading: ReadingAssignment, user: User, *, now: datetime) -> ReadingProgress:
    """The reading page was opened: a progress row exists from then on."""
    if not assigned(reading, user):
        raise StudyError("这项阅读任务不是布置给您的")
    progress = progress_of(reading, user)
    if progress is None:
        progress = ReadingProgress(assignment_id=reading.id, user_id=user.id, opened_at=now)
        db.session.add(progress)
        db.session.flush()
    return progress


def heartbeat(
    progress: ReadingProgress, state: str, *, at_end: bool, now: datetime
) -> ReadingProgress:
    """Credit visible time since the previous beat (at most BEAT_CAP, never more than
    really passed). A conditional UPDATE: of two concurrent or replayed beats carrying
    the same previous time, only one is credited."""
    previous = progress.last_beat_at
    credit = 0
    if state in (Beat.VISIBLE, Beat.HIDDEN) and previous is not None and now > previous:
        credit = int(min(now - previous, BEAT_CAP).total_seconds() * 1000)
    next_beat = None if state == Beat.HIDDEN else now
    where = [ReadingProgress.id == progress.id]
    where.append(
        ReadingProgress.last_beat_at.is_(None)
        if previous is None
        else ReadingProgress.last_beat_at == previous
    )
    values = {"last_beat_at": next_beat, "counted_ms": ReadingProgress.counted_ms + credit}
    done = db.session.execute(
        sa.update(ReadingProgress)
        .where(*where)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done and at_end and progress.reached_end_at is None:
        db.session.execute(
            sa.update(ReadingProgress)
            .where(ReadingProgress.id == progress.id)
            .values(reached_end_at=now)
            .execution_options(synchronize_session=False)
        )
    db.session.refresh(progress)
    return progress


def confirm_problem(progress: ReadingProgress) -> str:
    """Why 我已学习 is not possible yet; '' when it is."""
    minimum = progress.assignment.min_seconds
    if progress.seconds < minimum:
        left = minimum - progress.seconds
        return f"阅读时间还不够：至少需要{progress.assignment.min_text}，还差约{left}秒"
    if progress.reached_end_at is None:
        return "请阅读到文末后再确认"
    return ""


def confirm(progress: ReadingProgress, *, now: datetime) -> None:
    if progress.confirmed_at is not None:
        return
    reading = progress.assignment
    person = db.session.get(User, progress.user_id)
    ensure_year_not_closed(reading.owner_unit, year_of(reading), [person.unit_id])
    problem = confirm_problem(progress)
    if problem:
        raise StudyError(problem)
    progress.confirmed_at = now
    db.session.flush()
