"""意见建议: sending a complaint or suggestion, the admins' list of them, answering.

Who answers: an ADMIN (Perm.ANSWER_FEEDBACK) over the sender's unit when it was sent —
the town's admins and the district's. A 单位管理员 is not one: a complaint may be about
their own village, and the town answers for the platform. 对本镇匿名 hides the sender
from everyone but an ADMIN granted on a 区 (district) unit above the sender's unit.
Sending is not audited (an audit row names its actor: the town's admins would read the
sender of an anonymous item off the log); answering is.
"""

from datetime import datetime

import sqlalchemy as sa

from ..core.exceptions import NotFound
from ..core.time import to_local
from ..extensions import db
from ..org import audit
from ..org.models import OrgUnit, Role, UnitKind, User
from ..org.permissions import Perm, can, scope_filter
from ..org.services import Actor
from .models import Feedback, FeedbackKind

MAX_TEXT = 1000
ANONYMOUS = "匿名"


class FeedbackError(Exception):
    """Refused; the message is shown to the person."""


def _clean(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise FeedbackError(f"请填写{what}")
    if len(text) > MAX_TEXT:
        raise FeedbackError(f"{what}不能超过{MAX_TEXT}字（现有{len(text)}字）")
    return text


def send(*, user: User, kind: FeedbackKind, text: str, anonymous: bool, now: datetime) -> Feedback:
    item = Feedback(
        kind=kind,
        text=_clean(text, "内容"),
        anonymous=bool(anonymous),
        sender_id=user.id,
        unit_id=user.unit_id,
        created_at=now,
    )
    db.session.add(item)
    db.session.flush()
    return item


def mine(user: User) -> list[Feedback]:
    """What ``user`` sent, newest first, with the answers."""
    return list(
        db.session.scalars(
            sa.select(Feedback)
            .where(Feedback.sender_id == user.id)
            .order_by(Feedback.created_at.desc(), Feedback.id.desc())
        )
    )


def _in_scope(viewer: User) -> sa.Select:
    return (
        sa.select(Feedback)
        .join(OrgUnit, Feedback.unit_id == OrgUnit.id)
        .where(scope_filter(viewer, Perm.ANSWER_FEEDBACK, OrgUnit.path))
    )


def open_items(viewer: User) -> list[Feedback]:
    """Unanswered items of the viewer's subtrees, the longest waiting first."""
    query = _in_scope(viewer).where(Feedback.answered_at.is_(None))
    return list(db.session.scalars(query.order_by(Feedback.created_at, Feedback.id)))


def answered_select(viewer: User) -> sa.Select:
    """Answered items of the viewer's subtrees, the latest answered first."""
    query = _in_scope(viewer).where(Feedback.answered_at.is_not(None))
    return query.order_by(Feedback.answered_at.desc(), Feedback.id.desc())


def get_for_answer(item_id: int, viewer: User) -> Feedback:
    item = db.session.get(Feedback, item_id)
    if item is None or not can(viewer, Perm.ANSWER_FEEDBACK, item.unit):
        raise NotFound
    return item


def is_district_admin_over(viewer: User, unit: OrgUnit) -> bool:
    """An ADMIN granted on a 区 unit whose subtree holds ``unit``."""
    return any(
        g.role == Role.ADMIN
        and g.unit.kind == UnitKind.DISTRICT
        and g.unit.active
        and g.unit.contains(unit)
        for g in viewer.grants
    )


def sender_shown(viewer: User, item: Feedback) -> str:
    """The sender as ``viewer`` may see them: name and unit, or 匿名."""
    if item.anonymous and not is_district_admin_over(viewer, item.unit):
        return ANONYMOUS
    label = f"{item.sender.name}（{item.unit.name}）"
    return f"{label}，{ANONYMOUS}提交" if item.anonymous else label


def waiting_days(item: Feedback, now: datetime) -> int:
    """Whole days since sending, by Beijing dates (sent today: 0)."""
    end = item.answered_at or now
    return (to_local(end).date() - to_local(item.created_at).date()).days


def answer(item: Feedback, *, text: str, actor: Actor, now: datetime) -> None:
    if actor.user is None or not can(actor.user, Perm.ANSWER_FEEDBACK, item.unit):
        raise NotFound
    if not item.is_open:
        raise FeedbackError("该意见建议已答复")
    item.answer = _clean(text, "答复")
    item.answered_at = now
    item.answered_by_id = actor.user.id
    audit.record(
        "feedback.answer",
        actor=actor.user,
        address=actor.address,
        obj=item,
        detail=item.kind.label,
    )
    db.session.flush()
