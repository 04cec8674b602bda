"""One order on every list: units in the tree's order, and within a unit people by the
rank of their 职务 (党委书记, 镇长, 人大主席, 党委副书记, 副镇长, 党委委员 …), then by name."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from yongxi_learn.core.time import utcnow
from yongxi_learn.exams.models import Enrolment, Exam, ExamStatus
from yongxi_learn.exams.papers import enrolment, monitor
from yongxi_learn.extensions import db
from yongxi_learn.org.models import OrgUnit, UnitKind, User
from yongxi_learn.org.posts import NO_POST, OTHER_POST, post_rank

# (name, post), in the order a government lists its leading cadres; the names' pinyin
# order (安 an, 陈 chen, 李 li ...) is a different one.
LEADERS = [
    ("王书记", "党委书记"),
    ("李镇长", "党委副书记、镇长"),
    ("赵主席", "人大主席"),
    ("陈副书记", "党委副书记"),
    ("张副镇长", "副镇长"),
    ("安委员", "党委委员、武装部长"),
    ("白干部", "科员"),
    ("蔡某", ""),
]


def test_posts_rank_in_the_order_a_government_lists_them():
    ranks = [post_rank(post) for _, post in LEADERS]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    assert post_rank("党委副书记、镇长") == post_rank("镇长")  # the higher of two posts
    assert post_rank("常务副镇长") == post_rank("副镇长")
    assert post_rank("人大副主席") > post_rank("人大主席")
    assert post_rank("武装部部长") == post_rank("组织委员") == post_rank("党委委员")
    assert post_rank("驾驶员") == OTHER_POST and post_rank("  ") == NO_POST


@pytest.fixture
def leaders(make_user, tree):
    people = []
    for name, post in reversed(LEADERS):  # created against the order: ids do not decide
        person = make_user(name, tree["town"])
        person.post = post
        people.append(person)
    db.session.commit()
    return [name for name, _ in LEADERS]


def test_the_people_page_lists_leaders_by_rank_not_by_pinyin(client, login, admin, leaders):
    login(admin)
    html = client.post("/admin/people", data={"unit_id": ""}).get_data(as_text=True)
    shown = [name for name in re.findall(r">([^<>]+)</a>", html) if name in leaders]
    assert shown == leaders


def test_a_post_changed_later_moves_the_person(tree, admin, leaders):
    person = db.session.scalar(sa.select(User).where(User.name == "蔡某"))
    person.post = "党委书记"
    db.session.commit()
    assert db.session.get(User, person.id).post_rank == post_rank("党委书记")


@pytest.fixture
def many_units(make_unit, make_user, tree):
    """Villages up to id 10 and more: a path of ids sorts "/1/2/10/" before "/1/2/4/";
    the tree's order (siblings by sort_order) puts the newest village last."""
    for i in range(3):
        make_unit(f"新{i}村", UnitKind.VILLAGE, tree["town"])
    last = db.session.scalar(sa.select(OrgUnit).order_by(OrgUnit.id.desc()))
    assert last.id >= 10
    names = {}
    for unit in db.session.scalars(sa.select(OrgUnit).where(OrgUnit.parent_id == tree["town"].id)):
        names[unit.id] = make_user(f"{unit.name}人", unit).name
    return names


def tree_names(tree, names):
    town = db.session.get(OrgUnit, tree["town"].id)
    return [names[unit.id] for unit in town.children]


def test_people_list_in_the_unit_trees_order(tree, admin, many_units):
    from yongxi_learn.org import services

    select = services.people_select(admin, services.PeopleQuery())
    shown = [
        n
        for n in db.session.scalars(select.with_only_columns(User.name))
        if n in many_units.values()
    ]
    assert shown == tree_names(tree, many_units)


def test_exam_name_lists_use_the_same_unit_order(tree, admin, many_units):
    now = utcnow()
    exam = Exam(
        owner_unit_id=tree["town"].id,
        title="考试",
        year=2024,
        status=ExamStatus.PUBLISHED,
        opens_at=now,
        closes_at=now + timedelta(days=1),
        published_at=now,
    )
    db.session.add(exam)
    db.session.flush()
    for person in db.session.scalars(sa.select(User).where(User.name.in_(many_units.values()))):
        db.session.add(
            Enrolment(
                exam_id=exam.id, user_id=person.id, unit_id=person.unit_id, category=person.category
            )
        )
    db.session.commit()
    expected = tree_names(tree, many_units)
    rows = db.session.scalars(enrolment.enrolment_select(exam, admin))
    assert [row.user.name for row in rows] == expected
    rows = db.session.execute(monitor.progress_select(exam, admin, now=utcnow()))
    assert [row[0].user.name for row in rows] == expected
