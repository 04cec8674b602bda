"""A town with one of each thing to chase this year: a study list, a reading, a training
session tomorrow and a published exam; people in two of its units and one in town B."""

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.exams.paper_fixtures import make_exam, make_questions
from yongxi_learn.core.time import local_today, utcnow
from yongxi_learn.courses import services as courses
from yongxi_learn.courses.models import PartKind
from yongxi_learn.exams.papers import services as papers
from yongxi_learn.extensions import db
from yongxi_learn.laws.models import Law, LawArticle, LawKind
from yongxi_learn.org.models import Role
from yongxi_learn.org.services import SYSTEM, Actor
from yongxi_learn.study import plans, readings
from yongxi_learn.study.plan_models import ItemKind
from yongxi_learn.study.reading_models import ReadingKind
from yongxi_learn.training import services as training
from yongxi_learn.training.models import KindCode


@pytest.fixture(autouse=True)
def _app(app):
    return app


@pytest.fixture
def people(make_user, tree):
    return {
        "town_admin": make_user("管理员甲", tree["justice"], roles=[(Role.ADMIN, tree["town"])]),
        "village_admin": make_user(
            "村管理员", tree["village"], roles=[(Role.UNIT_ADMIN, tree["village"])]
        ),
        "b_admin": make_user(
            "乙镇管理员", tree["other_town"], roles=[(Role.ADMIN, tree["other_town"])]
        ),
        "zhang": make_user("张三", tree["village"], phone="13800001111"),
        "li": make_user("李四", tree["office"], phone="13800002222"),
        "eq": make_user("=HYPERLINK(1)", tree["village"], phone="13800003333"),
    }


def _audience(tree) -> dict:
    return {"units": [tree["village"].id, tree["office"].id], "categories": [], "people": []}


@pytest.fixture
def things(tree, people):
    year = local_today().year
    town = tree["town"]
    laws = []
    for title in ("宪法", "党章", "民法典", "行政处罚法"):
        law = Law(owner_unit=town, title=title, kind=LawKind.LAW)
        db.session.add(law)
        laws.append(law)
    db.session.flush()
    lst = plans.create_list(
        town,
        plans.ListSettings(
            name=f"{year}年应知应会法律清单",
            year=year,
            choose_until=utcnow() + timedelta(days=20),
            key_count=1,
            field_count=0,
            audience=_audience(tree),
        ),
        actor=SYSTEM,
    )
    for kind, law in zip(
        (ItemKind.REQUIRED, ItemKind.REQUIRED, ItemKind.KEY, ItemKind.KEY), laws, strict=True
    ):
        plans.add_item(lst, plans.ItemSpec(kind=kind, law_id=law.id), actor=SYSTEM)
    reading = readings.create_reading(
        town,
        readings.ReadingSettings(
            title="以案释法：土地纠纷",
            kind=ReadingKind.TEXT,
            due_on=local_today() + timedelta(days=10),
            min_seconds=60,
            body="<p>案例</p>",
            audience=_audience(tree),
        ),
        actor=SYSTEM,
    )
    training.ensure_default_kinds()
    kinds = {k.code: k for k in training.kinds() if k.code}
    start = utcnow() + timedelta(days=1)
    session = training.create_session(
        town,
        training.SessionData(
            kind_id=kinds[KindCode.TOPIC].id,
            topic="民法典专题学习",
            place="三楼会议室",
            lecturer="",
            laws="",
            notes="",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            hours=Decimal(2),
            audience=_audience(tree),
        ),
        actor=SYSTEM,
    )
    admin = people["town_admin"]
    exam = make_exam(
        town,
        admin,
        audience=_audience(tree),
        questions=make_questions(town, n=3),
        title=f"{year}年法治理论知识考试",
        year=year,
        opens_at=utcnow() - timedelta(hours=1),
        closes_at=utcnow() + timedelta(days=5),
    )
    papers.publish(exam, actor=Actor(admin), now=utcnow())
    laws[0].articles.append(LawArticle(position=0, number=1, label="第1条", text="示例条文"))
    course = courses.create_course(
        town,
        courses.CourseSettings(
            title="宪法入门课程", year=year, credit_hours="1", audience=_audience(tree)
        ),
        actor=SYSTEM,
    )
    courses.add_part(
        course, courses.PartInput(kind=PartKind.ARTICLES, law_id=laws[0].id), actor=SYSTEM
    )
    courses.publish(course, actor=SYSTEM, now=utcnow())
    db.session.commit()
    return {
        "list": lst,
        "reading": reading,
        "session": session,
        "exam": exam,
        "course": course,
        "laws": laws,
    }
