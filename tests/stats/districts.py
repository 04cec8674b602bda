"""Two towns of 大足区 against the district's 2024 thresholds (参考率 ≥ 95%, 通过率
≥ 90%, villages reached 100%, every leading cadre's 2 + 1 choice):

  雍溪镇 (last by name) meets every one: its two village cadres sat and passed the
         district's exam and signed in at a session, so 石佛村 and 红岩村 are reached;
         its leading cadre made the 2 + 1 choice.
  宝顶镇 (first by name) meets none: of its two cadres (宝林村, 宝峰村) 甲 was
         absent and 乙 failed; nobody signed in at a session; its leading cadre
         宝顶镇领导 has not chosen.

So a board ordered by a figure would put 雍溪镇 first; by name 宝顶镇 comes first.
"""

from dataclasses import dataclass
from datetime import timedelta

from tests.training.conftest import NOON
from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db
from yongxi_learn.laws.models import Law, LawKind
from yongxi_learn.org.models import Category, Role, UnitKind
from yongxi_learn.org.services import SYSTEM, Actor
from yongxi_learn.stats import thresholds
from yongxi_learn.study import plans
from yongxi_learn.study.plan_models import ItemKind
from yongxi_learn.training import attendance
from yongxi_learn.training.models import AttendanceMethod

TITLE = "2024年度法治理论知识考试"


@dataclass
class Towns:
    tree: dict
    district_admin: object
    exam: object
    study_list: object


def _study_list(district, leaders_choosing):
    laws = []
    for title in ("民法典", "行政处罚法", "公务员法"):
        law = Law(owner_unit=district, title=title, kind=LawKind.LAW)
        db.session.add(law)
        laws.append(law)
    db.session.flush()
    lst = plans.create_list(
        district,
        plans.ListSettings(
            name="2024年领导干部应知应会清单",
            year=2024,
            choose_until=utcnow() + timedelta(days=30),
            audience={"units": [district.id], "categories": ["leader"], "people": []},
        ),
        actor=SYSTEM,
    )
    kinds = (ItemKind.KEY, ItemKind.KEY, ItemKind.FIELD)
    for kind, law in zip(kinds, laws, strict=True):
        fields = [district.id] if kind is ItemKind.FIELD else []
        plans.add_item(
            lst, plans.ItemSpec(kind=kind, law_id=law.id, field_unit_ids=fields), actor=SYSTEM
        )
    db.session.flush()
    for leader in leaders_choosing:
        plans.choose(lst, leader, [i.id for i in lst.items], actor=Actor(leader), now=utcnow())
    return lst


def set_thresholds(district, **values):
    values = {
        "participation": 95,
        "pass_rate": 90,
        "villages": 100,
        "leaders_chosen": True,
        **values,
    }
    thresholds.set_thresholds(district, 2024, actor=SYSTEM, now=utcnow(), **values)
    db.session.commit()


def build_towns(tree, make_user, make_unit, make_session) -> Towns:
    """The ``towns`` fixture (tests/stats/conftest.py)."""
    from tests.stats.conftest import _enrol, _exam, _sat

    district, town, other = tree["district"], tree["town"], tree["other_town"]
    make_unit("宝峰村", UnitKind.VILLAGE, other)
    admin = make_user("区管理员", district, roles=[(Role.ADMIN, district)])
    cadre = Category.VILLAGE_CADRE
    good = [
        make_user("石佛村干部", tree["village"], cadre),
        make_user("红岩村干部", tree["village2"], cadre),
    ]
    absent = make_user("甲", tree["other_village"], cadre)
    failed = make_user("乙", tree["other_village"], cadre)
    exam = _exam(district, TITLE)
    for person in [*good, absent, failed]:
        _enrol(exam, person)
    for person in good:
        _sat(exam, person, 90)
    _sat(exam, failed, 30)
    db.session.commit()
    session = make_session(owner=town)
    for person in good:
        attendance.sign_in(session, person, method=AttendanceMethod.QR, now=NOON)
    leader = make_user("雍溪镇领导", town, Category.LEADER)
    make_user("宝顶镇领导", other, Category.LEADER)
    lst = _study_list(district, [leader])
    db.session.commit()
    set_thresholds(district)
    return Towns(tree, admin, exam, lst)
