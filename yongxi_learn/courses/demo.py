"""The demo's courses for the whole town, each 《行政处罚法》's first articles and a
short video (demo_data/media/demo.mp4, made by ``python -m tests.courses.media demo``):
last year's, completed by half the town (its 学时 in the ledger); this year's, with a
5-question quiz, studied by a third. Each loaded once."""

from collections.abc import Collection
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from ..core.time import to_local
from ..exams import attempts
from ..exams.grading import canonical_to_shown
from ..extensions import db
from ..laws.models import Law, LawArticle, LawStatus
from ..org.models import OrgUnit, User
from ..org.services import SYSTEM
from . import progress, services
from .models import Course, MediaKind, PartKind

VIDEO = Path(__file__).parent.parent / "demo_data" / "media" / "demo.mp4"


def seed(
    town: OrgUnit | None, *, track, now: datetime, keep_open: Collection[int] = ()
) -> list[str]:
    """Last year's course, done by half the town; this year's, with a quiz, open."""
    law = _law()
    if town is None or law is None:
        return []
    year = to_local(now).year
    lines = []
    last = _course(town, law, f"{year - 1}年《行政处罚法》入门课程", year - 1, now=now)
    if last is not None:
        done = _finish_all(last, town, track=track, on=datetime(year - 1, 4, 1, 2))
        lines.append(f"已载入课程“{last.title}”（{last.credit_hours}学时），{done}人已完成。")
    this = _course(town, law, f"{year}年《行政处罚法》专题课程", year, now=now, quiz=5)
    if this is not None:
        studied, done = _completions(this, town, track=track, now=now, keep_open=keep_open)
        lines.append(
            f"已发布课程“{this.title}”（法规条文、视频、测验，{this.credit_hours}学时），"
            f"{studied}人已学完内容，{done}人已通过测验、完成课程。"
        )
    return lines


def _course(town, law, title: str, year: int, *, now: datetime, quiz: int = 0) -> Course | None:
    """The course (articles, then the video), published; None when it exists."""
    exists = db.session.scalar(
        sa.select(Course.id).where(Course.owner_unit_id == town.id, Course.title == title)
    )
    if exists is not None:
        return None
    then = now if year == to_local(now).year else datetime(year, 3, 1, 2)
    course = services.create_course(
        town,
        services.CourseSettings(
            title=title, year=year, credit_hours=Decimal(2 if quiz else 1),
            due_on=date(year, 12, 31),
            description="先学习行政处罚法总则条文，再观看讲解视频"
            + (f"，最后完成{quiz}道题的课程测验。" if quiz else "。"),
            audience={"units": [town.id], "categories": [], "people": []},
            quiz_size=quiz, quiz_pass_percent=60,
        ),
        actor=SYSTEM,
    )  # fmt: skip
    course.created_at = then
    services.add_part(
        course,
        services.PartInput(kind=PartKind.ARTICLES, law_id=law.id, article_from=1, article_to=8),
        actor=SYSTEM,
    )
    with open(VIDEO, "rb") as f:
        video = services.upload_media(town, f, MediaKind.VIDEO, actor=SYSTEM, max_bytes=10**8)
    part = services.PartInput(
        kind=PartKind.MEDIA, media_id=video.id, title="讲解视频：行政处罚的种类"
    )
    services.add_part(course, part, actor=SYSTEM)
    services.publish(course, actor=SYSTEM, now=then)
    return course


def _people(town: OrgUnit, keep_open: Collection[int] = ()) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(OrgUnit, User.unit_id == OrgUnit.id)
            .where(
                OrgUnit.path.startswith(town.path, autoescape=True),
                User.active.is_(True),
                User.id.not_in(list(keep_open) or [0]),
            )
            .order_by(User.id)
        )
    )


def _finish_all(course: Course, town: OrgUnit, *, track, on: datetime) -> int:
    """Every second person studied each part (no quiz): completed, with its 学时."""
    done = 0
    with track(_people(town)[::2], "载入去年课程学习记录") as bar:
        for i, person in enumerate(bar):
            at = on + timedelta(days=i % 60, hours=i % 9)
            for part in course.parts:
                state = progress.mark_done(part, person, now=at)
            done += state.completed
    return done


def _completions(
    course: Course, town: OrgUnit, *, track, now: datetime, keep_open
) -> tuple[int, int]:
    """Every third person (not a demo login) has studied each part and, unless an open
    exam holds the bank's questions back from them, passed the quiz, through the
    learner's own services."""
    people = _people(town, keep_open)[::3]
    done = 0
    with track(people, "载入课程学习记录") as bar:
        for person in bar:
            for part in course.parts:
                progress.mark_done(part, person, now=now)
            try:
                attempt = progress.start_quiz(course, person, now=now)
            except services.CourseError:
                continue  # nothing left in the bank this person may be asked
            for item in attempt.questions:
                shown = canonical_to_shown(item.question.answer, item.option_order)
                attempts.save_answer(attempt, person, item.position, shown, now=now)
            attempts.submit_attempt(attempt, person, now)
            done += progress.complete_if_ready(course, person, now=now).completed
    return len(people), done


def _law() -> Law | None:
    """行政处罚法 if the library has it with articles, else any current law that has."""
    with_articles = sa.exists().where(LawArticle.law_id == Law.id)
    query = sa.select(Law).where(Law.status == LawStatus.CURRENT, with_articles)
    return db.session.scalar(
        query.order_by(Law.title.contains("行政处罚法").desc(), Law.id).limit(1)
    )
