"""Training sessions: kinds, create / edit / cancel, and which sessions a person sees."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from ..core.time import to_local
from ..extensions import db
from ..laws.models import Law, LawStatus
from ..org import audience as audience_module
from ..org import audit
from ..org.audience import AudienceError
from ..org.models import OrgUnit, User
from ..org.permissions import Perm, can, ensure, scope_units
from ..org.services import Actor
from ..org.year_close import ensure_year_open
from . import tally
from .models import DEFAULT_KINDS, SessionLaw, SessionStatus, TrainingKind, TrainingSession

MAX_REASON = 200
# Sign-in stays open this long after the end (see signin.py, which imports this module).
SIGNIN_AFTER = timedelta(minutes=30)
MAX_HOURS = Decimal(24)


class TrainingError(Exception):
    """A change that cannot be made; the message is shown."""


def audit_training(actor: Actor, action: str, obj, detail: str = "") -> None:
    audit.record(action, actor=actor.user, address=actor.address, obj=obj, detail=detail)


def ensure_manage(actor: Actor, session: TrainingSession) -> None:
    # The system actor (CLI, demo data) is trusted; people are checked.
    if actor.user is not None:
        ensure(actor.user, Perm.MANAGE_TRAINING, session.owner_unit)


def ensure_year_not_closed(
    session: TrainingSession, year: int | None = None, people_units=(), error=TrainingError
) -> None:
    """A session of a closed year (年度关账) and its attendance no longer change."""
    ensure_year_open(
        session.owner_unit, year or session.year, people_units=people_units, error=error
    )


def clean_reason(text: str, *, required: str) -> str:
    reason = " ".join((text or "").split())
    if not reason:
        raise TrainingError(required)
    if len(reason) > MAX_REASON:
        raise TrainingError(f"原因不能超过{MAX_REASON}个字")
    return reason


# ---------------------------------------------------------------- kinds


def ensure_default_kinds() -> None:
    """The built-in kinds (the migration adds them; databases made by create_all, too)."""
    present = set(db.session.scalars(sa.select(TrainingKind.code)))
    for position, (code, name) in enumerate(DEFAULT_KINDS.items()):
        if code not in present:
            db.session.add(TrainingKind(name=name, code=code, position=position))
    db.session.flush()


def kinds(unit: OrgUnit | None = None, *, include_inactive: bool = False) -> list[TrainingKind]:
    """The built-in kinds, and those added by ``unit`` or a unit above it (a town's
    kinds are its villages' too, never another town's). No unit: the built-in ones."""
    query = sa.select(TrainingKind).order_by(TrainingKind.position, TrainingKind.id)
    owners = list(unit.path_ids) if unit is not None else []
    query = query.where(
        sa.or_(TrainingKind.owner_unit_id.is_(None), TrainingKind.owner_unit_id.in_(owners))
    )
    if not include_inactive:
        query = query.where(TrainingKind.active)
    return list(db.session.scalars(query))


def kinds_for(
    user: User, perm: Perm = Perm.MANAGE_TRAINING, *, include_inactive: bool = True
) -> list[TrainingKind]:
    """The kinds a person's pages offer: built in, and those of the units in their
    ``perm`` scope and of the units above them."""
    seen: dict[int, TrainingKind] = {}
    for unit in scope_units(user, perm):
        for kind in kinds(unit, include_inactive=include_inactive):
            seen.setdefault(kind.id, kind)
    return sorted(seen.values(), key=lambda k: (k.position, k.id))


def may_change_kind(user: User | None, kind: TrainingKind) -> bool:
    """Built-in kinds are the report's; an added kind belongs to its unit's admins."""
    if kind.code is not None or kind.owner_unit is None:
        return False
    return user is None or can(user, Perm.MANAGE_TRAINING, kind.owner_unit)


def add_kind(name: str, owner: OrgUnit, *, actor: Actor) -> TrainingKind:
    if actor.user is not None:
        ensure(actor.user, Perm.MANAGE_TRAINING, owner)
    name = " ".join((name or "").split())
    if not name or len(name) > 50:
        raise TrainingError("类型名称须为1至50个字")
    if any(k.name == name for k in kinds(owner, include_inactive=True)):
        raise TrainingError(f"已有“{name}”类型")
    last = db.session.scalar(sa.select(sa.func.max(TrainingKind.position))) or 0
    kind = TrainingKind(name=name, owner_unit_id=owner.id, position=last + 1)
    db.session.add(kind)
    db.session.flush()
    audit_training(actor, "training.kind", kind, detail=f"{owner.name}新增类型“{name}”")
    return kind


def set_kind_active(kind: TrainingKind, active: bool, *, actor: Actor) -> None:
    if not may_change_kind(actor.user, kind):
        raise TrainingError("内置类型和上级单位添加的类型不能在此停用或启用")
    if kind.active == active:
        return
    kind.active = active
    verb = "启用" if active else "停用"
    audit_training(actor, "training.kind", kind, detail=f"{verb}“{kind.name}”")
    db.session.flush()


def _usable(kind: TrainingKind, unit: OrgUnit) -> bool:
    """Active, and built in or added by ``unit`` or a unit above it."""
    owned = kind.owner_unit_id is None or kind.owner_unit_id in unit.path_ids
    return kind.active and owned


# ---------------------------------------------------------------- sessions


@dataclass
class SessionData:
    kind_id: int
    topic: str
    starts_at: datetime  # naive UTC
    ends_at: datetime
    place: str = ""
    lecturer: str = ""
    lecturer_external: bool = False
    laws: str = ""
    hours: Decimal = Decimal(2)
    audience: dict = field(default_factory=dict)
    notes: str = ""
    law_ids: list[int] = field(default_factory=list)  # laws of the library it covered


def _apply(session: TrainingSession, data: SessionData) -> None:
    kind = db.session.get(TrainingKind, data.kind_id)
    # A session keeps its kind even once retired; a new choice must be usable here.
    if kind is None or (kind.id != session.kind_id and not _usable(kind, session.owner_unit)):
        raise TrainingError("请选择学习类型")
    topic = " ".join((data.topic or "").split())
    if not topic:
        raise TrainingError("请输入学习主题")
    if data.ends_at <= data.starts_at:
        raise TrainingError("结束时间须晚于开始时间")
    if data.hours is None or not (Decimal(0) < data.hours <= MAX_HOURS):
        raise TrainingError("学时须大于0且不超过24")
    try:
        audience_module.check(data.audience, session.owner_unit, noun="应参加人员")
    except AudienceError as exc:
        raise TrainingError(str(exc)) from exc
    session.kind_id, session.topic = kind.id, topic
    session.starts_at, session.ends_at = data.starts_at, data.ends_at
    session.year = to_local(data.starts_at).year
    session.place, session.lecturer = data.place.strip(), data.lecturer.strip()
    session.lecturer_external = data.lecturer_external
    session.laws, session.hours = data.laws.strip(), data.hours
    session.audience, session.notes = data.audience, data.notes.strip()
    _link_laws(session, data.law_ids)


def _link_laws(session: TrainingSession, law_ids: list[int]) -> None:
    """Newly linked laws must be current; a link kept as it was is confirmed (its
    待复核 flag cleared): the admin has seen it while saving."""
    wanted = list(dict.fromkeys(law_ids or []))
    kept = {link.law_id: link for link in session.law_links}
    for law_id in wanted:
        if law_id in kept:
            kept[law_id].needs_review = False
            continue
        law = db.session.get(Law, law_id)
        if law is None or law.status is not LawStatus.CURRENT:
            raise TrainingError("请从法规库中选择现行有效的法律法规")
        session.law_links.append(SessionLaw(law_id=law.id))
    session.law_links[:] = [link for link in session.law_links if link.law_id in wanted]


def create_session(owner: OrgUnit, data: SessionData, *, actor: Actor) -> TrainingSession:
    session = TrainingSession(owner_unit=owner, created_by_id=getattr(actor.user, "id", None))
    ensure_manage(actor, session)
    ensure_year_not_closed(session, to_local(data.starts_at).year)
    _apply(session, data)
    db.session.add(session)
    db.session.flush()
    audit_training(actor, "training.create", session, detail=session.topic)
    return session


def update_session(session: TrainingSession, data: SessionData, *, actor: Actor) -> None:
    ensure_manage(actor, session)
    if session.cancelled:
        raise TrainingError("本次学习已取消，不能再修改")
    ensure_year_not_closed(session)
    ensure_year_not_closed(session, to_local(data.starts_at).year)
    year, hours = session.year, session.hours
    _apply(session, data)
    db.session.flush()
    if (session.year, session.hours) != (year, hours):
        tally.session_changed(session, year)
    audit_training(actor, "training.update", session, detail=session.topic)


def cancel_session(session: TrainingSession, reason: str, *, actor: Actor, now: datetime) -> None:
    """取消: the record and its attendance stay; the figures leave it out."""
    ensure_manage(actor, session)
    if session.cancelled:
        raise TrainingError("本次学习已取消")
    ensure_year_not_closed(session)
    session.cancel_reason = clean_reason(reason, required="请填写取消原因")
    session.status, session.cancelled_at = SessionStatus.CANCELLED, now
    session.cancelled_by_id = getattr(actor.user, "id", None)
    audit_training(actor, "training.cancel", session, detail=f"{session.topic}：{reason}")
    db.session.flush()
    tally.session_changed(session)


# ---------------------------------------------------------------- finding


def visible_clause(user: User, perm: Perm = Perm.VIEW_TRAINING):
    """Sessions organised inside the user's subtrees, and those organised above them
    (a village admin sees the town's sessions, and in them only their own people)."""
    roots = scope_units(user, perm)
    if not roots:
        return sa.false()
    inside = [OrgUnit.path.startswith(r.path, autoescape=True) for r in roots]
    above = [sa.literal(r.path).startswith(OrgUnit.path) for r in roots]
    if perm is Perm.MANAGE_TRAINING:
        return sa.or_(*inside)
    return sa.or_(*inside, *above)


def sessions_select(
    user: User, *, year: int | None = None, kind_id: int | None = None, unit: OrgUnit | None = None
) -> sa.Select:
    query = (
        sa.select(TrainingSession)
        .join(OrgUnit, TrainingSession.owner_unit_id == OrgUnit.id)
        .where(visible_clause(user))
        .order_by(TrainingSession.starts_at.desc(), TrainingSession.id.desc())
    )
    if year:
        query = query.where(TrainingSession.year == year)
    if kind_id:
        query = query.where(TrainingSession.kind_id == kind_id)
    if unit is not None:
        query = query.where(OrgUnit.path.startswith(unit.path, autoescape=True))
    return query


def get_session(session_id: int, *, user: User, perm: Perm) -> TrainingSession | None:
    return db.session.scalar(
        sa.select(TrainingSession)
        .join(OrgUnit, TrainingSession.owner_unit_id == OrgUnit.id)
        .where(TrainingSession.id == session_id, visible_clause(user, perm))
    )


def years(user: User) -> list[int]:
    query = (
        sa.select(TrainingSession.year)
        .join(OrgUnit, TrainingSession.owner_unit_id == OrgUnit.id)
        .where(visible_clause(user))
        .distinct()
        .order_by(TrainingSession.year.desc())
    )
    return list(db.session.scalars(query))


def upcoming_for(user: User, now: datetime, days: int = 7) -> list[sa.Row]:
    """Sessions the person is expected at, from those open for sign-in now to those
    starting within ``days``: topic, kind_name, starts_at and place, as rows (the home
    page of everyone asks); few rows, so membership is checked one by one."""
    window = {"ends_after": now - SIGNIN_AFTER, "starts_before": now + timedelta(days=days)}
    return [s for s in db.session.execute(_UPCOMING, window) if in_audience(s, user)]


# Built once (building a statement costs more Python than running it).
_UPCOMING = (
    sa.select(
        TrainingSession.id,
        TrainingSession.topic,
        TrainingKind.name.label("kind_name"),
        TrainingSession.starts_at,
        TrainingSession.place,
        TrainingSession.audience,
    )
    .join(TrainingKind, TrainingKind.id == TrainingSession.kind_id)
    .where(
        TrainingSession.status == SessionStatus.SCHEDULED,
        TrainingSession.ends_at >= sa.bindparam("ends_after"),
        TrainingSession.starts_at <= sa.bindparam("starts_before"),
    )
    .order_by(TrainingSession.starts_at)
    .limit(50)
)


def in_audience(session: TrainingSession, user: User) -> bool:
    return audience_module.includes(session.audience, user)
