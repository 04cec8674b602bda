"""Who came: signing in from a phone, marks by an admin and their undoing, and the
live list of expected / signed in / missing people."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from ..org import audience as audience_module
from ..org import signals
from ..org.models import OrgUnit, UnitKind, User
from ..org.ordering import unit_positions
from ..org.permissions import Perm, ensure, scope_filter
from ..org.services import Actor
from . import signin, tally
from .models import Attendance, AttendanceMethod, TrainingSession
from .services import (
    TrainingError,
    audit_training,
    clean_reason,
    ensure_manage,
    ensure_year_not_closed,
    in_audience,
)
from .signin import SigninRefused

MARK_REASONS = ["忘带手机", "补录"]


def expected(session: TrainingSession, user: User) -> bool:
    return in_audience(session, user)


def existing(session: TrainingSession, user: User) -> Attendance | None:
    return db.session.scalar(
        sa.select(Attendance).where(
            Attendance.session_id == session.id, Attendance.user_id == user.id
        )
    )


def _record(session, user, *, method, now, reason="", marked_by=None, ticket=None) -> Attendance:
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
    row.ticket = ticket.id if ticket is not None else None
    row.scan_id = (ticket.device or None) if ticket is not None else None
    db.session.flush()
    tally.people_changed([session.year], [user.id])
    return row


def ensure_in_town(session: TrainingSession, user: User) -> None:
    """Only people of the session's town (or district) sign themselves in; inside it,
    someone outside the audience is a walk-in (非应参加)."""
    town = session_town(session)
    if not town.contains(user.unit):
        raise SigninRefused(
            f"本次学习由{town.name}组织，您所在的{user.unit.name}不在{town.name}范围内，不能签到"
        )


def session_town(session: TrainingSession) -> OrgUnit:
    """The town (or district) above or at the session's owner unit."""
    unit = session.owner_unit
    while unit.kind not in (UnitKind.TOWN, UnitKind.DISTRICT) and unit.parent is not None:
        unit = unit.parent
    return unit


def ticket_taken(ticket: signin.Ticket, user: User) -> bool:
    """Someone else was given this link, or signed in with it."""
    if ticket.user_id is not None and ticket.user_id != user.id:
        return True
    holder = db.session.scalar(sa.select(Attendance.user_id).where(Attendance.ticket == ticket.id))
    return holder is not None and holder != user.id


def check_sign_in(session: TrainingSession, user: User, ticket: signin.Ticket, now) -> None:
    """Why ``user`` may not sign in to ``session`` with ``ticket``, as SigninRefused."""
    signin.ensure_open(session, now)
    ensure_in_town(session, user)
    if ticket_taken(ticket, user):
        raise SigninRefused(signin.TAKEN)


def sign_in(
    session: TrainingSession,
    user: User,
    *,
    method: AttendanceMethod,
    now: datetime,
    ticket: signin.Ticket | None = None,
) -> tuple[Attendance, bool]:
    """The person signs themselves in; returns the attendance and whether it is new.
    With a ticket (the phone's link), the ticket is bound to this person."""
    signin.ensure_open(session, now)
    ensure_in_town(session, user)
    ensure_year_not_closed(session, people_units=[user.unit_id], error=SigninRefused)
    before = existing(session, user)
    if before is not None and before.counted:
        return before, False
    if ticket is None:
        return _record(session, user, method=method, now=now), True
    if ticket_taken(ticket, user):
        raise SigninRefused(signin.TAKEN)
    try:
        # Two phones posting one link at once: the unique ticket lets one through.
        with db.session.begin_nested():
            row = _record(session, user, method=method, now=now, ticket=ticket)
    except sa.exc.IntegrityError:
        again = existing(session, user)
        if again is not None and again.counted:  # the same person, twice at once
            return again, False
        raise SigninRefused(signin.TAKEN) from None
    return row, True


def mark(
    session: TrainingSession, person: User, reason: str, *, actor: Actor, now: datetime
) -> Attendance:
    """An admin records that ``person`` attended (忘带手机, 补录...)."""
    ensure_manage(actor, session)
    if actor.user is not None:
        ensure(actor.user, Perm.MANAGE_TRAINING, person.unit)
    if session.cancelled:
        raise TrainingError("本次学习已取消，不能再补录")
    ensure_year_not_closed(session, people_units=[person.unit_id])
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
    ensure_year_not_closed(row.session, people_units=[row.unit_id])
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
    # Attendance id -> the others (names the viewer may see) signed in from the same
    # phone's scans: a forwarded link, or one phone signing in several people.
    shared: dict[int, list[str]]

    @property
    def shared_count(self) -> int:
        return sum(r.attendance is not None and r.attendance.id in self.shared for r in self.rows)

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
    return Roster(rows, _shared_scans(session, rows))


def _shared_scans(session: TrainingSession, rows: list[RosterRow]) -> dict[int, list[str]]:
    """Counted sign-ins whose scan came from one device, with the others' names; the
    others outside the viewer's roster are counted, not named."""
    by_device: dict[str, list[int]] = {}
    query = sa.select(Attendance.scan_id, Attendance.user_id).where(
        Attendance.session_id == session.id,
        Attendance.revoked_at.is_(None),
        Attendance.scan_id.is_not(None),
    )
    for device, user_id in db.session.execute(query):
        by_device.setdefault(device, []).append(user_id)
    names = {r.person.id: r.person.name for r in rows}
    shared = {}
    for r in rows:
        a = r.attendance
        group = by_device.get(a.scan_id, []) if a is not None and a.scan_id else []
        if len(group) < 2:
            continue
        others = [u for u in group if u != a.user_id]
        shown = [names[u] for u in others if u in names]
        hidden = len(others) - len(shown)
        shared[a.id] = shown + ([f"另{hidden}人（不在您的管理范围）"] if hidden else [])
    return shared


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


@signals.person_anonymised.connect
def _forget_devices(person: User, **_) -> None:
    """The retention purge: the device cookie a person's sign-ins came from is personal
    data; the sign-ins themselves stay counted."""
    db.session.execute(
        sa.update(Attendance)
        .where(Attendance.user_id == person.id, Attendance.scan_id.is_not(None))
        .values(scan_id=None)
        .execution_options(synchronize_session=False)
    )
