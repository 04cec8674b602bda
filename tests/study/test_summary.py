"""What the home page and the 学法档案 get from study/summary.py, and the partials."""

from datetime import timedelta

from flask import render_template_string

from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category
from yongxi_learn.org.services import Actor
from yongxi_learn.study import plans, readings, summary

from .conftest import item_of


def test_home_items_show_pending_choice_and_unconfirmed_reading(app, study_list, leader, reading):
    study_list.year = utcnow().year
    items = summary.home_items(leader)
    assert [c.study_list.name for c in items.choices] == [study_list.name]
    assert items.unfinished_items == 2  # the two 必学 laws
    assert [r.reading.title for r in items.readings] == [reading.title]
    with app.test_request_context():
        html = render_template_string('{% include "study/_home.html" %}', study=items)
    assert "待选学" in html and "学习宪法第一条至第三条" in html and "2部法规未学完" in html


def test_home_counts_follow_choices_and_progress_as_the_list_page_does(
    app, study_list, leader, make_user, tree
):
    study_list.year = utcnow().year
    other = make_user("领导乙", tree["town"], category=Category.LEADER)
    ids = [item_of(study_list, t).id for t in ("民法典", "行政处罚法", "土地管理法")]
    plans.choose(study_list, leader, ids, actor=Actor(leader), now=utcnow())
    for title in ("宪法", "民法典", "党章"):
        plans.record_reading(item_of(study_list, title), leader, now=utcnow())
    for title in ("宪法", "民法典"):
        plans.finish(item_of(study_list, title), leader, now=utcnow())
    plans.record_reading(item_of(study_list, "宪法"), other, now=utcnow())
    plans.finish(item_of(study_list, "宪法"), other, now=utcnow())
    db.session.commit()

    items = summary.home_items(leader)
    [view] = summary.list_views(leader, study_list.year, utcnow())
    assert items.choices == [] and view.chosen_ok  # 2 重点 + 1 专业 chosen
    # 必学 党章 (read once, not finished), chosen 行政处罚法 and 土地管理法
    assert items.unfinished_items == 3 == sum(not r.finished for r in view.plan)

    others = summary.home_items(other)  # chose nothing, finished 宪法
    assert others.unfinished_items == 1 and len(others.choices) == 1


def test_home_items_empty_when_nothing_to_do(app, learner):
    items = summary.home_items(learner)
    assert items.empty
    assert render_template_string('{% include "study/_home.html" %}', study=items).strip() == ""


def test_year_record_lists_choice_progress_and_reading_time(study_list, leader, reading):
    ids = [item_of(study_list, t).id for t in ("民法典", "行政处罚法", "土地管理法")]
    plans.choose(study_list, leader, ids, actor=Actor(leader), now=utcnow())
    civil = item_of(study_list, "民法典")
    plans.record_reading(civil, leader, now=utcnow())
    plans.save_note(civil, leader, "合同编要点")
    plans.finish(civil, leader, now=utcnow())
    start = utcnow()
    progress = readings.open_reading(reading, leader, now=start)
    readings.heartbeat(progress, readings.Beat.START, at_end=False, now=start)
    readings.heartbeat(
        progress, readings.Beat.VISIBLE, at_end=True, now=start + timedelta(seconds=25)
    )

    record = summary.year_record(leader, 2024)
    (lst,) = record.lists
    assert lst.chosen_ok
    assert [(i.kind, i.title) for i in lst.items][:3] == [
        ("必学", "《宪法》"),
        ("必学", "《党章》"),
        ("重点", "《民法典》"),
    ]
    civil_row = next(i for i in lst.items if i.title == "《民法典》")
    assert civil_row.finished_at is not None and civil_row.note == "合同编要点"
    year = reading.created_at.year
    (row,) = summary.year_record(leader, year).readings
    assert row.opened_at is not None and row.confirmed_at is None
    html = render_template_string(
        '{% include "study/_record.html" %}', record=summary.year_record(leader, year)
    )
    assert "未确认" in html and "25秒" not in html  # done or not, never time spent
