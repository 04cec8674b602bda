"""``training_tally``: each person's counted attendance per year (times, hours), by the
unit and category they signed in with. The training services call ``people_changed``
or ``session_changed`` in the same transaction as the change; each recomputes the
people's rows of those years from the sign-ins (never by adding one), so the table
always equals ``source_select`` grouped from the rows it sums.

On PostgreSQL the people are locked first (a transaction-level advisory lock per
person, in id order) and the rows are recomputed by later statements, which see the
work of every transaction that held the lock before. SQLite has one writer at a time.
"""

from collections.abc import Iterable

import sqlalchemy as sa

from ..core.db import lock_people
from ..extensions import db
from .models import Attendance, SessionStatus, TrainingSession, TrainingTally

# pg_advisory_xact_lock(LOCK_SPACE, user_id): one lock per person, for this table only.
LOCK_SPACE = 7302


def source_select(years: Iterable[int] | None = None, user_ids: Iterable[int] | None = None):
    """(year, user_id, unit_id, category, times, hours) grouped from the sign-ins that
    count: not undone, at a session that was not cancelled."""
    query = (
        sa.select(
            TrainingSession.year,
            Attendance.user_id,
            Attendance.unit_id,
            Attendance.category,
            sa.func.count().label("times"),
            sa.func.sum(TrainingSession.hours).label("hours"),
        )
        .join(TrainingSession, Attendance.session_id == TrainingSession.id)
        .where(
            TrainingSession.status == SessionStatus.SCHEDULED,
            Attendance.revoked_at.is_(None),
        )
        .group_by(TrainingSession.year, Attendance.user_id, Attendance.unit_id, Attendance.category)
    )
    if years is not None:
        query = query.where(TrainingSession.year.in_(sorted(set(years))))
    if user_ids is not None:
        query = query.where(Attendance.user_id.in_(sorted(set(user_ids))))
    return query


COLUMNS = ["year", "user_id", "unit_id", "category", "times", "hours"]


def people_changed(years: Iterable[int], user_ids: Iterable[int]) -> None:
    """Recompute these people's rows of these years."""
    years, user_ids = sorted(set(years)), sorted(set(user_ids))
    if not years or not user_ids:
        return
    lock_people(LOCK_SPACE, user_ids)
    db.session.execute(
        sa.delete(TrainingTally).where(
            TrainingTally.year.in_(years), TrainingTally.user_id.in_(user_ids)
        )
    )
    db.session.execute(
        sa.insert(TrainingTally).from_select(COLUMNS, source_select(years, user_ids))
    )


def session_changed(session: TrainingSession, *years: int) -> None:
    """A session was cancelled, or its year or hours changed: recompute everyone who
    ever signed in to it, for its year and any earlier one given."""
    people = db.session.scalars(
        sa.select(Attendance.user_id).where(Attendance.session_id == session.id)
    ).all()
    people_changed({session.year, *years}, people)


def rebuild(years: Iterable[int] | None = None) -> None:
    """Recompute the whole table (or these years) from the sign-ins: bulk loads, repairs."""
    delete = sa.delete(TrainingTally)
    if years is not None:
        delete = delete.where(TrainingTally.year.in_(sorted(set(years))))
    db.session.execute(delete)
    db.session.execute(sa.insert(TrainingTally).from_select(COLUMNS, source_select(years)))
