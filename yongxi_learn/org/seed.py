"""Demo data for 雍溪镇: the unit tree and about 200 fictional people.

Everything here is made up except the shape (offices, 8 villages, 44 法律明白人,
the figures of the 2024 report). The data set is marked as demo data, and the
logins it prints are generated per installation, never fixed in the code.
"""

import os
import random
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from ..core.settings import set_setting
from ..extensions import db
from . import services
from .models import Category, OrgUnit, Role, UnitKind, User

DEMO_FLAG = "demo_data"

OFFICES = [
    "党政办公室",
    "党建工作办公室",
    "平安法治办公室",
    "经济发展办公室",
    "社会事务办公室",
    "规划建设管理环保办公室",
    "农业服务中心",
    "财政所",
    "司法所",
    "派出所",
    "综合行政执法大队",
    "便民服务中心",
]
# Fictional village and community names (8, as in the 2024 report).
VILLAGES = ["雍溪社区", "石佛村", "红岩村", "双河村", "五星村", "新桥村", "高坪村", "玉龙村"]
LEADER_POSTS = [
    "党委书记",
    "党委副书记、镇长",
    "人大主席",
    "党委副书记",
    "纪委书记",
    "组织委员",
    "宣传委员",
    "副镇长",
    "副镇长",
    "武装部部长",
]
VILLAGE_POSTS = ["党组织书记、主任", "副书记", "副主任", "委员", "委员", "委员", "综治专干", "文书"]
SURNAMES = [*"张王李刘陈杨黄赵周吴徐孙马胡朱郭何罗高林唐谭邓蒋彭冉秦雷曾夏", "欧阳"]
GIVEN = list("文华建国志明秀英红梅春兰海燕晓丽军平德明玉洪涛永强勇俊杰静敏丹婷雪")


LOGIN_ORDER = [
    "区管理员",
    "管理员",
    "单位管理员",
    "审阅人",
    "领导干部",
    "机关干部",
    "村(社区)两委干部",
    "法律明白人",
]


@dataclass
class DemoLogin:
    role: str
    name: str
    phone: str
    password: str


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        if name not in used:
            used.add(name)
            return name


def demo_town() -> OrgUnit | None:
    return db.session.scalar(
        sa.select(OrgUnit).where(OrgUnit.name == "雍溪镇", OrgUnit.kind == UnitKind.TOWN)
    )


def is_seeded() -> bool:
    return demo_town() is not None


def seed(logins_path: Path) -> list[DemoLogin]:
    """Create the demo tree and people (the caller commits); returns the demo logins."""
    rng = random.Random(2024)  # noqa: S311 (repeatable fictional names, not secrets)
    used: set[str] = set()
    actor = services.SYSTEM
    district = services.create_unit("大足区", UnitKind.DISTRICT, None, actor=actor)
    town = services.create_unit("雍溪镇", UnitKind.TOWN, district, actor=actor)
    offices = {n: services.create_unit(n, UnitKind.OFFICE, town, actor=actor) for n in OFFICES}
    villages = [services.create_unit(n, UnitKind.VILLAGE, town, actor=actor) for n in VILLAGES]
    taken = set(db.session.scalars(sa.select(User.phone)))
    phones = (p for p in (f"139{n:08d}" for n in range(230_00001, 230_99999)) if p not in taken)
    logins: list[DemoLogin] = []

    def person(unit, category, post, role_label=None):
        user, password = services.create_person(
            name=_name(rng, used),
            phone=next(phones),
            unit=unit,
            category=category,
            post=post,
            actor=actor,
        )
        if role_label:
            user.must_change_password = False
            logins.append(DemoLogin(role_label, user.name, user.phone, password))
        return user

    for i, post in enumerate(LEADER_POSTS):
        person(town, Category.LEADER, post, "领导干部" if i == 1 else None)
    office_list = list(offices.values())
    for i in range(80):
        unit = office_list[i % len(office_list)]
        person(
            unit,
            Category.OFFICIAL,
            "科员" if i >= len(office_list) else "负责人",
            "机关干部" if i == 13 else None,
        )
    for v, village in enumerate(villages):
        for i in range(8 if v < 4 else 7):
            person(
                village,
                Category.VILLAGE_CADRE,
                VILLAGE_POSTS[i],
                "村(社区)两委干部" if (v, i) == (1, 2) else None,
            )
        for j in range(6 if v < 4 else 5):
            liaison = person(
                village,
                Category.LEGAL_LIAISON,
                "法律明白人",
                "法律明白人" if (v, j) == (1, 0) else None,
            )
            # The demo's 法律明白人 reads in 长辈模式 from the first login (auth/elder.py).
            liaison.elder_mode = (v, j) == (1, 0)

    admin = person(offices["平安法治办公室"], Category.OFFICIAL, "平安法治办主任", "管理员")
    services.grant_role(admin, Role.ADMIN, town, actor=actor)
    unit_admin = person(villages[1], Category.VILLAGE_CADRE, "综治专干", "单位管理员")
    services.grant_role(unit_admin, Role.UNIT_ADMIN, villages[1], actor=actor)
    reviewer = person(district, Category.OTHER, "依法治区办工作人员", "审阅人")
    services.grant_role(reviewer, Role.REVIEWER, town, actor=actor)
    # The district runs the deployment (DESIGN §0): its admin opens and hands over towns.
    district_admin = person(district, Category.OTHER, "依法治区办主任", "区管理员")
    services.grant_role(district_admin, Role.ADMIN, district, actor=actor)
    set_setting(DEMO_FLAG, "1")
    db.session.flush()
    # Admin roles first: they are what a visitor of the demo wants to try.
    logins.sort(key=lambda x: LOGIN_ORDER.index(x.role))
    _write_logins(logins_path, logins)
    return logins


def _write_logins(path: Path, logins: list[DemoLogin]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        for login in logins:
            fh.write(f"{login.role}\t{login.name}\t{login.phone}\t{login.password}\n")


def read_logins(path: Path) -> list[DemoLogin]:
    if not path.exists():
        return []
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line]
    logins = [DemoLogin(*row) for row in rows if len(row) == 4]
    # Show only accounts that still exist with the printed phone.
    phones = set(
        db.session.scalars(sa.select(User.phone).where(User.phone.in_([x.phone for x in logins])))
    )
    return [x for x in logins if x.phone in phones]
