"""Times are stored in UTC (naive columns hold UTC) and shown in Asia/Shanghai."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
# What <input type="datetime-local"> sends: Beijing time, to the minute.
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def utcnow() -> datetime:
    """Naive UTC now, the form every DateTime column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def local_today() -> date:
    return datetime.now(LOCAL_TZ).date()


def to_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL_TZ)


def format_local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Jinja filter ``localtime``: a UTC datetime as Beijing time, '' for None."""
    local = to_local(value)
    return local.strftime(fmt) if local else ""


def local_to_utc(value: datetime | None) -> datetime | None:
    """A naive Beijing time from a form → the naive UTC the columns store."""
    if value is None:
        return None
    return value.replace(tzinfo=LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


def utc_to_form(value: datetime | None) -> datetime | None:
    """A stored UTC time → the naive Beijing time a datetime-local field shows."""
    local = to_local(value)
    return local.replace(tzinfo=None) if local else None


def month_day(value: date | None) -> str:
    """A date as a notice writes it: 12月20日 ('' for None)."""
    return f"{value.month}月{value.day}日" if value else ""


def local_date(value: datetime | None) -> date | None:
    """The Beijing date of a stored UTC time."""
    local = to_local(value)
    return local.date() if local else None
