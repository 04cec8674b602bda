"""The audit log: who did what, from where, to what, with what result.

Rows are added in the caller's transaction, so an action and its audit record
are committed (or rolled back) together. Failed logins are the exception: the
auth service commits them itself, since the request that follows fails.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .time import utcnow


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    address: Mapped[str] = mapped_column(sa.String(64), default="")
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(40), default="")
    object_id: Mapped[int | None]
    result: Mapped[str] = mapped_column(sa.String(20), default="ok")
    detail: Mapped[str] = mapped_column(sa.Text, default="")

    actor = relationship("User", lazy="joined")


def record(
    action: str,
    *,
    actor=None,
    address: str = "",
    obj=None,
    result: str = "ok",
    detail: str = "",
) -> AuditLog:
    entry = AuditLog(
        action=action,
        actor_id=getattr(actor, "id", None),
        address=address[:64],
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        result=result,
        detail=detail,
    )
    db.session.add(entry)
    return entry
