"""Server-side login sessions: start, load (with absolute and idle timeouts), end."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm.attributes import set_committed_value

from ..core.time import utcnow
from ..extensions import db
from ..org import signals
from ..org.models import RoleGrant, User
from . import passwords
from .models import LoginSession, PasswordHistory

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


# ---------------------------------------------------------------- a live login
# One definition, twice: in SQL for the hot paths' own queries (``live_login``), and
# in Python for the ORM path (``is_live`` in ``load_user``, then ``gate_closed`` in
# the password gate). tests/auth/test_live_login.py holds the two equal.


@dataclass(frozen=True)
class LoginCheck:
    """The moments ``live_login`` compares with, at one time ``now``."""

    cutoff: datetime  # the login started after it (the absolute lifetime)
    idle_cutoff: datetime  # and was seen after it (the idle timeout)
    aged_cutoff: datetime  # the password was chosen after it (rotation)

    @classmethod
    def at(cls, config, now: datetime, *, idle: timedelta | None = None) -> "LoginCheck":
        """For a hot path, ``idle`` is the shorter timeout of the two (``idle_any``):
        what it lets by cannot have timed out, whatever the person's roles; anyone
        else takes the full path, which knows the roles."""
        timeouts = Timeouts.from_config(config)
        max_age = config["PASSWORD_MAX_AGE_DAYS"]
        return cls(
            cutoff=now - timeouts.lifetime,
            idle_cutoff=now - (timeouts.idle_any if idle is None else idle),
            aged_cutoff=now - timedelta(days=max_age) if max_age > 0 else datetime.min,
        )

    def params(self, token: str, *, password_age: bool = True) -> dict:
        """The bound values of ``live_login(..., password_age=password_age)``."""
        values = {"token": token, "cutoff": self.cutoff, "idle_cutoff": self.idle_cutoff}
        if password_age:
            values["aged_cutoff"] = self.aged_cutoff
        return values


def live_login(login: sa.Table, user: sa.Table, *, password_age: bool = True) -> list:
    """A live login whose person may go on, as the WHERE conditions of a hot path's
    own query on the ``login_session`` and ``user`` tables it joins (bound as
    ``LoginCheck.params``): the token's session not ended, within its lifetime and
    seen within the idle timeout; its person active with no password to change, nor
    one past its age (``password_age``: False for the exam's saves and 交卷, which an
    aged password must not stop mid-exam, as ``views.password_gate`` lets them by)."""
    conditions = [
        login.c.token == sa.bindparam("token"),
        login.c.ended_at.is_(None),
        login.c.created_at > sa.bindparam("cutoff"),
        seen_at(login) > sa.bindparam("idle_cutoff"),
        user.c.active.is_(True),
        user.c.must_change_password.is_(False),
    ]
    if password_age:
        conditions.append(
            sa.or_(
                user.c.password_changed_at.is_(None),
                user.c.password_changed_at >= sa.bindparam("aged_cutoff"),
            )
        )
    return conditions


def is_live(
    login: "LoginSession | LiveLogin", user: User, now: datetime, timeouts: Timeouts
) -> bool:
    """``live_login``'s first part in Python: the session not ended, within its
    lifetime and seen within the idle timeout of its person's roles, the person
    active. The rest (a password to change or past its age) is the password gate's
    (``gate_closed``): such a person is logged in, to change it."""
    last_seen = login.last_seen_at or login.created_at
    return (
        login.ended_at is None
        and login.created_at > now - timeouts.lifetime
        and last_seen > now - timeouts.idle_for(user)
        and user.active
    )


def gate_closed(user: User, now: datetime, max_age_days: int, *, password_age: bool) -> bool:
    """``live_login``'s second part in Python: the person must change their password
    (or, with ``password_age``, has one past its age) before going on."""
    if user.must_change_password:
        return True
    return password_age and passwords.is_expired(user, max_age_days=max_age_days, now=now)


@dataclass(frozen=True)
class LiveLogin:
    """The login a request runs under (``current_user.current_login``), as its row
    read when the request began: enough to name, touch and end it. The few pages
    that show its history read the row itself (``row``)."""

    id: int
    token: str
    created_at: datetime
    last_seen_at: datetime | None
    ended_at: datetime | None = None

    @classmethod
    def of(cls, login: LoginSession) -> "LiveLogin":
        return cls(login.id, login.token, login.created_at, login.last_seen_at, login.ended_at)

    def row(self) -> LoginSession:
        return db.session.get(LoginSession, self.id)


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
    user.current_login = LiveLogin.of(login)
    return login


def load_user(token: str, *, timeouts: Timeouts) -> User | None:
    """The active user of a live login session, or None.

    A session past its absolute lifetime or idle for too long is ended for good,
    so presenting its cookie again later finds nothing either.
    """
    now = utcnow()
    found = db.session.execute(
        _LIVE_LOGIN, {"token": token, "cutoff": now - timeouts.lifetime}
    ).one_or_none()
    if found is None:
        return None
    user, login_id, created_at, last_seen_at, has_grants = found
    if not user.active:
        return None
    if not has_grants:  # most people: the navigation asks, and need not query
        set_committed_value(user, "grants", [])
    login = LiveLogin(login_id, token, created_at, last_seen_at)
    if not is_live(login, user, now, timeouts):  # idle too long: ended for good
        _commit_now(_END, login_id, now)
        return None
    if now - (last_seen_at or created_at) >= TOUCH_INTERVAL:
        _commit_now(TOUCH, login_id, now)
    user.current_login = login
    return user


# Built once (statement construction costs more Python than running it). Only the
# person and their unit (most pages scope by it) are made objects: the login comes
# as columns (``LiveLogin``), and the grants are loaded only for people who hold any
# (an admin's navigation loads them; for a learner ``has_grants`` says there are
# none). The idle timeout depends on the grants too.
_LOGIN = LoginSession.__table__
_LIVE_LOGIN = (
    sa.select(
        User,
        _LOGIN.c.id,
        _LOGIN.c.created_at,
        _LOGIN.c.last_seen_at,
        sa.exists().where(RoleGrant.user_id == User.id).label("has_grants"),
    )
    .join(_LOGIN, _LOGIN.c.user_id == User.id)
    .options(orm.lazyload(User.grants))
    .where(
        _LOGIN.c.token == sa.bindparam("token"),
        _LOGIN.c.ended_at.is_(None),
        _LOGIN.c.created_at > sa.bindparam("cutoff"),
    )
)
# The login's row seen, or ended, at ``now`` (bound ``login_id`` and ``now``): also a
# hot path's touch of the login it checked in its own query, in that request's
# transaction.
TOUCH = (
    sa.update(_LOGIN)
    .where(_LOGIN.c.id == sa.bindparam("login_id"))
    .values(last_seen_at=sa.bindparam("now"))
)
_END = (
    sa.update(_LOGIN)
    .where(_LOGIN.c.id == sa.bindparam("login_id"))
    .values(ended_at=sa.bindparam("now"))
)


def _commit_now(statement, login_id: int, now: datetime) -> bool:
    """Write the login row's change (touched, or ended) and commit it at once.

    The user is loaded before anything else of the request (auth.views'
    before-request hook asks for it), so nothing else is pending; a GET request
    never commits, and the touch must not wait for it. Under SQLite a concurrent
    writer may refuse the write: the touch is skipped, the next request retries.
    """
    try:
        db.session.execute(statement, {"login_id": login_id, "now": now})
        db.session.commit()
    except sa.exc.OperationalError:
        db.session.rollback()
        return False
    return True


def end_session(login: LiveLogin) -> None:
    db.session.execute(_END, {"login_id": login.id, "now": utcnow()})


def end_all_sessions(user: User, *, keep: LoginSession | None = None) -> None:
    query = sa.update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None)
    )
    if keep is not None:
        query = query.where(LoginSession.id != keep.id)
    db.session.execute(query.values(ended_at=utcnow()).execution_options(synchronize_session=False))


@signals.person_deactivated.connect
@signals.password_reset.connect
def _end_logins(person: User, **_) -> None:
    """A deactivated person, or one given a new password by an admin, is logged out
    everywhere."""
    end_all_sessions(person)


@signals.person_anonymised.connect
def _forget_logins(person: User, **_) -> None:
    """The retention purge: logins end, and what they recorded of the person's device
    and address is blanked. The rows stay (an attempt's monitor points at them)."""
    end_all_sessions(person)
    db.session.execute(
        sa.update(LoginSession)
        .where(LoginSession.user_id == person.id)
        .values(address="", user_agent="", previous_device="", previous_login_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(sa.delete(PasswordHistory).where(PasswordHistory.user_id == person.id))
