"""Server-side login sessions: start, load, end."""

from datetime import timedelta

import sqlalchemy as sa

from ..core.time import utcnow
from ..extensions import db
from ..org.models import User
from .models import LoginSession


def start_session(user: User, *, address: str, user_agent: str) -> LoginSession:
    login = LoginSession(user=user, address=address[:64], user_agent=user_agent[:255])
    db.session.add(login)
    db.session.flush()
    user.current_login = login
    return login


def load_user(token: str, *, lifetime: timedelta) -> User | None:
    """The active user of a live login session, or None."""
    login = db.session.scalar(
        sa.select(LoginSession).where(
            LoginSession.token == token,
            LoginSession.ended_at.is_(None),
            LoginSession.created_at > utcnow() - lifetime,
        )
    )
    if login is None or not login.user.active:
        return None
    login.user.current_login = login
    return login.user


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
