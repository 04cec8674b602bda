"""Logging in and changing one's password."""

from datetime import timedelta

import sqlalchemy as sa

from ..core import audit
from ..core.time import utcnow
from ..extensions import db
from ..org.models import User
from ..org.names import InvalidValue, normalise_phone
from . import passwords
from .models import LoginSession, PasswordHistory
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


def authenticate(
    phone: str,
    password: str,
    *,
    address: str,
    user_agent: str,
    lock_threshold: int,
    lock_minutes: int,
) -> LoginSession:
    """Check the password and start a login session, or raise LoginFailed.

    Failed attempts are recorded in the session; the caller commits them too.
    """
    try:
        phone = normalise_phone(phone)
    except InvalidValue:
        phone = ""
    user = None
    if phone:
        # FOR UPDATE: concurrent wrong passwords on PostgreSQL count one by one.
        user = db.session.scalar(sa.select(User).where(User.phone == phone).with_for_update())
    if user is None or not user.active:
        passwords.check_dummy(password)
        audit.record("login", address=address, result="fail", detail=_mask(phone))
        raise LoginFailed
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        audit.record("login", actor=user, address=address, obj=user, result="locked")
        remaining = int((user.locked_until - now).total_seconds() // 60) + 1
        raise AccountLocked(remaining)
    if not passwords.check_password(user.password_hash, password):
        user.failed_logins += 1
        audit.record("login", actor=user, address=address, obj=user, result="fail")
        if user.failed_logins >= lock_threshold:
            user.failed_logins = 0
            user.locked_until = now + timedelta(minutes=lock_minutes)
            audit.record(
                "lockout",
                actor=user,
                address=address,
                obj=user,
                result="locked",
                detail=f"{lock_minutes}分钟",
            )
            db.session.flush()
            raise AccountLocked(lock_minutes)
        db.session.flush()
        raise LoginFailed
    user.failed_logins, user.locked_until = 0, None
    login = start_session(user, address=address, user_agent=user_agent)
    audit.record("login", actor=user, address=address, obj=user)
    return login


def change_password(user: User, *, current: str, new: str, address: str, history: int = 3) -> None:
    """Set a new password chosen by the person; every session of theirs ends
    (the caller starts a fresh one for the browser that made the change)."""
    if not passwords.check_password(user.password_hash, current):
        raise InvalidValue("当前密码不正确")
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
