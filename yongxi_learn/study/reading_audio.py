"""语音讲解 on a reading assignment: a short explanation recorded on a phone and
uploaded (the file through core/media.py), played on the reading's page.

Who records one: an admin who manages the reading (MANAGE_STUDY over its owner unit).
Who hears it: the people the reading is given to, and those who may view the reading's
figures (VIEW_STUDY over or under its owner). Who deletes it: the uploader, or an admin
who manages the reading. Uploads and deletions are audited; a closed year's reading
keeps what it had.
"""

from datetime import datetime
from typing import IO

import sqlalchemy as sa
from sqlalchemy import orm

from ..core import media
from ..core.exceptions import NotFound, PermissionDenied
from ..extensions import db
from ..org import signals
from ..org.models import User
from ..org.permissions import Perm, can
from ..org.services import Actor
from .common import StudyError, ensure_manage, ensure_year_not_closed, may_view, record
from .reading_models import ReadingAssignment, ReadingAudio
from .readings import assigned, year_of


def notes_of(reading: ReadingAssignment) -> list[ReadingAudio]:
    return list(
        db.session.scalars(
            sa.select(ReadingAudio)
            .where(ReadingAudio.assignment_id == reading.id)
            .options(orm.joinedload(ReadingAudio.uploaded_by))
            .order_by(ReadingAudio.uploaded_at, ReadingAudio.id)
        )
    )


def may_delete(user: User, note: ReadingAudio) -> bool:
    return note.uploaded_by_id == user.id or can(
        user, Perm.MANAGE_STUDY, note.assignment.owner_unit
    )


def get_audible(note_id: int, user: User) -> ReadingAudio:
    """The note if ``user`` may hear it; NotFound otherwise."""
    note = db.session.get(ReadingAudio, note_id)
    if note is None:
        raise NotFound(note_id)
    reading = note.assignment
    if not (assigned(reading, user) or may_view(user, reading.owner_unit)):
        raise NotFound(note_id)
    return note


def add_note(
    reading: ReadingAssignment,
    f: IO[bytes],
    *,
    actor: Actor,
    max_bytes: int,
    max_seconds: int,
    now: datetime,
) -> ReadingAudio:
    if actor.user is None:
        raise PermissionDenied(Perm.MANAGE_STUDY)
    ensure_manage(actor, reading.owner_unit)
    ensure_year_not_closed(reading.owner_unit, year_of(reading))
    stored = media.accept(
        f, media.MediaKind.AUDIO, max_bytes=max_bytes, max_seconds=max_seconds, error=StudyError
    )
    del stored["kind"]  # always audio
    note = ReadingAudio(assignment=reading, uploaded_by=actor.user, uploaded_at=now, **stored)
    db.session.add(note)
    db.session.flush()
    record(actor, "reading.audio", reading, f"{reading.title}，{note.size_bytes // 1024}KB")
    return note


def delete_note(note: ReadingAudio, *, actor: Actor) -> str:
    """Delete the note; returns its file's stored name, to remove once committed."""
    reading = note.assignment
    if actor.user is None or not may_delete(actor.user, note):
        raise PermissionDenied(Perm.MANAGE_STUDY)
    ensure_year_not_closed(reading.owner_unit, year_of(reading))
    record(actor, "reading.audio_delete", reading, f"{reading.title}，{note.size_bytes // 1024}KB")
    db.session.delete(note)
    db.session.flush()
    return note.stored_name


@signals.person_anonymised.connect
def _forget_recordings(person: User, **_) -> None:
    """The retention purge: a person's voice is theirs; their recordings go."""
    for note in db.session.scalars(
        sa.select(ReadingAudio).where(ReadingAudio.uploaded_by_id == person.id)
    ):
        db.session.delete(note)
        media.remove(note.stored_name)
