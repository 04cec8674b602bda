"""The text an admin pastes into a unit's WeChat work group: pure functions."""

from collections.abc import Iterable
from datetime import date

from ..core.time import month_day


def reminder_message(
    title: str, due: date | None, people: Iterable, *, attend: bool = False
) -> str:
    """请以下同志于12月20日前完成《…》：张三、李四。— one line per unit when several.
    ``people``: rows with ``unit_name`` and ``name``; ``attend``: a session to attend."""
    by_unit: dict[str, list[str]] = {}
    for p in people:
        by_unit.setdefault(p.unit_name, []).append(p.name)
    if not by_unit:
        return ""
    when = month_day(due)
    if attend:
        head = f"请以下同志{'于' + when if when else ''}按时参加《{title}》"
    else:
        head = f"请以下同志{'于' + when + '前' if when else '尽快'}完成《{title}》"
    if len(by_unit) == 1:
        return f"{head}：{'、'.join(next(iter(by_unit.values())))}。"
    lines = [f"{head}："]
    lines += [f"{unit}：{'、'.join(names)}。" for unit, names in by_unit.items()]
    return "\n".join(lines)
