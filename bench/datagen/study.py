"""A district study list (2 + 1 学法清单) and reading tasks for everyone, with their
selections, progress and confirmations, bulk-inserted: the 学习清单与阅读 part of
the year overview then counts district-sized rows.

The laws are named only (no article text), so nothing here invents law text.
"""

import random
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from yongxi_learn.extensions import db
from yongxi_learn.laws.models import Law, LawKind
from yongxi_learn.org.models import OrgUnit, User
from yongxi_learn.study.plan_models import (
    ItemKind,
    StudyList,
    StudyListItem,
    StudyProgress,
    StudySelection,
)
from yongxi_learn.study.reading_models import ReadingAssignment, ReadingKind, ReadingProgress

from .people import BATCH, batches

# (kind, law title): 2 必学, 3 重点 to choose 2 of, 2 专业 to choose 1 of.
ITEMS = (
    (ItemKind.REQUIRED, "中华人民共和国宪法"),
    (ItemKind.REQUIRED, "中华人民共和国民法典"),
    (ItemKind.KEY, "中华人民共和国行政处罚法"),
    (ItemKind.KEY, "中华人民共和国行政许可法"),
    (ItemKind.KEY, "中华人民共和国行政复议法"),
    (ItemKind.FIELD, "中华人民共和国土地管理法"),
    (ItemKind.FIELD, "中华人民共和国安全生产法"),
)
CHOSE_RATE = 0.7  # people who made their 2 + 1 choice
FINISH_RATE = 0.6  # per item on a person's plan
READINGS = 2
OPENED_RATE, CONFIRMED_RATE = 0.8, 0.6


def add_study(district: OrgUnit, year: int, rng: random.Random) -> int:
    """The list, its choices and progress, and the readings; returns rows inserted."""
    people = list(
        db.session.scalars(
            sa.select(User.id)
            .join(OrgUnit, OrgUnit.id == User.unit_id)
            .where(OrgUnit.path.startswith(district.path), User.active)
            .order_by(User.id)
        )
    )
    study_list, items = _study_list(district, year)
    rows = _plans(study_list, items, people, rng)
    for n in range(READINGS):
        rows += _reading(district, year, n, people, rng)
    return rows


def _study_list(district: OrgUnit, year: int) -> tuple[StudyList, list[StudyListItem]]:
    study_list = StudyList(
        owner_unit_id=district.id,
        year=year,
        name=f"{year}年度学法清单（压测）",
        audience={"units": [district.id]},
        key_count=2,
        field_count=1,
    )
    db.session.add(study_list)
    items = []
    for position, (kind, title) in enumerate(ITEMS):
        law = Law(owner_unit_id=district.id, title=title, kind=LawKind.LAW, sample=True)
        item = StudyListItem(study_list=study_list, kind=kind, position=position, law=law)
        if kind is ItemKind.FIELD:
            item.field_name, item.field_unit_ids = "专业领域", [district.id]
        items.append(item)
    db.session.add_all(items)
    db.session.flush()
    return study_list, items


def _plans(study_list: StudyList, items: list[StudyListItem], people, rng) -> int:
    required = [i.id for i in items if i.kind is ItemKind.REQUIRED]
    keys = [i.id for i in items if i.kind is ItemKind.KEY]
    fields = [i.id for i in items if i.kind is ItemKind.FIELD]
    selections, progress = [], []
    finished = datetime(study_list.year, 3, 1)
    for user_id in people:
        plan = list(required)
        if rng.random() < CHOSE_RATE:
            chosen = rng.sample(keys, 2) + rng.sample(fields, 1)
            plan += chosen
            selections += [_row(study_list.id, item_id, user_id) for item_id in chosen]
        progress += [
            {**_row(study_list.id, item_id, user_id), "readings": 1, "finished_at": finished}
            for item_id in plan
            if rng.random() < FINISH_RATE
        ]
    _insert(StudySelection, selections)
    _insert(StudyProgress, progress)
    return len(selections) + len(progress)


def _row(list_id: int, item_id: int, user_id: int) -> dict:
    return {"list_id": list_id, "item_id": item_id, "user_id": user_id}


def _reading(district: OrgUnit, year: int, n: int, people, rng) -> int:
    reading = ReadingAssignment(
        owner_unit_id=district.id,
        title=f"压测阅读任务{n + 1}",
        kind=ReadingKind.TEXT,
        body_html="<p>压测用阅读材料。</p>",
        audience={"units": [district.id]},
        due_on=date(year, 6 + n, 30),
        min_seconds=60,
    )
    db.session.add(reading)
    db.session.flush()
    opened = datetime(year, 5 + n, 1)
    rows = [
        {
            "assignment_id": reading.id,
            "user_id": user_id,
            "opened_at": opened,
            "counted_ms": 60_000,
            "reached_end_at": opened + timedelta(minutes=1),
            "confirmed_at": opened + timedelta(minutes=2)
            if rng.random() < CONFIRMED_RATE / OPENED_RATE
            else None,
        }
        for user_id in people
        if rng.random() < OPENED_RATE
    ]
    _insert(ReadingProgress, rows)
    return len(rows)


def _insert(model, rows: list[dict]) -> None:
    for batch in batches(rows, BATCH):
        db.session.execute(sa.insert(model), batch)
