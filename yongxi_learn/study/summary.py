"""What a person's pages show of their study: the lists of a year with their choice and
progress, the readings; and the small pieces the home page and the 学法档案 include
(``home_items``, ``year_record`` with templates study/_home.html, study/_record.html)."""

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from ..core.time import to_local, utcnow
from ..extensions import db
from ..org.models import OrgUnit, User
from . import plans, readings
from .common import in_audience, owned_above
from .plan_models import ItemKind, StudyList, StudyListItem, StudyProgress, StudySelection
from .reading_models import ReadingAssignment


@dataclass
class ItemRow:
    item: StudyListItem
    chosen: bool
    progress: StudyProgress | None

    @property
    def on_plan(self) -> bool:
        return self.item.kind is ItemKind.REQUIRED or self.chosen

    @property
    def finished(self) -> bool:
        return bool(self.progress and self.progress.finished_at)

    @property
    def status(self) -> str:
        if self.finished:
            return "已学完"
        if self.progress and self.progress.readings:
            return f"学习中（已阅读{self.progress.readings}次）"
        return "未开始"


@dataclass
class ListView:
    study_list: StudyList
    required: list[ItemRow]
    key: list[ItemRow]
    field: list[ItemRow]
    deadline_passed: bool

    @property
    def chosen_ok(self) -> bool:
        lst = self.study_list
        return (
            sum(r.chosen for r in self.key) == lst.key_count
            and sum(r.chosen for r in self.field) == lst.field_count
        )

    @property
    def plan(self) -> list[ItemRow]:
        return [r for r in self.required + self.key + self.field if r.on_plan]

    @property
    def finished_count(self) -> int:
        return sum(r.finished for r in self.plan)

    @property
    def planned_count(self) -> int:
        lst = self.study_list
        return len(self.required) + lst.key_count + lst.field_count


def _lists_for(user: User, year: int | None) -> list[StudyList]:
    query = (
        sa.select(StudyList)
        .join(StudyList.owner_unit)
        .where(owned_above(user, OrgUnit.path))
        .order_by(StudyList.id)
    )
    if year is not None:
        query = query.where(StudyList.year == year)
    return [lst for lst in db.session.scalars(query) if in_audience(lst.audience, user)]


def years_for(user: User) -> list[int]:
    """The years in which the person has a list, newest first (the page's year links)."""
    return sorted({lst.year for lst in _lists_for(user, None)}, reverse=True)


def list_view(lst: StudyList, user: User, now: datetime) -> ListView:
    chosen = plans.chosen_ids(lst, user)
    progress = {
        p.item_id: p
        for p in db.session.scalars(
            sa.select(StudyProgress).where(
                StudyProgress.list_id == lst.id, StudyProgress.user_id == user.id
            )
        )
    }

    def rows(kind: ItemKind) -> list[ItemRow]:
        items = [i for i in lst.items if i.kind is kind]
        if kind is ItemKind.FIELD:
            items = [i for i in items if plans.fits_field(i, user) or i.id in chosen]
        return [ItemRow(i, i.id in chosen, progress.get(i.id)) for i in items]

    return ListView(
        lst,
        rows(ItemKind.REQUIRED),
        rows(ItemKind.KEY),
        rows(ItemKind.FIELD),
        plans.deadline_passed(lst, now),
    )


def list_views(user: User, year: int, now: datetime) -> list[ListView]:
    return [list_view(lst, user, now) for lst in _lists_for(user, year)]


# ---------------------------------------------------------------- home page, 学法档案


@dataclass
class PendingChoice:
    study_list: StudyList
    choose_until: datetime | None


@dataclass
class DueReading:
    reading: ReadingAssignment
    due_on: date | None
    overdue: bool
    seconds: int


@dataclass
class HomeItems:
    choices: list[PendingChoice] = field(default_factory=list)
    readings: list[DueReading] = field(default_factory=list)
    unfinished_items: int = 0

    @property
    def empty(self) -> bool:
        return not (self.choices or self.readings or self.unfinished_items)


def home_items(user: User, *, now: datetime | None = None) -> HomeItems:
    """This year's choices still to make, unfinished list items, readings not confirmed."""
    now = now or utcnow()
    today = to_local(now).date()
    out = HomeItems()
    for lst, (chosen_key, chosen_field, unfinished) in _year_plans(user, today.year):
        chosen_ok = chosen_key == lst.key_count and chosen_field == lst.field_count
        if not chosen_ok and not plans.deadline_passed(lst, now):
            out.choices.append(PendingChoice(lst, lst.choose_until))
        out.unfinished_items += unfinished
    for reading, progress in readings.my_readings(user):
        if progress is None or progress.confirmed_at is None:
            overdue = reading.due_on is not None and reading.due_on < today
            seconds = progress.seconds if progress else 0
            out.readings.append(DueReading(reading, reading.due_on, overdue, seconds))
    return out


