"""Helpers for the session tests: cookies, replay, moving a login back in time."""

from datetime import timedelta

import sqlalchemy as sa

from yongxi_learn.auth.models import LoginSession
from yongxi_learn.extensions import db

COOKIE = "yongxi_session"


def session_cookie(client) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None, "no session cookie"
    return cookie.value


def replay(app, cookie: str, path: str = "/"):
    """A brand-new browser presenting an old session cookie."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie)
    return thief.get(path)


def shows_login_page(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def live_login(user) -> LoginSession:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .order_by(LoginSession.id.desc())
    ).first()


def age_login(user, *, idle: timedelta, since_login: timedelta | None = None) -> None:
    """As if the person's last request was ``idle`` ago (and the login earlier)."""
    login = live_login(user)
    now = login.last_seen_at
    login.last_seen_at = now - idle
    login.created_at = now - (since_login or idle)
    db.session.commit()
