"""Server-side login sessions: start, load (with absolute and idle timeouts), end."""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from ..core.time import utcnow
from ..extensions import db
from ..org.models import User
from .models import LoginSession

# last_seen_at is written at most this often, so a page full of requests costs one
# UPDATE, and an idle timeout is exact to within a minute.
TOUCH_INTERVAL = timedelta(seconds=60)


@dataclass(frozen=True)
class Timeouts:
    lifetime: timedelta  # absolute, from the login
    idle: timedelta  # people without an admin role
    idle_admin: timedelta  # people holding any role (admin, unit admin, reviewer)

    @classmethod
    def from_config(cls, config) -> "Timeouts":
        return cls(
            lifetime=config["PERMANENT_SESSION_LIFETIME"],
            idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
            idle_admin=timedelta(minutes=config["SESSION_IDLE_ADMIN_MINUTES"]),
        )

    def idle_for(self, user: User) -> timedelta:
        return self.idle_admin if user.grants else self.idle

    @property
    def idle_any(self) -> timedelta:
        """The shorter idle timeout of the two: whatever the person's roles, a login
        seen within it cannot have timed out."""
        return min(self.idle, self.idle_admin)


def seen_at(login: sa.Table):
    """When the login on the ``login_session`` table was last seen (its start if never
    since), for a hot path's own query."""
    return sa.func.coalesce(login.c.last_seen_at, login.c.created_at)


def live_login_conditions(login: sa.Table, user: sa.Table) -> list:
    """What a hot path's own query asks of the login behind its request, on the
    ``login_session`` and ``user`` tables it joins (bound ``token`` and ``cutoff``,
    the start of the login's lifetime): the token's session not ended and within its
    lifetime, its person active with no password to change. What ``load_user`` and
    the password gate check, without loading anyone; each path adds its own idle or
    password-age condition."""
    return [
        login.c.token == sa.bindparam("token"),
        login.c.ended_at.is_(None),
        login.c.created_at > sa.bindparam("cutoff"),
        user.c.active.is_(True),
        user.c.must_change_password.is_(False),
    ]


def start_session(user: User, *, address: str, user_agent: str) -> LoginSession:
    now = utcnow()
    login = LoginSession(
        user=user,
        address=address[:64],
        user_agent=user_agent[:255],
        created_at=now,
        last_seen_at=now,
    )
    db.session.add(login)
    db.session.flush()
    user.current_login = login
    return login


def load_user(token: str, *, timeouts: Timeouts) -> User | None:
    """The active user of a live login session, or None.

    A session past its absolute lifetime or idle for too long is ended for good,
    so presenting its cookie again later finds nothing either.
    """
    now = utcnow()
    login = (
        db.session.execute(_LIVE_LOGIN, {"token": token, "cutoff": now - timeouts.lifetime})
        .unique()
        .scalar_one_or_none()
    )
    if login is None or not login.user.active:
        return None
    last_seen = login.last_seen_at or login.created_at
    if last_seen <= now - timeouts.idle_for(login.user):
        login.ended_at = now
        _commit_now()
        return None
    if now - last_seen >= TOUCH_INTERVAL:
        login.last_seen_at = now
        _commit_now()
    login.user.current_login = login
    return login.user


# A hot path's touch of the login it checked in its own query (bound ``login_id``
# and ``now``), in that request's transaction.
TOUCH = (
    sa.update(LoginSession.__table__)
    .where(LoginSession.__table__.c.id == sa.bindparam("login_id"))
    .values(last_seen_at=sa.bindparam("now"))
)


# Built once (statement construction costs more Python than running it). The person,
# their unit and their grants come in the same round trip: every page needs the
# grants (the navigation asks ``can``) and the idle timeout depends on them.
_LIVE_LOGIN = (
    sa.select(LoginSession)
    .options(orm.joinedload(LoginSession.user).joinedload(User.grants))
    .where(
        LoginSession.token == sa.bindparam("token"),
        LoginSession.ended_at.is_(None),
        LoginSession.created_at > sa.bindparam("cutoff"),
    )
)


def _commit_now() -> bool:
    """Commit the session row's change at once.

    The user is loaded before anything else of the request (auth.views'
    before-request hook asks for it), so nothing else is pending; a GET request
    never commits, and the touch must not wait for it. Under SQLite a concurrent
    writer may refuse the write: the touch is skipped, the next request retries.
    """
    try:
        db.session.commit()
    except sa.exc.OperationalError:
        db.session.rollback()
        return False
    return True


def end_session(login: LoginSession) -> None:
    login.ended_at = utcnow()
    db.session.flush()


def end_all_sessions(user: User, *, keep: LoginSession | None = None) -> None:
    query = sa.update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None)
    )
    if keep is not None:
        query = query.where(LoginSession.id != keep.id)
    db.session.execute(query.values(ended_at=utcnow()).execution_options(synchronize_session=False))