def _year_plans_query():
    item, chosen, progress = StudyListItem, StudySelection, StudyProgress
    user_id = sa.bindparam("user_id")
    return (
        sa.select(StudyList, item.kind, chosen.id.is_not(None), progress.finished_at)
        .outerjoin(item, item.list_id == StudyList.id)
        .outerjoin(chosen, (chosen.item_id == item.id) & (chosen.user_id == user_id))
        .outerjoin(progress, (progress.item_id == item.id) & (progress.user_id == user_id))
        .where(
            StudyList.owner_unit_id.in_(sa.bindparam("units", expanding=True)),
            StudyList.year == sa.bindparam("year"),
        )
        .order_by(StudyList.id)
    )


# Built once: building a statement costs more Python than running it.
_YEAR_PLANS = _year_plans_query()


def _year_plans(user: User, year: int) -> list[tuple[StudyList, tuple[int, int, int]]]:
    """The year's lists whose audience holds the person, each with their chosen 重点 and
    专业 items and the items of their plan (every 必学 item and each chosen one) not yet
    finished: ``list_views`` in one query, without loading items or laws (the home
    page's counts)."""
    rows = db.session.execute(
        _YEAR_PLANS, {"user_id": user.id, "units": list(user.unit.path_ids), "year": year}
    )
    counts: dict[StudyList, list[int]] = {}
    for lst, kind, is_chosen, finished_at in rows:
        key_field_unfinished = counts.setdefault(lst, [0, 0, 0])
        if is_chosen and kind == ItemKind.KEY:
            key_field_unfinished[0] += 1
        elif is_chosen and kind == ItemKind.FIELD:
            key_field_unfinished[1] += 1
        if kind is not None and (is_chosen or kind == ItemKind.REQUIRED) and finished_at is None:
            key_field_unfinished[2] += 1
    return [(lst, tuple(c)) for lst, c in counts.items() if in_audience(lst.audience, user)]


@dataclass
class RecordItem:
    title: str
    kind: str
    finished_at: datetime | None
    readings: int
    note: str


@dataclass
class RecordList:
    name: str
    chosen_ok: bool
    items: list[RecordItem]


@dataclass
class RecordReading:
    title: str
    opened_at: datetime | None
    confirmed_at: datetime | None


@dataclass
class YearRecord:
    year: int
    lists: list[RecordList]
    readings: list[RecordReading]


def year_record(user: User, year: int) -> YearRecord:
    """The person's study of a year for the 学法档案: lists (choice, progress) and the
    year's readings, opened and confirmed (never the time spent: the 学法档案 is what
    supervisors read, and they see done / not done only)."""
    lists = []
    for view in list_views(user, year, utcnow()):
        items = [
            RecordItem(
                r.item.title,
                r.item.kind.label,
                r.progress.finished_at if r.progress else None,
                r.progress.readings if r.progress else 0,
                r.progress.note if r.progress else "",
            )
            for r in view.plan
        ]
        lists.append(RecordList(view.study_list.name, view.chosen_ok, items))
    return YearRecord(year, lists, _record_readings(user, year))


def _record_readings(user: User, year: int) -> list[RecordReading]:
    out = []
    for reading, progress in readings.my_readings(user):
        when = reading.due_on.year if reading.due_on else reading.created_at.year
        if when != year:
            continue
        out.append(
            RecordReading(
                reading.title,
                progress.opened_at if progress else None,
                progress.confirmed_at if progress else None,
            )
        )
    return out


@dataclass(frozen=True)
class OpenList:
    """A list of the year with something left for the person (the 待办 page)."""

    study_list: StudyList
    key_missing: int  # 重点 items still to choose (0 once the choosing has closed)
    field_missing: int
    unfinished: int  # items on the plan (必学 and chosen) not yet finished


def open_lists(user: User, year: int, *, now: datetime) -> list[OpenList]:
    """The year's lists with a choice to make (before its deadline) or items to finish."""
    out = []
    for lst, (chosen_key, chosen_field, unfinished) in _year_plans(user, year):
        choosing = not plans.deadline_passed(lst, now)
        key = max(lst.key_count - chosen_key, 0) if choosing else 0
        field_ = max(lst.field_count - chosen_field, 0) if choosing else 0
        if key or field_ or unfinished:
            out.append(OpenList(lst, key, field_, unfinished))
    return out
