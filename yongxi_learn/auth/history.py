"""What a person is told of their own logins: the one before this, and the failed
attempts for their account since (等保 level 2: a person notices someone else's tries)."""

from datetime import datetime

from ..core.time import to_local
from ..org.models import User
from .models import LoginSession


def device_label(user_agent: str) -> str:
    """The kind of device a login came from, in words a person recognises; the
    browser string itself is not kept with the person."""
    if "MicroMessenger" in user_agent:
        return "微信"
    if "iPad" in user_agent or "Tablet" in user_agent:
        return "平板电脑"
    if any(word in user_agent for word in ("Mobi", "Android", "iPhone")):
        return "手机浏览器"
    return "电脑浏览器" if user_agent else "未知设备"


def count_failure(user: User | None) -> None:
    """A failed login for ``user`` (None: the phone is nobody's, nothing to tell)."""
    if user is not None:
        user.failed_logins = (user.failed_logins or 0) + 1


def record_login(user: User, login: LoginSession, *, now: datetime) -> None:
    """A successful login: the new session keeps what the person is shown; the
    person's record starts counting afresh from this login."""
    login.previous_login_at = user.last_login_at
    login.previous_device = user.last_login_device or ""
    login.failures_before = user.failed_logins or 0
    user.last_login_at = now
    user.last_login_device = device_label(login.user_agent)
    user.failed_logins = 0


def carry_over(old: LoginSession | None, new: LoginSession) -> None:
    """A session that replaces ``old`` (after a password change) tells the same."""
    if old is not None:
        new.previous_login_at = old.previous_login_at
        new.previous_device = old.previous_device
        new.failures_before = old.failures_before


def _when(value: datetime, now: datetime) -> str:
    local, today = to_local(value), to_local(now)
    year = "" if local.year == today.year else f"{local.year}年"
    return f"{year}{local.month}月{local.day}日 {local:%H:%M}"


def previous_login(login: LoginSession, *, now: datetime) -> str:
    if login.previous_login_at is None:
        return "这是您第一次登录"
    device = f"（{login.previous_device}）" if login.previous_device else ""
    return f"上次登录：{_when(login.previous_login_at, now)}{device}"


def failures_since(login: LoginSession) -> str:
    since = "此后" if login.previous_login_at else "此前"
    count = login.failures_before
    if not count:
        return f"{since}没有失败的登录尝试"
    return f"{since}有 {count} 次失败的登录尝试（密码错误或锁定期间再试），如非本人操作，请修改密码"


def summary(login: LoginSession, *, now: datetime) -> str:
    """The line shown on the page a login lands on."""
    if login.previous_login_at is None and not login.failures_before:
        return previous_login(login, now=now)
    return f"{previous_login(login, now=now)}；{failures_since(login)}"
