"""The projector's QR code and 6-digit code, and the short-lived ticket a scan gives.

Time is cut into slots of ``SLOT_SECONDS``. The QR code holds a token signed for
(session, slot); it is accepted in its slot and the next one, so a code scanned just
before it rotates still works. Scanning exchanges it for a ticket valid for
``TICKET_SECONDS``: long enough to log in on a phone, and the ticket alone records
nothing — the person confirms with a POST. The 6-digit code is an HMAC of the same
(session, slot), for phones that cannot scan.
"""

import hmac
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from ..extensions import db
from .models import AttendanceMethod, SessionStatus, TrainingSession
from .services import SIGNIN_AFTER

SLOT_SECONDS = 60
OPEN_BEFORE = timedelta(minutes=30)
OPEN_AFTER = SIGNIN_AFTER
TICKET_SECONDS = 15 * 60


class SigninRefused(Exception):
    """The code or window does not allow signing in; the message is shown."""


EXPIRED = "二维码已过期，请重新扫描投影屏幕上的最新二维码"
INVALID = "二维码无效，请扫描投影屏幕上的二维码"


def slot_of(now: datetime) -> int:
    return int(now.replace(tzinfo=UTC).timestamp()) // SLOT_SECONDS


def seconds_left(now: datetime) -> int:
    """Until the QR code on the projector rotates."""
    return SLOT_SECONDS - int(now.replace(tzinfo=UTC).timestamp()) % SLOT_SECONDS


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=salt)


def is_open(session: TrainingSession, now: datetime) -> bool:
    return (
        session.status is SessionStatus.SCHEDULED
        and session.starts_at - OPEN_BEFORE <= now <= session.ends_at + OPEN_AFTER
    )


def ensure_open(session: TrainingSession, now: datetime) -> None:
    if session.status is SessionStatus.CANCELLED:
        raise SigninRefused("本次学习已取消")
    if now < session.starts_at - OPEN_BEFORE:
        raise SigninRefused("签到尚未开始：开始前30分钟起可以签到")
    if now > session.ends_at + OPEN_AFTER:
        raise SigninRefused("签到已结束：结束30分钟后不能再签到，如已参加请联系管理员补录")


def make_token(session: TrainingSession, now: datetime) -> str:
    return _serializer("training-qr").dumps([session.id, slot_of(now)])


def check_token(session: TrainingSession, token: str, now: datetime) -> None:
    try:
        session_id, slot = _serializer("training-qr").loads(token)
    except (BadSignature, ValueError, TypeError) as exc:
        raise SigninRefused(INVALID) from exc
    if session_id != session.id or not isinstance(slot, int):
        raise SigninRefused(INVALID)
    if slot_of(now) - slot not in (0, 1):
        raise SigninRefused(EXPIRED)
    ensure_open(session, now)


def code_for(session: TrainingSession, slot: int) -> str:
    digest = hmac.new(
        current_app.secret_key.encode(), f"training-code:{session.id}:{slot}".encode(), "sha256"
    ).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def current_code(session: TrainingSession, now: datetime) -> str:
    return code_for(session, slot_of(now))


def find_by_code(code: str, now: datetime) -> TrainingSession:
    """The open session whose code (this slot or the last) is ``code``."""
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        raise SigninRefused("请输入投影屏幕上的6位签到码")
    candidates = db.session.scalars(
        sa.select(TrainingSession).where(
            TrainingSession.status == SessionStatus.SCHEDULED,
            TrainingSession.starts_at <= now + OPEN_BEFORE,
            TrainingSession.ends_at >= now - OPEN_AFTER,
        )
    )
    slot = slot_of(now)
    matches = [
        s
        for s in candidates
        if any(hmac.compare_digest(code_for(s, n), code) for n in (slot, slot - 1))
    ]
    if len(matches) != 1:
        # Two sessions sharing a code is a one-in-a-million chance; scanning still works.
        raise SigninRefused("签到码不正确或已过期，请输入屏幕上最新的签到码")
    return matches[0]


def make_ticket(session: TrainingSession, now: datetime, method: AttendanceMethod) -> str:
    issued = int(now.replace(tzinfo=UTC).timestamp())
    return _serializer("training-ticket").dumps([session.id, issued, method.value])


def check_ticket(ticket: str, now: datetime) -> tuple[int, AttendanceMethod]:
    """The session a ticket is for and how it was got, if genuine and recent."""
    try:
        session_id, issued, method = _serializer("training-ticket").loads(ticket)
        method = AttendanceMethod(method)
    except (BadSignature, ValueError, TypeError) as exc:
        raise SigninRefused(INVALID) from exc
    if not isinstance(session_id, int) or not isinstance(issued, int):
        raise SigninRefused(INVALID)
    age = int(now.replace(tzinfo=UTC).timestamp()) - issued
    if not 0 <= age <= TICKET_SECONDS:
        raise SigninRefused(EXPIRED)
    return session_id, method
