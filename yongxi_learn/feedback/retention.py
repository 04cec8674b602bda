"""The retention purge (org/retention.py) clears the texts a person sent; the items
stay (kind, dates, the answer), so what was received and answered is still counted."""

import sqlalchemy as sa

from ..extensions import db
from ..org import signals
from .models import Feedback

CLEARED = "（已按个人信息保存期限清除）"


def _forget_texts(person, **_) -> None:
    db.session.execute(
        sa.update(Feedback)
        .where(Feedback.sender_id == person.id)
        .values(text=CLEARED)
        .execution_options(synchronize_session=False)
    )


def connect() -> None:
    signals.person_anonymised.connect(_forget_texts)
