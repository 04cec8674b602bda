"""待办: exactly the open items, with due and what is left, nothing about others."""

import re

from tests.live.minutes import time_spent
from yongxi_learn.core.time import local_today, utcnow
from yongxi_learn.extensions import db
from yongxi_learn.org.services import Actor
from yongxi_learn.org.year_close import YearClose
from yongxi_learn.study import plans, readings

RANKING = re.compile("排名|名次|排行|积分|连续")


def _page(client, login, user) -> str:
    login(user)
    response = client.get("/todo")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_todo_lists_each_open_item_with_due_and_what_is_left(client, login, people, things):
    html = _page(client, login, people["zhang"])
    lst, reading = things["list"], things["reading"]
    for title in (lst.name, reading.title, "民法典专题学习", things["exam"].title):
        assert title in html
    assert "还需选学重点法规1部、学完2部" in html
    assert "未阅读" in html
    assert "未参加" in html
    due = reading.due_on
    assert f"{due.month}月{due.day}日前" in html
    assert not RANKING.search(html)
    assert not time_spent(html)


def test_todo_leaves_out_what_is_done_and_says_nothing_of_others(client, login, people, things):
    zhang, li = people["zhang"], people["li"]
    lst = things["list"]
    key = next(i for i in lst.items if i.kind.value == "key")
    plans.choose(lst, zhang, [key.id], actor=Actor(zhang), now=utcnow())
    for item in [i for i in lst.items if i.kind.value == "required"] + [key]:
        plans.record_reading(item, zhang, now=utcnow())
        plans.finish(item, zhang, now=utcnow())
    readings.open_reading(things["reading"], zhang, now=utcnow())
    db.session.commit()
    html = _page(client, login, zhang)
    assert lst.name not in html
    assert "李四" not in html and li.phone not in html
    assert "已打开，未确认已学习" in html


def test_a_closed_year_shows_nothing(client, login, people, things, tree):
    db.session.add(YearClose(unit_id=tree["town"].id, year=local_today().year))
    db.session.commit()
    html = _page(client, login, people["zhang"])
    assert things["list"].name not in html
    assert "目前没有待办事项" in html


def test_home_page_links_the_todo_page(client, login, people, things):
    login(people["zhang"])
    assert "/todo" in client.get("/").get_data(as_text=True)


def test_a_course_says_which_parts_and_the_quiz_are_left(app):
    from types import SimpleNamespace as NS

    from yongxi_learn.home.todo import _course

    course = NS(id=1, title="行政处罚法入门", due_on=None, quiz_size=5)
    parts = [NS(number=1, done=True), NS(number=2, done=False), NS(number=3, done=False)]
    with app.test_request_context():
        item = _course(NS(course=course, parts=parts, quiz_passed=False))
        assert item.left == "还差第2部分、第3部分和测验"
        parts[2].done = True
        assert (
            _course(NS(course=course, parts=parts, quiz_passed=False)).left == "还差第2部分和测验"
        )
        assert item.due_text == "无期限"
