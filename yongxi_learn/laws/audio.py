"""语音讲解 on law articles: a short explanation recorded on a phone and uploaded (the
file through core/media.py), played beside the article.

Who records one: a 法律明白人, or an admin who manages study content (MANAGE_STUDY) over
their own unit. Who hears it: the note belongs to the uploader's 镇/街道 (for a person
above every town, their own unit; for an admin of a smaller subtree, such as a
village's, that subtree): the people of that subtree hear it, and the admins who
manage study there; another town's people do not see it — a 法律明白人 of
雍溪镇 explains for 雍溪镇, in its own dialect. Who deletes it: the uploader, or an admin
with MANAGE_STUDY over the note's unit. Every upload and deletion is audited.
"""

from datetime import datetime
from typing import IO

import sqlalchemy as sa
from sqlalchemy import orm

from ..core import media
from ..core.exceptions import NotFound, PermissionDenied
from ..extensions import db
from ..org import audit, signals
from ..org.models import Category, OrgUnit, UnitKind, User
from ..org.permissions import Perm, can, scope_filter, scope_units
from ..org.services import Actor
from .models import ArticleAudio, LawArticle
from .services import LawError


def home_unit(user: User) -> OrgUnit:
    """The unit whose people hear what ``user`` records: their 镇/街道 (or 区)."""
    unit = user.unit
    while unit.kind not in (UnitKind.TOWN, UnitKind.DISTRICT) and unit.parent is not None:
        unit = unit.parent
    return unit


def note_unit(user: User) -> OrgUnit | None:
    """Whose people hear what ``user`` records; None: they may not record. A 法律明白人
    or a town's study admin records for their 镇/街道; an admin of a smaller subtree
    holding their own unit (a village's), for that subtree."""
    if not user.is_authenticated or not user.active:
        return None
    home = home_unit(user)
    if user.category is Category.LEGAL_LIAISON or can(user, Perm.MANAGE_STUDY, home):
        return home
    roots = [root for root in scope_units(user, Perm.MANAGE_STUDY) if root.contains(user.unit)]
    return min(roots, key=lambda root: root.depth) if roots else None


def may_record(user: User) -> bool:
    return note_unit(user) is not None


def may_delete(user: User, note: ArticleAudio) -> bool:
    return note.uploaded_by_id == user.id or can(user, Perm.MANAGE_STUDY, note.unit)


def _audible(user: User) -> sa.ColumnElement[bool]:
    """The notes ``user`` hears: of a unit at or above theirs, or one they manage study in.
    Paths hold only digits and slashes: nothing to escape in the LIKE pattern."""
    return sa.or_(
        sa.literal(user.unit.path).startswith(OrgUnit.path),
        scope_filter(user, Perm.MANAGE_STUDY, OrgUnit.path),
    )


def notes_for(article_ids: list[int], user: User) -> dict[int, list[ArticleAudio]]:
    """The notes ``user`` hears on these articles, oldest first, by article id."""
    if not article_ids:
        return {}
    rows = db.session.scalars(
        sa.select(ArticleAudio)
        .join(OrgUnit, OrgUnit.id == ArticleAudio.unit_id)
        .where(ArticleAudio.article_id.in_(article_ids), _audible(user))
        .options(orm.joinedload(ArticleAudio.uploaded_by))
        .order_by(ArticleAudio.uploaded_at, ArticleAudio.id)
    )
    out: dict[int, list[ArticleAudio]] = {}
    for note in rows:
        out.setdefault(note.article_id, []).append(note)
    return out


def get_audible(note_id: int, user: User) -> ArticleAudio:
    """The note if ``user`` hears it; NotFound otherwise (another town's is not there)."""
    note = db.session.scalar(
        sa.select(ArticleAudio)
        .join(OrgUnit, OrgUnit.id == ArticleAudio.unit_id)
        .where(ArticleAudio.id == note_id, _audible(user))
    )
    if note is None:
        raise NotFound(note_id)
    return note


def add_note(
    article: LawArticle,
    f: IO[bytes],
    *,
    actor: Actor,
    max_bytes: int,
    max_seconds: int,
    now: datetime,
) -> ArticleAudio:
    """Check the recording, store it, and attach it to ``article`` for the uploader's town."""
    unit = note_unit(actor.user) if actor.user is not None else None
    if unit is None:
        raise PermissionDenied(Perm.MANAGE_STUDY)
    stored = media.accept(
        f, media.MediaKind.AUDIO, max_bytes=max_bytes, max_seconds=max_seconds, error=LawError
    )
    del stored["kind"]  # always audio
    note = ArticleAudio(
        article=article, unit=unit, uploaded_by=actor.user, uploaded_at=now, **stored
    )
    db.session.add(note)
    db.session.flush()
    record(actor, "law.audio", note)
    return note


def delete_note(note: ArticleAudio, *, actor: Actor) -> str:
    """Delete the note; returns its file's stored name, to remove once committed."""
    if actor.user is None or not may_delete(actor.user, note):
        raise PermissionDenied(Perm.MANAGE_STUDY)
    record(actor, "law.audio_delete", note)
    db.session.delete(note)
    db.session.flush()
    return note.stored_name


def record(actor: Actor, action: str, note: ArticleAudio) -> None:
    audit.record(action, actor=actor.user, address=actor.address, obj=note, detail=_detail(note))


def _detail(note: ArticleAudio) -> str:
    article = note.article
    # The size, not the length: the audit log shows no durations (tests/live/minutes.py).
    size = f"{note.size_bytes // 1024}KB"
    return f"{article.law.display_name}{article.label}，{note.unit.name}，{size}"


@signals.person_anonymised.connect
def _forget_recordings(person: User, **_) -> None:
    """The retention purge: a person's voice is theirs; their recordings go."""
    for note in db.session.scalars(
        sa.select(ArticleAudio).where(ArticleAudio.uploaded_by_id == person.id)
    ):
        db.session.delete(note)
        media.remove(note.stored_name)
