"""Study figures on hand-built data: 2 + 1 selection and completion by unit, items
finished, reading completion; zero denominators give no figure, not an error."""

from datetime import timedelta

from tests.study.helpers import choose, finish
from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category
from yongxi_learn.org.services import Actor
from yongxi_learn.stats import queries
from yongxi_learn.study import plans, readings

from .conftest import item_of


def test_list_figures_by_unit(study_list, make_user, tree):
    a = make_user("领导甲", tree["town"], category=Category.LEADER)
    b = make_user("领导乙", tree["town"], category=Category.LEADER)
    c = make_user("科员丙", tree["office"])
    make_user("村干部丁", tree["village"], category=Category.VILLAGE_CADRE)
    choose(study_list, a, "民法典", "行政处罚法", "土地管理法")
    finish(study_list, a, "宪法", "党章", "民法典", "行政处罚法", "土地管理法")
    choose(study_list, b, "民法典", "行政许可法", "土地管理法")
    finish(study_list, b, "宪法")
    choose(study_list, c, "民法典", "行政许可法", "公务员法")
    db.session.commit()

    figures = queries.study_list_figures(study_list, tree["town"])
    assert figures.people == 4
    assert (figures.chosen.numerator, figures.chosen.denominator) == (3, 4)
    assert str(figures.completed) == "25%"
    rows = {u.unit.name: u for u in figures.by_unit}
    assert rows["雍溪镇"].people == 2 and str(rows["雍溪镇"].first) == "100%"
    assert str(rows["雍溪镇"].second) == "50%"
    assert rows["党政办公室"].people == 1 and str(rows["党政办公室"].second) == "0%"
    assert rows["司法所"].people == 0 and str(rows["司法所"].first) == "—"

    leaders = queries.leader_study(2024, tree["town"])
    assert (leaders.people, leaders.chosen.numerator, leaders.completed.numerator) == (2, 2, 1)
    # A village's subtree: one person, nobody chose.
    village = queries.study_list_figures(study_list, tree["village"])
    assert village.people == 1 and str(village.chosen) == "0%"


def test_deselected_finished_item_does_not_count(study_list, leader, admin):
    choose(study_list, leader, "民法典", "行政处罚法", "土地管理法")
    finish(study_list, leader, "宪法", "党章", "民法典", "行政处罚法", "土地管理法")
    assert queries.study_list_figures(study_list).completed.numerator == 1
    ids = [item_of(study_list, t).id for t in ("民法典", "行政许可法", "土地管理法")]
    plans.choose(study_list, leader, ids, actor=Actor(admin), now=utcnow(), reason="调整")
    assert queries.study_list_figures(study_list).completed.numerator == 0


def test_item_figures(study_list, make_user, tree):
    a = make_user("领导甲", tree["town"], category=Category.LEADER)
    make_user("领导乙", tree["town"], category=Category.LEADER)
    choose(study_list, a, "民法典", "行政处罚法", "土地管理法")
    finish(study_list, a, "宪法", "民法典")
    figures = {f.item.law.title: f for f in queries.study_item_figures(study_list)}
    assert figures["宪法"].learners == 2 and str(figures["宪法"].finished) == "50%"
    assert figures["民法典"].learners == 1 and str(figures["民法典"].finished) == "100%"
    assert figures["行政许可法"].learners == 0 and str(figures["行政许可法"].finished) == "—"


def test_zero_denominators(tree, study_list):
    assert str(queries.study_list_figures(study_list).chosen) == "—"
    assert str(queries.leader_study(2024, tree["town"]).completed) == "—"
    assert queries.leader_study(1999, tree["town"]).lists == 0
    assert str(queries.reading_completion(2024, tree["town"])) == "—"


def test_reading_completion_by_unit(reading, make_user, tree):
    a = make_user("科员甲", tree["office"])
    b = make_user("科员乙", tree["office"])
    make_user("村干部", tree["village"], category=Category.VILLAGE_CADRE)
    make_user("外镇", tree["other_village"])
    now = utcnow()
    progress = readings.open_reading(reading, a, now=now)
    readings.heartbeat(progress, readings.Beat.START, at_end=False, now=now)
    for i in (1, 2):
        later = now + timedelta(seconds=30 * i)
        readings.heartbeat(progress, readings.Beat.VISIBLE, at_end=True, now=later)
    readings.confirm(progress, now=now + timedelta(seconds=61))
    readings.open_reading(reading, b, now=now)
    db.session.commit()

    figures = queries.reading_figures(reading, tree["town"])
    assert figures.assigned == 3 and str(figures.confirmed) == "33.3%"
    rows = {u.unit.name: u for u in figures.by_unit}
    assert (rows["党政办公室"].people, rows["党政办公室"].first.numerator) == (2, 1)
    assert rows["石佛村"].people == 1 and rows["石佛村"].first.numerator == 0
    year = reading.created_at.year
    assert str(queries.reading_completion(year, tree["town"])) == "33.3%"
    assert str(queries.reading_completion(year, tree["village"])) == "0%"


def test_the_overview_names_the_leaders_figure_as_what_it_counts(
    client, login, admin, study_list, make_user, tree
):
    # The 2 + 1 rates' denominator: leading cadres on the year's lists, per list.
    for name in ("领导甲", "领导乙"):
        make_user(name, tree["town"], category=Category.LEADER)
    login(admin)
    page = client.get(f"/stats/?year=2024&unit={tree['town'].id}").get_data(as_text=True)
    assert "<dt>领导干部应学人数</dt><dd>2</dd>" in page
    assert "领导干部人次" not in page
    assert "领导干部应学人数按清单计（一人列入两份清单计两次）" in page
