"""An uploaded people spreadsheet waiting for its uploader to confirm the import.

The file is kept in the database, not on disk: several stateless app servers
share the work, and the confirming request may reach a different one.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .security import new_token
from .time import utcnow


class PendingImport(db.Model):
    __tablename__ = "pending_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_token)
    # None: staged by the system (the demo loads its data through the importers).
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # What the file holds ("people", "questions"): each import confirms only its own.
    kind: Mapped[str] = mapped_column(sa.String(20), default="people", index=True)
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<PendingImport {self.id} {self.filename}>"
