"""Thresholds, not rankings: each town 达标 / 未达标 on the district's thresholds, in
the order of the towns' names whatever their figures, with the names behind every
shortfall; the same table downloads; towns inherit the district's thresholds."""

import io
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from tests.stats.districts import TITLE, set_thresholds
from tests.stats.helpers import html_tables
from yongxi_learn.core.exceptions import PermissionDenied
from yongxi_learn.core.formatting import Rate
from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Role
from yongxi_learn.org.services import SYSTEM, Actor
from yongxi_learn.stats import thresholds
from yongxi_learn.stats.threshold_models import YearThreshold

RANKING_WORDS = ("排名", "名次", "排行")


def _board_page(client, login, towns, unit):
    login(towns.district_admin)
    response = client.get(f"/stats/thresholds?year=2024&unit={unit.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _rows(html):
    table = html_tables(html)[0]
    return table[0], table[1:]


def test_the_towns_are_in_name_order_whatever_their_figures(client, login, towns):
    html = _board_page(client, login, towns, towns.tree["district"])
    header, rows = _rows(html)
    # 宝顶镇 (bǎo) falls short of everything, 雍溪镇 (yōng) meets everything.
    assert [r[0] for r in rows] == ["宝顶镇", "雍溪镇"]
    assert header == [
        "单位",
        f"参考率≥95%（{TITLE}）",
        f"通过率≥90%（{TITLE}）",
        "村（社区）集中学习覆盖率≥100%",
        "领导干部“2+1”选学全部完成",
    ]
    baoding, yongxi = rows
    assert all(cell.startswith("达标") for cell in yongxi[1:])
    assert all(cell.startswith("未达标") for cell in baoding[1:])


def test_each_shortfall_names_who_falls_short(client, login, towns):
    html = _board_page(client, login, towns, towns.tree["district"])
    _, (baoding, _) = _rows(html)
    assert "50%" in baoding[1] and "未参考名单1人" in baoding[1]
    assert "0%" in baoding[2] and "未通过名单1人" in baoding[2]
    assert "未覆盖：宝林村、宝峰村" in baoding[3]
    assert "未选学：宝顶镇领导" in baoding[4]
    other = towns.tree["other_town"].id
    absent = f"/stats/exams/{towns.exam.id}/names/absent?year=2024&amp;unit={other}"
    assert absent in html
    # The link opens the names: 甲 was absent.
    names = client.get(absent.replace("&amp;", "&")).get_data(as_text=True)
    assert "甲" in names and "乙" not in names
    unchosen = f"/admin/study/lists/{towns.study_list.id}/people?unit={other}&amp;show=unchosen"
    assert unchosen in html
    names = client.get(unchosen.replace("&amp;", "&")).get_data(as_text=True)
    assert "宝顶镇领导" in names and "雍溪镇领导" not in names
    uncovered = f"/stats/training/people?group=village&amp;year=2024&amp;unit={other}"
    names = client.get(uncovered.replace("&amp;", "&")).get_data(as_text=True)
    assert uncovered in html and "甲" in names and "乙" in names


def test_the_download_has_the_same_rows_in_the_same_order_and_is_audited(client, login, towns):
    login(towns.district_admin)
    district = towns.tree["district"]
    response = client.get(f"/stats/thresholds/export.xlsx?year=2024&unit={district.id}")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, row in enumerate(values) if row[0] == "单位")
    body = values[header_at + 1 :]
    assert [row[0] for row in body] == ["宝顶镇", "雍溪镇"]
    assert body[0][2] == "未达标" and body[0][3] == 1  # 参考率, 结果, 未参考人数
    assert "宝林村、宝峰村" in body[0]
    assert body[1][2] == "达标"
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "stats.export"))
    assert entry is not None and "达标情况" in entry.detail


def test_no_page_or_download_speaks_of_ranks(client, login, towns):
    district = towns.tree["district"]
    pages = [
        _board_page(client, login, towns, district),
        client.get(f"/stats/thresholds?year=2024&unit={towns.tree['town'].id}").get_data(
            as_text=True
        ),
        client.get(f"/stats/thresholds/edit?year=2024&unit={district.id}").get_data(as_text=True),
    ]
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/stats/thresholds/export.xlsx?year=2024&unit={district.id}").data)
    )
    cells = [str(c) for s in book for row in s.iter_rows(values_only=True) for c in row if c]
    for text in [*pages, *cells]:
        assert not any(word in text for word in RANKING_WORDS)


