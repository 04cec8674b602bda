"""Searching the audit log: by action, actor (name or phone), date range and object,
always within what the searching user may see (``audit.visible_entries``).

The search is a POST form (CSRF), paged by its own buttons: a phone number typed
into it must never reach a URL, where proxies and server logs would keep it."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from ..core.forms import Form
from ..core.time import local_to_utc
from .audit import ACTION_LABELS, AuditLog, visible_entries
from .models import User


class AuditFilterForm(Form):
    action = SelectField(
        "操作",
        choices=[
            SelectChoice("", "全部操作"),
            *(
                SelectChoice(key, f"{label}（{key}）")
                for key, label in sorted(ACTION_LABELS.items())
            ),
        ],
        validate_choice=False,
    )
    actor = StringField(
        "操作人", validators=[Optional(), Length(max=40)], render_kw={"placeholder": "姓名或手机号"}
    )
    since = DateField("起始日期", validators=[Optional()])
    until = DateField("截止日期", validators=[Optional()])
    object_type = StringField(
        "对象类型", validators=[Optional(), Length(max=40)], render_kw={"placeholder": "如 User"}
    )
    object_id = IntegerField("对象编号", validators=[Optional(), NumberRange(min=1)])


@dataclass(frozen=True)
class AuditQuery:
    action: str = ""
    actor: str = ""
    since: date | None = None
    until: date | None = None  # inclusive, a local date
    object_type: str = ""
    object_id: int | None = None

    @classmethod
    def from_form(cls, form: AuditFilterForm) -> "AuditQuery":
        if not form.validate():
            return cls()
        return cls(
            action=form.action.data if form.action.data in ACTION_LABELS else "",
            actor=(form.actor.data or "").strip(),
            since=form.since.data,
            until=form.until.data,
            object_type=(form.object_type.data or "").strip(),
            object_id=form.object_id.data,
        )


def search(user: User, query: AuditQuery) -> sa.Select:
    """The entries ``user`` may see that match ``query``, newest first."""
    select = visible_entries(user)
    if query.action:
        select = select.where(AuditLog.action == query.action)
    if query.actor:
        pattern = "%" + _escape_like(query.actor) + "%"
        select = select.where(
            sa.or_(User.name.like(pattern, escape="\\"), User.phone.like(pattern, escape="\\"))
        )
    if query.since:
        select = select.where(AuditLog.at >= local_midnight_utc(query.since))
    if query.until:
        select = select.where(AuditLog.at < local_midnight_utc(query.until + timedelta(days=1)))
    if query.object_type:
        select = select.where(AuditLog.object_type == query.object_type)
    if query.object_id:
        select = select.where(AuditLog.object_id == query.object_id)
    return select


def local_midnight_utc(day: date) -> datetime:
    return local_to_utc(datetime.combine(day, time()))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
