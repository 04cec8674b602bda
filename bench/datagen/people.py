"""Units and people for the benchmark: 区 → towns → offices and villages, people
spread over them with realistic categories. Bulk inserts, one statement per batch."""

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sqlalchemy as sa

from yongxi_learn.auth.passwords import hash_password
from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category, OrgUnit, Role, RoleGrant, UnitKind, User
from yongxi_learn.org.names import pinyin_key

BATCH = 2000
OFFICES = ("党政办公室", "综合行政执法办", "平安法治办", "经济发展办", "社会事务办")
VILLAGES_PER_TOWN = 4
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华兰红玉春梅志建国文斌鑫燕"
# Phones start here: 199 numbers are never handed out by the demo seed.
PHONE_BASE = 19900000000
# Who works in an office and who in a village.
OFFICE_CATEGORIES = [(Category.LEADER, 1), (Category.OFFICIAL, 8), (Category.OTHER, 1)]
VILLAGE_CATEGORIES = [(Category.VILLAGE_CADRE, 5), (Category.LEGAL_LIAISON, 4), (Category.OTHER, 1)]

Progress = Callable[[int], None]


@dataclass
class Tree:
    district: OrgUnit
    towns: list[OrgUnit]
    leaves: list[OrgUnit]  # offices and villages, where people work


def build_tree(towns: int, name: str = "示例区") -> Tree:
    """The district and its towns, each with offices and villages (~10 units a town)."""
    district = _unit(name, UnitKind.DISTRICT, None, 0)
    tree = Tree(district, [], [])
    for t in range(towns):
        town = _unit(f"第{t + 1}镇", UnitKind.TOWN, district, t)
        tree.towns.append(town)
        for i, office in enumerate(OFFICES):
            tree.leaves.append(_unit(office, UnitKind.OFFICE, town, i))
        for v in range(VILLAGES_PER_TOWN):
            tree.leaves.append(_unit(f"第{v + 1}村", UnitKind.VILLAGE, town, 10 + v))
    return tree


def _unit(name: str, kind: UnitKind, parent: OrgUnit | None, order: int) -> OrgUnit:
    unit = OrgUnit(name=name, kind=kind, parent=parent, sort_order=order)
    db.session.add(unit)
    db.session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    return unit


def add_people(tree: Tree, count: int, rng: random.Random, progress: Progress) -> list[int]:
    """``count`` people over the leaves; returns their ids in insertion order.

    Everyone shares one password hash (scrypt per person would take minutes).
    """
    pw_hash = hash_password("bench-password-1")
    start = db.session.scalar(sa.select(sa.func.count(User.id))) or 0
    now = utcnow()
    rows = (_person(start + i, tree, rng, pw_hash, now) for i in range(count))
    for batch in batches(rows, BATCH):
        db.session.execute(sa.insert(User), batch)
        progress(len(batch))
    first = PHONE_BASE + start
    return list(
        db.session.scalars(
            sa.select(User.id)
            .where(User.phone.between(str(first), str(first + count - 1)))
            .order_by(User.phone)
        )
    )


def _person(i: int, tree: Tree, rng: random.Random, pw_hash: str, now) -> dict:
    unit = tree.leaves[i % len(tree.leaves)]
    weights = OFFICE_CATEGORIES if unit.kind is UnitKind.OFFICE else VILLAGE_CATEGORIES
    category = rng.choices([c for c, _ in weights], [w for _, w in weights])[0]
    name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
    return {
        "name": name,
        "name_sort": pinyin_key(name),
        "phone": str(PHONE_BASE + i),
        "password_hash": pw_hash,
        "must_change_password": False,
        "unit_id": unit.id,
        "category": category,
        "post": "",
        "active": True,
        "failed_logins": 0,
        "created_at": now,
    }


def grant_admin(user_id: int, unit: OrgUnit) -> None:
    db.session.add(RoleGrant(user_id=user_id, role=Role.ADMIN, unit_id=unit.id))


def batches(rows, size: int) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
