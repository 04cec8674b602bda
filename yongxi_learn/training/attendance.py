"""Who came: signing in from a phone, marks by an admin and their undoing, and the
live list of expected / signed in / missing people."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ..core.permissions import Perm, ensure, scope_filter
from ..extensions import db
from ..org import audience as audience_module
from ..org.models import OrgUnit, User
from ..org.ordering import unit_positions
from ..org.services import Actor
from . import signin, tally
from .models import Attendance, AttendanceMethod, TrainingSession
from .services import TrainingError, audit_training, clean_reason, ensure_manage, in_audience

MARK_REASONS = ["忘带手机", "补录"]


def expected(session: TrainingSession, user: User) -> bool:
    return in_audience(session, user)


def existing(session: TrainingSession, user: User) -> Attendance | None:
    return db.session.scalar(
        sa.select(Attendance).where(
            Attendance.session_id == session.id, Attendance.user_id == user.id
        )
    )


def _record(session, user, *, method, now, reason="", marked_by=None) -> Attendance:
    """Insert, or reinstate an undone mark. A second sign-in keeps the first time."""
    row = existing(session, user)
    if row is not None and row.counted:
        return row
    if row is None:
        row = Attendance(session_id=session.id, user_id=user.id)
        db.session.add(row)
    row.unit_id, row.category = user.unit_id, user.category
    row.signed_at, row.method, row.reason = now, method, reason
    row.walk_in = not expected(session, user)
    row.marked_by_id = getattr(marked_by, "id", None)
    row.revoked_at, row.revoked_by_id, row.revoke_reason = None, None, ""
    db.session.flush()
    tally.people_changed([session.year], [user.id])
    return row


def sign_in(
    session: TrainingSession, user: User, *, method: AttendanceMethod, now: datetime
) -> tuple[Attendance, bool]:
    """The person signs themselves in; returns the attendance and whether it is new."""
    signin.ensure_open(session, now)
    before = existing(session, user)
    if before is not None and before.counted:
        return before, False
    return _record(session, user, method=method, now=now), True


def mark(
    session: TrainingSession, person: User, reason: str, *, actor: Actor, now: datetime
) -> Attendance:
    """An admin records that ``person`` attended (忘带手机, 补录...)."""
    ensure_manage(actor, session)
    if actor.user is not None:
        ensure(actor.user, Perm.MANAGE_TRAINING, person.unit)
    if session.cancelled:
        raise TrainingError("本次学习已取消，不能再补录")
    reason = clean_reason(reason, required="请填写补录原因")
    row = existing(session, person)
    if row is not None and row.counted:
        raise TrainingError(f"{person.name}已签到")
    row = _record(
        session,
        person,
        method=AttendanceMethod.MANUAL,
        now=now,
        reason=reason,
        marked_by=actor.user,
    )
    detail = f"{session.topic}：{person.name}（{reason}）"
    audit_training(actor, "training.mark", row, detail=detail)
    return row


def unmark(row: Attendance, reason: str, *, actor: Actor, now: datetime) -> None:
    """Undo a wrong sign-in or mark; the row stays, no longer counted."""
    ensure_manage(actor, row.session)
    if actor.user is not None:
        ensure(actor.user, Perm.MANAGE_TRAINING, row.unit)
    if not row.counted:
        raise TrainingError(f"{row.user.name}的签到已撤销")
    reason = clean_reason(reason, required="请填写撤销原因")
    row.revoked_at, row.revoke_reason = now, reason
    row.revoked_by_id = getattr(actor.user, "id", None)
    audit_training(
        actor, "training.unmark", row, detail=f"{row.session.topic}：{row.user.name}（{reason}）"
    )
    db.session.flush()
    tally.people_changed([row.session.year], [row.user_id])


def get_attendance(attendance_id: int, session: TrainingSession) -> Attendance | None:
    return db.session.scalar(
        sa.select(Attendance).where(
            Attendance.id == attendance_id, Attendance.session_id == session.id
        )
    )


# ---------------------------------------------------------------- the live list


@dataclass
class RosterRow:
    person: User
    unit: OrgUnit
    attendance: Attendance | None  # counted attendance, or None (missing)
    is_expected: bool

    @property
    def status(self) -> str:
        if self.attendance is None:
            return "未签到"
        return "已签到（非应参加）" if self.attendance.walk_in else "已签到"


@dataclass
class Roster:
    rows: list[RosterRow]

    @property
    def expected(self) -> int:
        return sum(r.is_expected for r in self.rows)

    @property
    def signed_in(self) -> int:
        return sum(r.attendance is not None for r in self.rows)

    @property
    def expected_signed_in(self) -> int:
        return sum(r.is_expected and r.attendance is not None for r in self.rows)

    @property
    def walk_ins(self) -> int:
        return sum(r.attendance is not None and not r.is_expected for r in self.rows)

    @property
    def missing(self) -> list[RosterRow]:
        return [r for r in self.rows if r.attendance is None]


def roster(session: TrainingSession, *, viewer: User) -> Roster:
    """Expected people and everyone who signed in, limited to the viewer's subtrees.

    A sign-in is listed at the unit the person signed in at (as every figure counts
    it), also when they have moved since: in the old unit's list, and in the new
    unit's as signed in there (not as missing)."""
    expected = audience_module.people_select(session.audience).where(
        scope_filter(viewer, Perm.VIEW_TRAINING)
    )
    people = db.session.scalars(expected).all()
    signed = db.session.scalars(
        sa.select(Attendance)
        .join(OrgUnit, Attendance.unit_id == OrgUnit.id)
        .where(
            Attendance.session_id == session.id,
            Attendance.revoked_at.is_(None),
            sa.or_(
                scope_filter(viewer, Perm.VIEW_TRAINING),
                Attendance.user_id.in_(
                    expected.with_only_columns(User.id).order_by(None).correlate(None)
                ),
            ),
        )
    ).all()
    by_user = {a.user_id: a for a in signed}
    rows = []
    for p in people:
        a = by_user.pop(p.id, None)
        rows.append(RosterRow(p, a.unit if a else p.unit, a, True))
    # Signed in but not in the audience now: 非应参加 at sign-in, or moved out since.
    rows += [RosterRow(a.user, a.unit, a, not a.walk_in) for a in by_user.values()]
    positions = unit_positions()
    rows.sort(
        key=lambda r: (
            r.attendance is not None,
            positions.get(r.unit.id, len(positions)),
            r.person.post_rank,
            r.person.name_sort,
        )
    )
    return Roster(rows)


def revoked(session: TrainingSession, *, viewer: User) -> list[Attendance]:
    query = _scoped(session, viewer).where(Attendance.revoked_at.is_not(None))
    return list(db.session.scalars(query.order_by(Attendance.revoked_at)))


def _scoped(session: TrainingSession, viewer: User) -> sa.Select:
    """The session's attendance rows of people in the viewer's subtrees (unit at sign-in)."""
    return (
        sa.select(Attendance)
        .join(OrgUnit, Attendance.unit_id == OrgUnit.id)
        .where(Attendance.session_id == session.id, scope_filter(viewer, Perm.VIEW_TRAINING))
    )
