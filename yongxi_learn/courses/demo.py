"""The demo's course: this year's 《行政处罚法》 course for the whole town — its first
chapter's articles, a short video (demo_data/media/demo.mp4, made by
``python -m tests.courses.media demo``) and a 5-question quiz; a third of the town has
studied it. Loaded once."""

from collections.abc import Collection
from datetime import date, datetime
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
TITLE = "{year}年《行政处罚法》专题课程"


def seed(
    town: OrgUnit | None, *, track, now: datetime, keep_open: Collection[int] = ()
) -> list[str]:
    if town is None:
        return []
    year = to_local(now).year
    title = TITLE.format(year=year)
    exists = db.session.scalar(
        sa.select(Course.id).where(Course.owner_unit_id == town.id, Course.title == title)
    )
    law = _law()
    if exists is not None or law is None:
        return []
    course = services.create_course(
        town,
        services.CourseSettings(
            title=title, year=year, credit_hours=Decimal(2), due_on=date(year, 12, 31),
            description="先学习行政处罚法总则条文，再观看讲解视频，最后完成5道题的课程测验。",
            audience={"units": [town.id], "categories": [], "people": []},
            quiz_size=5, quiz_pass_percent=60,
        ),
        actor=SYSTEM,
    )  # fmt: skip
    services.add_part(
        course,
        services.PartInput(kind=PartKind.ARTICLES, law_id=law.id, article_from=1, article_to=8),
        actor=SYSTEM,
    )
    with open(VIDEO, "rb") as f:
        video = services.upload_media(town, f, MediaKind.VIDEO, actor=SYSTEM, max_bytes=10**8)
    services.add_part(
        course,
        services.PartInput(
            kind=PartKind.MEDIA, media_id=video.id, title="讲解视频：行政处罚的种类"
        ),
        actor=SYSTEM,
    )
    services.publish(course, actor=SYSTEM, now=now)
    studied, done = _completions(course, town, track=track, now=now, keep_open=keep_open)
    return [
        f"已发布课程“{title}”（法规条文、视频、测验，{course.credit_hours}学时），"
        f"{studied}人已学完内容，{done}人已通过测验、完成课程。"
    ]


def _completions(
    course: Course, town: OrgUnit, *, track, now: datetime, keep_open
) -> tuple[int, int]:
    """Every third person (not a demo login) has studied each part and, unless an open
    exam holds the bank's questions back from them, passed the quiz, through the
    learner's own services."""
    people = db.session.scalars(
        sa.select(User)
        .join(OrgUnit, User.unit_id == OrgUnit.id)
        .where(
            OrgUnit.path.startswith(town.path, autoescape=True),
            User.active.is_(True),
            User.id.not_in(list(keep_open) or [0]),
        )
        .order_by(User.id)
    ).all()[::3]
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
