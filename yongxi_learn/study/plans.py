"""Study lists: settings and items (admins), the 2 + 1 choice and progress (learners).

Services check permissions, raise StudyError with a Chinese message, and flush; the
view commits once.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from ..core import credit
from ..core.exceptions import NotFound
from ..core.time import format_local
from ..extensions import db
from ..laws.models import Law, LawStatus
from ..org import signals
from ..org.models import OrgUnit, User
from ..org.permissions import Perm, can
from ..org.services import Actor
from . import tally
from .common import (
    StudyError,
    check_audience,
    ensure_manage,
    ensure_year_not_closed,
    in_audience,
    record,
)
from .plan_models import ItemKind, StudyList, StudyListItem, StudyProgress, StudySelection

MAX_NOTE = 2000

# ---------------------------------------------------------------- lists and items


@dataclass
class ListSettings:
    name: str
    year: int
    choose_until: datetime | None
    key_count: int = 2
    field_count: int = 1
    audience: dict = field(default_factory=dict)


def _check_settings(s: ListSettings, owner: OrgUnit) -> None:
    if not (s.name or "").strip():
        raise StudyError("请输入清单名称")
    if len(s.name.strip()) > 200:
        raise StudyError("清单名称不能超过200个字")
    if not 2000 <= s.year <= 2100:
        raise StudyError("年度不正确")
    if not (0 <= s.key_count <= 20 and 0 <= s.field_count <= 20):
        raise StudyError("重点和专业的选学部数应在0到20之间")
    check_audience(s.audience, owner, "学习对象")


def _apply(lst: StudyList, s: ListSettings) -> None:
    lst.name, lst.year, lst.choose_until = s.name.strip(), s.year, s.choose_until
    lst.key_count, lst.field_count, lst.audience = s.key_count, s.field_count, s.audience


def create_list(owner: OrgUnit, settings: ListSettings, *, actor: Actor) -> StudyList:
    ensure_manage(actor, owner)
    _check_settings(settings, owner)
    ensure_year_not_closed(owner, settings.year)
    lst = StudyList(owner_unit=owner, created_by_id=getattr(actor.user, "id", None))
    _apply(lst, settings)
    db.session.add(lst)
    db.session.flush()
    record(actor, "study_list.create", lst, lst.name)
    return lst


def update_list(lst: StudyList, settings: ListSettings, *, actor: Actor) -> None:
    ensure_manage(actor, lst.owner_unit)
    _check_settings(settings, lst.owner_unit)
    ensure_year_not_closed(lst.owner_unit, lst.year)
    ensure_year_not_closed(lst.owner_unit, settings.year)
    _apply(lst, settings)
    record(actor, "study_list.update", lst, lst.name)
    db.session.flush()


def copy_to_next_year(lst: StudyList, *, actor: Actor) -> StudyList:
    """复制到新年度: a new list of ``lst.year + 1`` with the same audience, rule and
    items (an item whose law is no longer in force is marked 待复核), no choices, no
    progress and no deadline: the new year starts with its own list."""
    ensure_manage(actor, lst.owner_unit)
    year = lst.year + 1
    if year > 2100:
        raise StudyError("年度不正确")
    old_year = str(lst.year)
    name = lst.name.replace(old_year, str(year)) if old_year in lst.name else lst.name
    if name == lst.name:
        name = f"{lst.name}（{year}年）"[:200]
    taken = db.session.scalar(
        sa.select(StudyList.id).where(
            StudyList.owner_unit_id == lst.owner_unit_id,
            StudyList.year == year,
            StudyList.name == name,
        )
    )
    if taken is not None:
        raise StudyError(f"{year}年已有同名清单“{name}”")
    ensure_year_not_closed(lst.owner_unit, year)
    copy = StudyList(
        owner_unit=lst.owner_unit,
        year=year,
        name=name,
        audience=dict(lst.audience or {}),
        choose_until=None,
        key_count=lst.key_count,
        field_count=lst.field_count,
        created_by_id=getattr(actor.user, "id", None),
    )
    for position, item in enumerate(lst.items):
        copy.items.append(
            StudyListItem(
                position=position,
                kind=item.kind,
                law_id=item.law_id,
                article_from=item.article_from,
                article_to=item.article_to,
                note=item.note,
                field_name=item.field_name,
                field_unit_ids=list(item.field_unit_ids or []),
                needs_review=item.needs_review or item.law.status is not LawStatus.CURRENT,
            )
        )
    db.session.add(copy)
    db.session.flush()
    record(actor, "study_list.copy_year", copy, f"由{lst.year}年“{lst.name}”复制：{copy.name}")
    return copy


@dataclass
class ItemSpec:
    kind: ItemKind
    law_id: int
    article_from: int | None = None
    article_to: int | None = None
    note: str = ""
    field_name: str = ""
    field_unit_ids: list[int] = field(default_factory=list)
    credit_hours: Decimal = Decimal(0)


def current_laws() -> list[Law]:
    """Laws an admin may put on a list or a reading: those in force."""
    return list(
        db.session.scalars(
            sa.select(Law).where(Law.status == LawStatus.CURRENT).order_by(Law.title, Law.id)
        )
    )


def _check_item(spec: ItemSpec, owner: OrgUnit) -> None:
    law = db.session.get(Law, spec.law_id or 0)
    if law is None or law.status is not LawStatus.CURRENT:
        raise StudyError("请从法规库中选择一部现行有效的法规")
    check_range(spec.article_from, spec.article_to)
    if len(spec.note or "") > 300:
        raise StudyError("说明不能超过300个字")
    if message := credit.problem(spec.credit_hours):
        raise StudyError(message)
    if spec.kind is ItemKind.FIELD:
        if not spec.field_unit_ids:
            raise StudyError("专业法规须指定所属单位（领域）")
        for unit_id in spec.field_unit_ids:
            unit = db.session.get(OrgUnit, unit_id)
            if unit is None or not (owner.contains(unit) or unit.contains(owner)):
                raise StudyError("专业法规的所属单位不在本清单的单位范围内")


def check_range(first: int | None, last: int | None) -> None:
    if (first is not None and first < 1) or (last is not None and last < 1):
        raise StudyError("条文序号应从1开始")
    if first and last and last < first:
        raise StudyError("条文范围的结束条不能早于起始条")
    if last and not first:
        raise StudyError("请填写起始条")


def _apply_item(item: StudyListItem, spec: ItemSpec) -> None:
    item.kind, item.law_id = spec.kind, spec.law_id
    item.article_from, item.article_to = spec.article_from, spec.article_to
    item.note = (spec.note or "").strip()
    is_field = spec.kind is ItemKind.FIELD
    item.field_name = (spec.field_name or "").strip()[:50] if is_field else ""
    item.field_unit_ids = list(spec.field_unit_ids) if is_field else []
    item.credit_hours = Decimal(spec.credit_hours)


def add_item(lst: StudyList, spec: ItemSpec, *, actor: Actor) -> StudyListItem:
    ensure_manage(actor, lst.owner_unit)
    ensure_year_not_closed(lst.owner_unit, lst.year)
    _check_item(spec, lst.owner_unit)
    item = StudyListItem(study_list=lst, position=len(lst.items))
    _apply_item(item, spec)
    db.session.add(item)
    db.session.flush()
    record(actor, "study_list.item", lst, f"增加{item.kind.label}：{item.title}")
    return item


def update_item(item: StudyListItem, spec: ItemSpec, *, actor: Actor) -> None:
    """Edit an item; saving it also clears 待复核 (the admin has looked at it)."""
    ensure_manage(actor, item.study_list.owner_unit)
    ensure_year_not_closed(item.study_list.owner_unit, item.study_list.year)
    _check_item(spec, item.study_list.owner_unit)
    if spec.kind is not item.kind and _chosen_by_anyone(item):
        raise StudyError("已有人选学此条目，不能改变其类别")
    kind = item.kind
    _apply_item(item, spec)
    item.needs_review = False
    db.session.flush()
    if item.kind is not kind:
        tally.list_changed(item.list_id)
    db.session.refresh(item)
    record(actor, "study_list.item", item.study_list, f"修改：{item.title}")


def remove_item(item: StudyListItem, *, actor: Actor) -> None:
    ensure_manage(actor, item.study_list.owner_unit)
    ensure_year_not_closed(item.study_list.owner_unit, item.study_list.year)
    if _chosen_by_anyone(item) or _has_progress(item):
        raise StudyError("已有人选学或学习此条目，不能删除")
    record(actor, "study_list.item", item.study_list, f"删除：{item.title}")
    db.session.delete(item)
    db.session.flush()


def _chosen_by_anyone(item: StudyListItem) -> bool:
    query = sa.select(StudySelection.id).where(StudySelection.item_id == item.id).limit(1)
    return db.session.scalar(query) is not None


def _has_progress(item: StudyListItem) -> bool:
    query = sa.select(StudyProgress.id).where(StudyProgress.item_id == item.id).limit(1)
    return db.session.scalar(query) is not None


# ---------------------------------------------------------------- the 2 + 1 choice


def fits_field(item: StudyListItem, person: User) -> bool:
    """A 专业 item belongs to the people of its units' subtrees."""
    return not set(person.unit.path_ids).isdisjoint(item.field_unit_ids or [])


