"""Server-side login sessions.

The signed cookie holds only a random token; the row decides whether the
session is alive. Logout, a password reset or deactivation end rows, and a
replayed old cookie then finds nothing.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.security import new_token
from ..core.time import utcnow
from ..extensions import db
from ..org.models import User


class LoginSession(db.Model):
    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_token)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    address: Mapped[str] = mapped_column(sa.String(64), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(255), default="")
    ended_at: Mapped[datetime | None]
    # Refreshed by the person's requests (at most once a minute): the idle timeout.
    last_seen_at: Mapped[datetime | None]
    # What this login told the person (auth/history.py): the login before it and the
    # failed attempts between the two, kept so their account page shows it too.
    previous_login_at: Mapped[datetime | None]
    previous_device: Mapped[str] = mapped_column(sa.String(16), default="", server_default="")
    failures_before: Mapped[int] = mapped_column(default=0, server_default="0")

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class PasswordHistory(db.Model):
    """Hashes of passwords a person chose, so the last few cannot be chosen again."""

    __tablename__ = "password_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginFailure(db.Model):
    """Wrong passwords counted per phone number and source, whether or not anyone has
    that number (so a lockout tells nothing about it): one row per phone and client
    address (or per phone and known device, see services), and one per phone for all
    addresses together. Keys are HMACs: typed numbers are not stored in clear."""

    __tablename__ = "login_failure"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    phone_key: Mapped[str] = mapped_column(sa.String(64), index=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
