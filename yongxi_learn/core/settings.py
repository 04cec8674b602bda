"""Site-wide settings kept in the database (shared by every app server)."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class SiteSetting(db.Model):
    __tablename__ = "site_setting"

    key: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text, default="")


def get_setting(key: str, default: str = "") -> str:
    value = db.session.scalar(sa.select(SiteSetting.value).where(SiteSetting.key == key))
    return default if value is None else value


def set_setting(key: str, value: str) -> None:
    row = db.session.get(SiteSetting, key)
    if row is None:
        db.session.add(SiteSetting(key=key, value=value))
    else:
        row.value = value
    db.session.flush()
