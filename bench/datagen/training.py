"""Training sessions of every town with their attendance, bulk-inserted."""

import random
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from yongxi_learn.extensions import db
from yongxi_learn.org.models import OrgUnit, User
from yongxi_learn.training.models import (
    Attendance,
    AttendanceMethod,
    SessionStatus,
    TrainingKind,
    TrainingSession,
)
from yongxi_learn.training.services import ensure_default_kinds

from .people import BATCH, Progress, batches

ATTENDANCE_RATE = 0.6


def add_sessions(
    towns: list[OrgUnit], per_town: int, year: int, rng: random.Random, progress: Progress
) -> int:
    """``per_town`` sessions in each town, each attended by ~60% of its people."""
    ensure_default_kinds()
    kinds = list(db.session.scalars(sa.select(TrainingKind.id).order_by(TrainingKind.position)))
    total = 0
    for town in towns:
        people = db.session.execute(
            sa.select(User.id, User.unit_id, User.category)
            .join(OrgUnit, OrgUnit.id == User.unit_id)
            .where(OrgUnit.path.startswith(town.path))
        ).all()
        for n in range(per_town):
            starts = datetime(year, 1 + n % 11, 10, 1, 0) + timedelta(days=rng.randrange(15))
            session_id = _session(town, kinds[n % len(kinds)], n, year, starts)
            total += _attend(session_id, people, starts, rng)
        progress(1)
    return total


def _session(town: OrgUnit, kind_id: int, n: int, year: int, starts: datetime) -> int:
    session = TrainingSession(
        owner_unit_id=town.id,
        kind_id=kind_id,
        topic=f"{town.name}法治专题学习（压测第{n + 1}次）",
        year=year,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        hours=Decimal(2),
        audience={"units": [town.id]},
        status=SessionStatus.SCHEDULED,
    )
    db.session.add(session)
    db.session.flush()
    return session.id


def _attend(session_id: int, people, starts: datetime, rng: random.Random) -> int:
    chosen = [p for p in people if rng.random() < ATTENDANCE_RATE]
    rows = (
        {
            "session_id": session_id,
            "user_id": p.id,
            "unit_id": p.unit_id,
            "category": p.category,
            "signed_at": starts + timedelta(minutes=rng.randrange(-10, 20)),
            "method": AttendanceMethod.QR,
            "walk_in": False,
            "reason": "",
            "revoke_reason": "",
        }
        for p in chosen
    )
    for batch in batches(rows, BATCH):
        db.session.execute(sa.insert(Attendance), batch)
    return len(chosen)
