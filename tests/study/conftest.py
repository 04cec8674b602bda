"""Fixtures of the study tests: laws (with a few articles), a 2024 list for leading
cadres with 必学/重点/专业 items, and a reading assignment."""

from datetime import timedelta

import pytest

from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db
from yongxi_learn.laws.models import Law, LawArticle, LawKind
from yongxi_learn.org.models import Category
from yongxi_learn.org.services import SYSTEM
from yongxi_learn.study import plans, readings
from yongxi_learn.study.plan_models import ItemKind
from yongxi_learn.study.reading_models import ReadingKind


@pytest.fixture(autouse=True)
def _app(app):
    """Every study test runs inside the app (and its fresh database)."""
    return app


TITLES = [
    "宪法",
    "党章",
    "民法典",
    "行政处罚法",
    "行政许可法",
    "公务员法",
    "土地管理法",
    "治安管理处罚法",
]


@pytest.fixture
def laws(app, tree):
    out = {}
    for title in TITLES:
        law = Law(owner_unit=tree["town"], title=title, kind=LawKind.LAW)
        db.session.add(law)
        out[title] = law
    for n in range(1, 4):
        out["宪法"].articles.append(
            LawArticle(position=n - 1, number=n, label=f"第{n}条", text=f"示例条文{n}")
        )
    db.session.commit()
    return out


@pytest.fixture
def study_list(tree, laws):
    """Leaders and officials of 雍溪镇: 必学 宪法, 党章; 重点 民法典, 行政处罚法,
    行政许可法; 专业 公务员法 (党政办公室), 土地管理法 (whole town), 治安管理处罚法 (司法所)."""
    lst = plans.create_list(
        tree["town"],
        plans.ListSettings(
            name="2024年领导干部应知应会党内法规和国家法律清单",
            year=2024,
            choose_until=utcnow() + timedelta(days=30),
            audience={"units": [tree["town"].id], "categories": [], "people": []},
        ),
        actor=SYSTEM,
    )
    specs = [
        (ItemKind.REQUIRED, "宪法", []),
        (ItemKind.REQUIRED, "党章", []),
        (ItemKind.KEY, "民法典", []),
        (ItemKind.KEY, "行政处罚法", []),
        (ItemKind.KEY, "行政许可法", []),
        (ItemKind.FIELD, "公务员法", [tree["office"].id]),
        (ItemKind.FIELD, "土地管理法", [tree["town"].id]),
        (ItemKind.FIELD, "治安管理处罚法", [tree["justice"].id]),
    ]
    for kind, title, units in specs:
        plans.add_item(
            lst,
            plans.ItemSpec(kind=kind, law_id=laws[title].id, field_unit_ids=units),
            actor=SYSTEM,
        )
    db.session.commit()
    return lst


def item_of(lst, title):
    return next(i for i in lst.items if i.law.title == title)


@pytest.fixture
def leader(make_user, tree):
    return make_user("领导甲", tree["town"], category=Category.LEADER)


@pytest.fixture
def reading(tree, laws):
    r = readings.create_reading(
        tree["town"],
        readings.ReadingSettings(
            title="学习宪法第一条至第三条",
            kind=ReadingKind.ARTICLES,
            due_on=None,
            min_seconds=60,
            law_id=laws["宪法"].id,
            article_from=1,
            article_to=3,
            audience={"units": [tree["town"].id], "categories": [], "people": []},
        ),
        actor=SYSTEM,
    )
    db.session.commit()
    return r
