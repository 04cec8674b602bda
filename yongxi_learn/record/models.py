"""A 成绩证明 or a printed 学法档案 as issued: its code and what it certified.

The row is kept so that the public verify page can compare what was certified with
the records as they stand now (a regrade, a revoked sign-in): the certificate is for a
state of the records, and says 已失效 once they no longer bear it out.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import str_enum
from ..core.labels import LabelledEnum
from ..extensions import db
from ..org.models import User


class CertificateKind(LabelledEnum):
    EXAM = "exam", "成绩证明"
    YEAR = "year", "学法档案"


class Certificate(db.Model):
    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Signed (certificates.code_for); set right after the row has its id.
    code: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    kind: Mapped[CertificateKind] = mapped_column(str_enum(CertificateKind))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    year: Mapped[int]
    exam_id: Mapped[int | None] = mapped_column(sa.ForeignKey("exam.id"))
    # The unit's name when issued: the certificate shows it, even after a move.
    unit_name: Mapped[str] = mapped_column(sa.String(200))
    # What was certified, as JSON (certificates.claims_of): compared with the records.
    claims: Mapped[str] = mapped_column(sa.Text)
    issued_at: Mapped[datetime]
    issued_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))

    person: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)