def chosen_ids(lst: StudyList, person: User) -> set[int]:
    query = sa.select(StudySelection.item_id).where(
        StudySelection.list_id == lst.id, StudySelection.user_id == person.id
    )
    return set(db.session.scalars(query))


def deadline_passed(lst: StudyList, now: datetime) -> bool:
    return lst.choose_until is not None and now > lst.choose_until


def choose(
    lst: StudyList,
    person: User,
    item_ids: list[int],
    *,
    actor: Actor,
    now: datetime,
    reason: str = "",
) -> None:
    """Replace the person's 重点 and 专业 choice: exactly N and M, 专业 of their own field.
    After the deadline only an admin may change it, with a reason (audited)."""
    by_admin = _check_chooser(lst, person, actor, now, reason)
    ensure_year_not_closed(lst.owner_unit, lst.year, [person.unit_id])
    if not by_admin and not in_audience(lst.audience, person):
        raise NotFound  # someone else's list: as if it did not exist
    if not in_audience(lst.audience, person):
        raise StudyError(f"{person.name}不在本清单的学习对象中")
    items = _picked_items(lst, item_ids)
    _check_rule(lst, person, items)
    _replace_selection(lst, person, items, actor, now)
    if by_admin:
        names = "、".join(i.law.display_name for i in items)
        record(actor, "study.choice_change", lst, f"{person.name}：{names}；原因：{reason.strip()}")
    db.session.flush()


