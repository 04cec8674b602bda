"""The projector's QR code and 6-digit code, and the short-lived ticket a scan gives.

Time is cut into slots of ``SLOT_SECONDS``. The QR code holds a token signed for
(session, slot); it is accepted in its slot and the next one, so a code scanned just
before it rotates still works. Scanning exchanges it for a ticket valid for
``TICKET_SECONDS``: long enough to log in on a phone, and the ticket alone records
nothing — the person confirms with a POST. The 6-digit code is an HMAC of the same
(session, slot), for phones that cannot scan.

A ticket signs in one person: it carries a random id, which the attendance row keeps
(unique), and the person logged in when it was issued, if any. It also carries the
scanning browser's device cookie, so the admin sees sign-ins that came from one
phone's scans (a link forwarded, or one phone signing in several people).
"""

import hmac
import re
import secrets
from dataclasses import dataclass
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
# Long enough to log in (a first login also changes the password), short enough that
# a forwarded link is of little use; the ticket is bound to one person anyway.
TICKET_SECONDS = 5 * 60
DEVICE_COOKIE = "yx_scan"
_DEVICE_ID = re.compile(r"[A-Za-z0-9_-]{16,32}")


class SigninRefused(Exception):
    """The code or window does not allow signing in; the message is shown."""


EXPIRED = "二维码已过期，请重新扫描投影屏幕上的最新二维码"
INVALID = "二维码无效，请扫描投影屏幕上的二维码"
TAKEN = "此签到链接已被他人使用，请自己扫描现场二维码"


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


def device_id(cookie: str | None) -> str:
    """The browser's device id from its cookie, or a new one for a browser without."""
    if cookie and _DEVICE_ID.fullmatch(cookie):
        return cookie
    return secrets.token_urlsafe(12)


@dataclass(frozen=True)
class Ticket:
    session_id: int
    method: AttendanceMethod
    id: str  # random, one per scan or typed code; the attendance row keeps it (unique)
    device: str  # the device cookie of the browser that scanned or typed the code
    user_id: int | None  # who was logged in when it was issued: theirs alone


def make_ticket(
    session: TrainingSession,
    now: datetime,
    method: AttendanceMethod,
    *,
    device: str = "",
    user_id: int | None = None,
) -> str:
    issued = int(now.replace(tzinfo=UTC).timestamp())
    payload = [session.id, issued, method.value, secrets.token_urlsafe(9), device, user_id]
    return _serializer("training-ticket").dumps(payload)


def check_ticket(ticket: str, now: datetime) -> Ticket:
    """The ticket, if genuine and recent."""
    try:
        session_id, issued, method, ticket_id, device, user_id = _serializer(
            "training-ticket"
        ).loads(ticket)
        method = AttendanceMethod(method)
    except (BadSignature, ValueError, TypeError) as exc:
        raise SigninRefused(INVALID) from exc
    if not all(isinstance(v, int) for v in (session_id, issued)) or not (
        isinstance(ticket_id, str) and isinstance(device, str)
    ):
        raise SigninRefused(INVALID)
    if user_id is not None and not isinstance(user_id, int):
        raise SigninRefused(INVALID)
    age = int(now.replace(tzinfo=UTC).timestamp()) - issued
    if not 0 <= age <= TICKET_SECONDS:
        raise SigninRefused(EXPIRED)
    return Ticket(session_id, method, ticket_id, device, user_id)
