"""The district's own report section: the district's totals, and under 存在的问题 one
sentence per town and threshold it falls short of, towns in name order, each figure
opening to its names (tests/stats/districts.py: 宝顶镇 falls short of everything,
雍溪镇 meets everything)."""

import pytest
import sqlalchemy as sa

from tests.stats.conftest import _sat
from tests.stats.districts import TITLE, set_thresholds
from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category, User
from yongxi_learn.org.services import Actor
from yongxi_learn.reports import services
from yongxi_learn.stats.threshold_models import YearThreshold


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def _draft(towns):
    return services.draft(
        2024, towns.tree["district"], actor=Actor(towns.district_admin), now=utcnow()
    )


def _weak_points(text: str) -> str:
    return text.partition("三、存在的问题")[2]


SHORTFALLS = (
    "四是部分镇（街道）干部学法工作未达到全区要求。"
    f"宝顶镇{TITLE}参考率为50%，低于全区95%的要求。"
    f"宝顶镇{TITLE}通过率为0%，低于全区90%的要求。"
    "宝顶镇村（社区）集中学习覆盖率为0%（村（社区）集中学习覆盖率=有“两委”干部参加集中学习的"
    "村（社区）数/村（社区）数），低于全区100%的要求。"
    "宝顶镇领导干部“2+1”选学率为0%，低于全区100%的要求。"
)


def test_each_shortfall_of_a_town_is_one_sentence_and_a_town_that_meets_all_is_not_named(
    ctx, towns
):
    weak_points = _weak_points(_draft(towns).text)
    assert SHORTFALLS in weak_points
    assert "雍溪镇" not in weak_points


def test_the_towns_are_named_in_name_order(ctx, towns, make_user):
    # 雍溪镇 falls short too now: a second leading cadre who has not chosen.
    make_user("雍溪镇副职", towns.tree["town"], Category.LEADER)
    weak_points = _weak_points(_draft(towns).text)
    baoding = weak_points.index("宝顶镇领导干部“2+1”选学率为0%")
    yongxi = weak_points.index("雍溪镇领导干部“2+1”选学率为50%")
    assert baoding < yongxi


def test_the_districts_totals_are_held_to_its_thresholds(ctx, towns):
    # 参考率 75% (3 of 4) meets a 70% threshold; 通过率 66.7% (2 of 3) does not meet 90%.
    set_thresholds(towns.tree["district"], participation=70)
    text = _draft(towns).text
    achievements, _, weak_points = text.partition("三、存在的问题")
    assert "参考率75%" in achievements
    assert f"{TITLE}通过率66.7%" in weak_points


def test_nothing_is_said_of_the_towns_when_all_meet_the_thresholds(ctx, towns):
    set_thresholds(
        towns.tree["district"], participation=50, pass_rate=None, villages=0, leaders_chosen=False
    )
    text = _draft(towns).text
    assert "部分镇（街道）" not in text and "低于全区" not in text


def test_without_thresholds_the_report_threshold_decides_as_before(ctx, app, towns):
    db.session.execute(sa.delete(YearThreshold))
    db.session.commit()
    text = _draft(towns).text
    assert "部分镇（街道）" not in text
    # 75% is under REPORT_RATE_THRESHOLD (90): a weak point of the district.
    assert f"{TITLE}参考率75%" in _weak_points(text)


def test_every_town_figure_opens_to_its_names(ctx, towns):
    version = _draft(towns)
    other = towns.tree["other_town"].id
    lists = {f["key"]: f["list"] for f in version.figures if f["key"].startswith("towns.")}
    exam = towns.exam.id
    names = f"/stats/exams/{exam}/names/{{}}?year=2024&unit={other}"
    board = f"/stats/thresholds?year=2024&unit={other}"
    assert lists == {
        f"towns.{other}.participation.{exam}": names.format("absent"),
        f"towns.{other}.pass_rate.{exam}": names.format("failed"),
        f"towns.{other}.villages.0": board,
        f"towns.{other}.leaders.0": board,
    }


def test_the_preview_links_each_town_figure_and_marks_it_when_the_records_change(
    app, client, login, towns
):
    with app.test_request_context():
        version = _draft(towns)
        db.session.commit()
        draft_id, other = version.draft_id, towns.tree["other_town"].id
        absent = db.session.scalar(sa.select(User).where(User.name == "甲"))
        _sat(towns.exam, absent, 95)  # 甲 sits after all: 宝顶镇's 参考率 is 100% now
        db.session.commit()
    login(towns.district_admin)
    html = client.get(f"/admin/reports/{draft_id}").get_data(as_text=True)
    exam = towns.exam.id
    assert f'href="/stats/exams/{exam}/names/failed?year=2024&amp;unit={other}"' in html
    assert '<mark class="stale" title="记录已变化">50%</mark>（现为100%）' in html


def test_the_districts_counts_sum_its_towns_and_say_so(ctx, towns, make_session):
    from yongxi_learn.training.models import KindCode

    tree = towns.tree
    for owner in (tree["town"], tree["other_town"]):
        make_session(
            owner=owner,
            kind=KindCode.LECTURE_HALL,
            audience={"units": [owner.id]},
            topic="法治讲堂",
        )
    district_text = _draft(towns).text
    assert "区和镇（街道）领导班子成员开展法治讲堂2次" in district_text
    assert "全区组织开展法治专题学习1次" in district_text
    town_text = services.draft(
        2024, tree["town"], actor=Actor(towns.district_admin), now=utcnow()
    ).text
    assert "镇领导班子成员开展法治讲堂1次" in town_text
    assert "全区" not in town_text and "组织开展法治专题学习1次" in town_text