def _check_chooser(lst: StudyList, person: User, actor: Actor, now: datetime, reason: str) -> bool:
    """Whether an admin (not the person) makes the change; refuses the rest."""
    is_self = actor.user is not None and actor.user.id == person.id
    admin = actor.user is None or can(actor.user, Perm.MANAGE_STUDY, person.unit)
    if not is_self and not admin:
        raise StudyError("只能调整本人的选学")
    passed = deadline_passed(lst, now)
    if passed and not admin:
        until = format_local(lst.choose_until)
        raise StudyError(f"选学已于{until}截止，如需调整请联系管理员")
    if (passed or not is_self) and not (reason or "").strip():
        raise StudyError("管理员代为调整选学须填写原因")
    return passed or not is_self


def _picked_items(lst: StudyList, item_ids: list[int]) -> list[StudyListItem]:
    wanted = set(item_ids)
    items = [i for i in lst.items if i.id in wanted]
    if len(items) != len(wanted) or any(i.kind is ItemKind.REQUIRED for i in items):
        raise StudyError("所选条目不属于本清单的重点或专业法规，请刷新页面后重新选择")
    return items


def _check_rule(lst: StudyList, person: User, items: list[StudyListItem]) -> None:
    key = [i for i in items if i.kind is ItemKind.KEY]
    fld = [i for i in items if i.kind is ItemKind.FIELD]
    wrong = [i for i in fld if not fits_field(i, person)]
    if wrong:
        raise StudyError(f"{wrong[0].law.display_name}不是本单位（本领域）的专业法规，不能选择")
    problems = []
    if len(key) != lst.key_count:
        problems.append(f"重点法规应选{lst.key_count}部，您选了{len(key)}部")
    if len(fld) != lst.field_count:
        problems.append(f"专业法规应选{lst.field_count}部，您选了{len(fld)}部")
    if problems:
        raise StudyError("；".join(problems))


