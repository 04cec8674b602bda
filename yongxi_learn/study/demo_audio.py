"""The demo's 语音讲解 (demo_data/media/note.m4a, a short tone made by ``python -m
tests.courses.media demo``): the demo 法律明白人 explains the first article of this
year's reading's law, for the town; the town's admin adds one to the reading itself.
Each loaded once."""

from collections.abc import Collection
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from ..core.time import to_local
from ..extensions import db
from ..laws import audio as law_audio
from ..laws.models import ArticleAudio, LawArticle
from ..org.models import Category, OrgUnit, Role, RoleGrant, User
from ..org.services import Actor
from . import reading_audio
from .demo_lists import CURRENT_READING
from .reading_models import ReadingAssignment, ReadingAudio

NOTE = Path(__file__).parent.parent / "demo_data" / "media" / "note.m4a"
LIMITS = {"max_bytes": 10**7, "max_seconds": 600}


def seed_audio(town: OrgUnit, *, now: datetime, keep_open: Collection[int] = ()) -> list[str]:
    title = CURRENT_READING.format(year=to_local(now).year)
    reading = db.session.scalar(
        sa.select(ReadingAssignment).where(
            ReadingAssignment.owner_unit_id == town.id, ReadingAssignment.title == title
        )
    )
    if reading is None or reading.law_id is None or not NOTE.is_file():
        return []
    lines = []
    liaison = _demo_person(keep_open, User.category == Category.LEGAL_LIAISON)
    article = db.session.scalar(
        sa.select(LawArticle)
        .where(LawArticle.law_id == reading.law_id, LawArticle.number == reading.article_from)
        .limit(1)
    )
    if liaison is not None and article is not None and not _has(ArticleAudio, liaison):
        with open(NOTE, "rb") as f:
            law_audio.add_note(article, f, actor=Actor(liaison, "demo"), now=now, **LIMITS)
        lines.append(f"已添加{liaison.name}（法律明白人）对宪法{article.label}的语音讲解。")
    admin = _demo_person(keep_open, RoleGrant.role == Role.ADMIN, RoleGrant.unit_id == town.id)
    if admin is not None and not _has(ReadingAudio, admin):
        with open(NOTE, "rb") as f:
            reading_audio.add_note(reading, f, actor=Actor(admin, "demo"), now=now, **LIMITS)
        lines.append(f"已添加{admin.name}对阅读任务“{reading.title}”的语音讲解。")
    return lines


def _demo_person(keep_open: Collection[int], *where) -> User | None:
    query = sa.select(User).outerjoin(RoleGrant, RoleGrant.user_id == User.id)
    return db.session.scalars(
        query.where(User.id.in_(list(keep_open)), *where).order_by(User.id).limit(1)
    ).first()


def _has(model, person: User) -> bool:
    return (
        db.session.scalar(sa.select(model.id).where(model.uploaded_by_id == person.id).limit(1))
        is not None
    )