def test_a_town_sees_its_offices_and_villages_against_the_districts_thresholds(
    client, login, towns, make_user
):
    town = towns.tree["town"]
    town_admin = make_user("镇管理员", towns.tree["justice"], roles=[(Role.ADMIN, town)])
    login(town_admin)
    html = client.get(f"/stats/thresholds?year=2024&unit={town.id}").get_data(as_text=True)
    assert "大足区设定，本单位沿用" in html
    _, rows = _rows(html)
    # By the names' pinyin: dǎng, hóng, shí, sī; then the town's own people.
    assert [r[0] for r in rows] == ["党政办公室", "红岩村", "石佛村", "司法所", "雍溪镇（本级）"]
    by_unit = {r[0]: r for r in rows}
    assert by_unit["石佛村"][3].startswith("达标")
    assert by_unit["党政办公室"][3] == "—"  # an office has no villages to reach
    assert by_unit["雍溪镇（本级）"][4].startswith("达标")  # its leading cadre chose
    # The town's admin cannot change the district's thresholds, nor see its form.
    assert client.get(f"/stats/thresholds/edit?year=2024&unit={town.id}").status_code == 403
    assert "设定达标要求</a>" not in html


def test_another_towns_admin_does_not_see_this_towns_board(client, login, towns, make_user):
    other = towns.tree["other_town"]
    admin = make_user("宝顶镇管理员", towns.tree["other_village"], roles=[(Role.ADMIN, other)])
    login(admin)
    town = towns.tree["town"]
    assert client.get(f"/stats/thresholds?year=2024&unit={town.id}").status_code == 403


# ---------------------------------------------------------------- setting them


def test_the_district_admin_sets_the_years_thresholds_through_the_form(client, login, towns):
    login(towns.district_admin)
    district = towns.tree["district"]
    url = f"/stats/thresholds/edit?year=2025&unit={district.id}"
    assert "参考率不低于" in client.get(url).get_data(as_text=True)
    form = {"year": "2025", "participation": "97.5", "pass_rate": ""}
    response = client.post(url, data=form, follow_redirects=True)
    assert "已保存2025年达标要求" in response.get_data(as_text=True)
    row = db.session.scalar(sa.select(YearThreshold).where(YearThreshold.year == 2025))
    assert str(row.participation) == "97.5" and row.pass_rate is None and not row.leaders_chosen
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "thresholds.set").order_by(AuditLog.id.desc())
    )
    assert entry.actor_id == towns.district_admin.id
    assert entry.detail == "大足区2025年达标要求：参考率≥97.5%（原：未设定）"


def test_a_percentage_over_100_is_refused(client, login, towns):
    login(towns.district_admin)
    district = towns.tree["district"]
    url = f"/stats/thresholds/edit?year=2025&unit={district.id}"
    response = client.post(url, data={"year": "2025", "villages": "120"})
    assert "须为0至100之间的数" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(YearThreshold).where(YearThreshold.year == 2025)) is None


def test_thresholds_are_the_districts_a_town_cannot_hold_its_own(towns):
    with pytest.raises(thresholds.ThresholdError, match="由区设定"):
        thresholds.set_thresholds(
            towns.tree["town"], 2024, participation=80, actor=SYSTEM, now=utcnow()
        )
    row = thresholds.thresholds_for(2024, towns.tree["village"])
    assert row.unit_id == towns.tree["district"].id and row.participation == 95


def test_a_town_admin_cannot_set_the_districts_thresholds(towns, make_user):
    town = towns.tree["town"]
    town_admin = make_user("镇管理员", towns.tree["justice"], roles=[(Role.ADMIN, town)])
    with pytest.raises(PermissionDenied):
        thresholds.set_thresholds(
            towns.tree["district"], 2024, participation=1, actor=Actor(town_admin), now=utcnow()
        )


def test_without_thresholds_the_board_says_none_are_set(client, login, towns):
    login(towns.district_admin)
    district = towns.tree["district"]
    html = client.get(f"/stats/thresholds?year=2023&unit={district.id}").get_data(as_text=True)
    assert "2023年尚未设定达标要求" in html
    assert "stats-table" not in html


def test_an_empty_threshold_judges_nothing_on_it(client, login, towns):
    set_thresholds(towns.tree["district"], participation=None, pass_rate=None, villages=None)
    header, rows = _rows(_board_page(client, login, towns, towns.tree["district"]))
    assert header == ["单位", "领导干部“2+1”选学全部完成"]
    assert [r[1][:3] for r in rows] == ["未达标", "达标 "]


def test_a_figure_meets_a_threshold_as_it_is_printed():
    assert thresholds.meets(Rate(8996, 10000), Decimal(90))  # printed 90%
    assert not thresholds.meets(Rate(8994, 10000), Decimal(90))  # printed 89.9%
    assert thresholds.meets(Rate(0, 0), Decimal(90)) is None  # no figure, nothing judged


def test_the_board_costs_the_same_statements_however_many_villages(client, login, towns, make_unit):
    from tests.conftest import statements_for
    from yongxi_learn.org.models import OrgUnit, UnitKind

    login(towns.district_admin)
    town_id = towns.tree["town"].id
    url = f"/stats/thresholds?year=2024&unit={town_id}"
    client.get(url)
    before = statements_for(client, url)
    town = db.session.get(OrgUnit, town_id)
    for name in ("双河村", "五星村", "新桥村"):
        make_unit(name, UnitKind.VILLAGE, town)
    html = client.get(url).get_data(as_text=True)
    assert "新桥村" in html and "双河村" in html
    assert statements_for(client, url) == before