def _replace_selection(lst, person, items, actor: Actor, now: datetime) -> None:
    keep = {i.id for i in items}
    old = db.session.scalars(
        sa.select(StudySelection).where(
            StudySelection.list_id == lst.id, StudySelection.user_id == person.id
        )
    ).all()
    for selection in old:
        if selection.item_id not in keep:
            db.session.delete(selection)
    have = {s.item_id for s in old}
    for item in items:
        if item.id not in have:
            db.session.add(
                StudySelection(
                    list_id=lst.id,
                    item_id=item.id,
                    user_id=person.id,
                    chosen_at=now,
                    chosen_by_id=getattr(actor.user, "id", None),
                )
            )
    db.session.flush()
    tally.people_changed(lst.id, [person.id])


# ---------------------------------------------------------------- progress


def studies(item: StudyListItem, person: User) -> bool:
    """Whether the item is on the person's own plan: 必学, or chosen."""
    if not in_audience(item.study_list.audience, person):
        return False
    return item.kind is ItemKind.REQUIRED or item.id in chosen_ids(item.study_list, person)


def progress_of(item: StudyListItem, person: User) -> StudyProgress | None:
    return db.session.scalar(
        sa.select(StudyProgress).where(
            StudyProgress.item_id == item.id, StudyProgress.user_id == person.id
        )
    )


def _progress(item: StudyListItem, person: User) -> StudyProgress:
    if not studies(item, person):
        raise StudyError("这部法规不在您的学习计划中：重点和专业法规请先选学")
    progress = progress_of(item, person)
    if progress is None:
        progress = StudyProgress(list_id=item.list_id, item_id=item.id, user_id=person.id)
        db.session.add(progress)
    return progress


def page_progress(item: StudyListItem, person: User) -> StudyProgress:
    """The person's progress as the item's page shows it: before their first reading
    is recorded (a POST from the page, or 我已学完), a blank one not in the database."""
    found = progress_of(item, person)
    if found is not None:
        return found
    return StudyProgress(list_id=item.list_id, item_id=item.id, user_id=person.id, readings=0)


def record_reading(item: StudyListItem, person: User, *, now: datetime) -> StudyProgress:
    """The person opened the item's articles to read them."""
    _ensure_progress_open(item, person)
    progress = _progress(item, person)
    progress.readings = (progress.readings or 0) + 1
    progress.last_read_at = now
    db.session.flush()
    return progress


def save_note(item: StudyListItem, person: User, text: str) -> StudyProgress:
    text = (text or "").strip()
    if len(text) > MAX_NOTE:
        raise StudyError(f"学习心得不能超过{MAX_NOTE}个字")
    progress = _progress(item, person)
    progress.note = text
    db.session.flush()
    return progress


def _ensure_progress_open(item: StudyListItem, person: User) -> None:
    lst = item.study_list
    ensure_year_not_closed(lst.owner_unit, lst.year, [person.unit_id])


def finish(item: StudyListItem, person: User, *, now: datetime) -> StudyProgress:
    _ensure_progress_open(item, person)
    progress = _progress(item, person)
    if not progress.readings:
        # 我已学完 is pressed on the page that shows the articles: a page without
        # JavaScript has not said it was opened, and is a reading now.
        progress = record_reading(item, person, now=now)
    if progress.finished_at is None:
        progress.finished_at = now
        db.session.flush()
        tally.people_changed(item.list_id, [person.id])
    db.session.flush()
    return progress


@signals.person_anonymised.connect
def _forget_notes(person: User, **_) -> None:
    """The retention purge: the person's 学习心得 (their own words) are cleared; what
    they read and finished stays counted."""
    db.session.execute(
        sa.update(StudyProgress)
        .where(StudyProgress.user_id == person.id, StudyProgress.note != "")
        .values(note="")
        .execution_options(synchronize_session=False)
    )
