"""Logging in and changing one's password."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.dialects import postgresql, sqlite

from ..core.time import utcnow
from ..extensions import db
from ..org import audit, signals
from ..org.models import User
from ..org.names import InvalidValue, normalise_phone
from . import history, passwords
from .models import LoginFailure, LoginSession, PasswordHistory
from .sessions import end_all_sessions, start_session

LOGIN_FAILED = "手机号或密码错误"


class LoginFailed(Exception):
    """Wrong phone or password: one message for both."""

    def __init__(self, message: str = LOGIN_FAILED):
        super().__init__(message)


class AccountLocked(LoginFailed):
    def __init__(self, minutes: int):
        super().__init__(f"密码错误次数过多，账号已临时锁定，请{minutes}分钟后再试")


def _mask(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 else "(无效)"


# How failed logins are counted (LoginFailure). Per phone and address: the
# threshold (5) locks that address out of that number for 15 minutes, so someone
# who knows a phone locks only themselves out, not its owner. Per phone over all
# addresses from unknown browsers: a slower limit (20 per 15 minutes) against
# guessing from many addresses. A browser where the number logged in before carries
# a signed device cookie: it is counted on its own and never by the per-phone limit,
# so neither a distributed attacker nor one behind the same office NAT can keep the
# owner out of a browser they have used. None of this asks whether the number exists.
ALL_SOURCES = "*"
DEVICE_COOKIE = "yongxi_device"
DEVICE_COOKIE_DAYS = 365


def _hmac(text: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def device_cookie_value(phone: str) -> str:
    """The signed cookie a browser gets for the number it logged in with."""
    return _device_serializer().dumps({"p": _hmac(phone)[:32], "d": secrets.token_urlsafe(12)})


def _known_device(phone: str, cookie: str) -> str | None:
    if not cookie or not phone:
        return None
    try:
        data = _device_serializer().loads(cookie)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("p") != _hmac(phone)[:32]:
        return None
    return str(data.get("d", ""))[:32] or None


def _failure_row(phone: str, source: str) -> LoginFailure:
    key, phone_key = _hmac(f"{phone}|{source}"), _hmac(phone)
    insert = (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert
    db.session.execute(
        insert(LoginFailure)
        .values(key=key, phone_key=phone_key, failures=0, updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=[LoginFailure.key])
    )
    # FOR UPDATE: concurrent wrong passwords on PostgreSQL count one by one.
    return db.session.scalar(
        sa.select(LoginFailure)
        .where(LoginFailure.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


@dataclass(frozen=True)
class LockPolicy:
    """How many wrong passwords lock what, and for how long (LOGIN_LOCK_* settings)."""

    threshold: int = 5  # one phone from one address, or from one known browser
    account_threshold: int = 20  # one phone from every unknown browser together
    minutes: int = 15

    @classmethod
    def from_config(cls, config) -> "LockPolicy":
        return cls(
            config["LOGIN_LOCK_THRESHOLD"],
            config["LOGIN_ACCOUNT_LOCK_THRESHOLD"],
            config["LOGIN_LOCK_MINUTES"],
        )


@dataclass
class Attempts:
    """The counters one login attempt reads and adds to."""

    source: LoginFailure
    account: LoginFailure | None  # None for a known device
    policy: LockPolicy

    def remaining_lock(self, now: datetime) -> int | None:
        """Minutes left of a lock on this source, or None."""
        rows = [r for r in (self.source, self.account) if r is not None]
        until = max((r.locked_until for r in rows if r.locked_until), default=None)
        if until is None or until <= now:
            return None
        return int((until - now).total_seconds() // 60) + 1

    def fail(self, now: datetime) -> bool:
        """Count a wrong password; True when this one locked the source out."""
        locked = False
        for row, threshold in (
            (self.source, self.policy.threshold),
            (self.account, self.policy.account_threshold),
        ):
            if row is None:
                continue
            if row.updated_at < now - timedelta(minutes=self.policy.minutes):
                row.failures = 0  # an old failure no longer counts
            row.failures += 1
            row.updated_at = now
            if row.failures >= threshold:
                row.failures = 0
                row.locked_until = now + timedelta(minutes=self.policy.minutes)
                locked = True
        return locked

    def succeed(self) -> None:
        db.session.delete(self.source)


def attempts_for(
    phone: str,
    *,
    address: str,
    device_cookie: str = "",
    policy: LockPolicy,
) -> Attempts | None:
    """The counters of ``phone`` (normalised) from this address or device; None
    for text that is no phone number (no account can have it)."""
    if not phone:
        return None
    device = _known_device(phone, device_cookie)
    source = _failure_row(phone, f"device:{device}" if device else f"address:{address}")
    account = None if device else _failure_row(phone, ALL_SOURCES)
    return Attempts(source, account, policy)


def clear_failures(phone: str) -> None:
    """Forget every count and lock of ``phone`` (a password reset by an admin)."""
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.phone_key == _hmac(phone)))


@signals.password_reset.connect
def _forget_failures(person: User, **_) -> None:
    clear_failures(person.phone)


def authenticate(
    phone: str,
    password: str,
    *,
    address: str,
    user_agent: str,
    policy: LockPolicy = LockPolicy(),
    device_cookie: str = "",
) -> LoginSession:
    """Check the password and start a login session, or raise LoginFailed.

    An unknown number, a deactivated person and a wrong password are one path: the
    same message, the same lockout after the same count, and the same hashing cost.
    Failed attempts are recorded in the session; the caller commits them too.
    """
    try:
        phone = normalise_phone(phone)
    except InvalidValue:
        phone = ""
    user = None
    if phone:
        user = db.session.scalar(sa.select(User).where(User.phone == phone).with_for_update())
        if user is not None and not user.active:
            user = None
    attempts = attempts_for(
        phone,
        address=address,
        device_cookie=device_cookie,
        policy=policy,
    )
    now = utcnow()
    remaining = attempts.remaining_lock(now) if attempts else None
    if remaining is not None:
        passwords.check_dummy(password)  # a lock answers as slowly as a check
        history.count_failure(user)
        audit.record(
            "login", actor=user, address=address, obj=user, result="locked", detail=_mask(phone)
        )
        db.session.flush()
        raise AccountLocked(remaining)
    if user is None or not passwords.check_password(user.password_hash, password):
        if user is None:
            passwords.check_dummy(password)
        history.count_failure(user)
        audit.record(
            "login", actor=user, address=address, obj=user, result="fail", detail=_mask(phone)
        )
        if attempts is not None and attempts.fail(now):
            audit.record(
                "lockout",
                actor=user,
                address=address,
                obj=user,
                result="locked",
                detail=f"{_mask(phone)} {policy.minutes}分钟",
            )
            db.session.flush()
            raise AccountLocked(policy.minutes)
        db.session.flush()
        raise LoginFailed
    attempts.succeed()
    user.locked_until = None
    login = start_session(user, address=address, user_agent=user_agent)
    history.record_login(user, login, now=now)
    audit.record("login", actor=user, address=address, obj=user)
    return login


class WrongCurrentPassword(InvalidValue):
    """The current password was wrong: the caller commits the count it added."""


def change_password(
    user: User,
    *,
    current: str,
    new: str,
    address: str,
    history: int = 3,
    policy: LockPolicy = LockPolicy(),
    device_cookie: str = "",
) -> None:
    """Set a new password chosen by the person; every session of theirs ends
    (the caller starts a fresh one for the browser that made the change).

    A wrong current password counts like a wrong login (someone at an unlocked
    screen must not guess it without limit), and the lock refuses both."""
    attempts = attempts_for(
        user.phone,
        address=address,
        device_cookie=device_cookie,
        policy=policy,
    )
    now = utcnow()
    remaining = attempts.remaining_lock(now) if attempts else None
    if remaining is not None:
        passwords.check_dummy(current)
        raise WrongCurrentPassword(f"密码错误次数过多，请{remaining}分钟后再试")
    if not passwords.check_password(user.password_hash, current):
        audit.record("password.change", actor=user, address=address, obj=user, result="fail")
        if attempts is not None and attempts.fail(now):
            raise WrongCurrentPassword(f"密码错误次数过多，请{policy.minutes}分钟后再试")
        raise WrongCurrentPassword("当前密码不正确")
    passwords.validate_new_password(new, phone=user.phone)
    if passwords.check_password(user.password_hash, new):
        raise InvalidValue("新密码不能与当前密码相同")
    if any(passwords.check_password(old, new) for old in recent_hashes(user, history)):
        raise InvalidValue(f"新密码不能与最近{history}次使用过的密码相同")
    user.password_hash = passwords.hash_password(new)
    user.must_change_password = False
    user.password_changed_at = utcnow()
    db.session.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash))
    end_all_sessions(user)
    audit.record("password.change", actor=user, address=address, obj=user)
    db.session.flush()


def recent_hashes(user: User, count: int) -> list[str]:
    """The hashes of the last ``count`` passwords the person chose, newest first."""
    if count <= 0:
        return []
    return list(
        db.session.scalars(
            sa.select(PasswordHistory.password_hash)
            .where(PasswordHistory.user_id == user.id)
            .order_by(PasswordHistory.id.desc())
            .limit(count)
        )
    )
