"""The dashboards: what an admin, a unit admin and an auditor see, and what they cannot."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import statements_for
from yongxi_learn.exams.models import Enrolment, Exam, ExamStatus
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import OrgUnit, UnitKind

from .conftest import NOW
from .helpers import dashboard_figures, html_tables


def test_admin_sees_the_year_overview_with_a_row_per_child_unit(scenario, admin, login, client):
    login(admin)
    html = client.get("/stats/?year=2024").get_data(as_text=True)
    assert "2024年度统计：雍溪镇" in html
    assert "2024年度法治理论知识考试" in html
    rows = {r["单位"]: r for r in dashboard_figures(html)}
    assert list(rows) == ["党政办公室", "司法所", "石佛村", "红岩村", "合计"]
    assert rows["合计"]["参考率"] == "71.4%" and rows["合计"]["通过率（通过/参考）"] == "80%"
    assert rows["司法所"]["参考率"] == "—"
    assert "<svg" in html and "各单位参考率、通过率" in html
    assert "宪法练习" not in html and "我的错题练习" not in html


def test_figures_pages_cost_the_same_statements_however_many_units(
    scenario, admin, login, client, make_unit, tree
):
    login(admin)
    exam_id = db.session.scalar(sa.select(Exam.id).where(Exam.title == "2024年度法治理论知识考试"))
    town_id = tree["town"].id
    urls = ["/stats/?year=2024", f"/stats/exams/{exam_id}"]
    for url in urls:  # warm: the first request of a login touches it
        client.get(url)
    before = [statements_for(client, url) for url in urls]
    town = db.session.get(OrgUnit, town_id)
    for name in ("综合办", "经发办", "社事办"):
        make_unit(name, UnitKind.OFFICE, town)

    after = [statements_for(client, url) for url in urls]
    assert "社事办" in client.get(urls[0]).get_data(as_text=True)
    assert after == before


def test_default_year_is_the_latest_with_an_exam(scenario, admin, login, client):
    login(admin)
    assert "2024年度统计：雍溪镇" in client.get("/stats/").get_data(as_text=True)


def test_drill_down_to_a_village_and_its_absent_list(scenario, admin, login, client):
    login(admin)
    village = scenario.tree["village"]
    html = client.get(f"/stats/?year=2024&unit={village.id}").get_data(as_text=True)
    assert "2024年度统计：石佛村" in html
    rows = {r["单位"]: r for r in dashboard_figures(html)}
    assert rows["石佛村（本级）"]["应考人数"] == "4"
    names_url = f"/stats/exams/{scenario.formal.id}/names/absent?year=2024&unit={village.id}"
    assert names_url.replace("&", "&amp;") in html
    names = client.get(names_url).get_data(as_text=True)
    (table,) = html_tables(names)
    assert [row[0] for row in table[1:]] == ["甲"]


def test_exam_page_shows_units_histogram_and_items(scenario, admin, login, client):
    login(admin)
    html = client.get(f"/stats/exams/{scenario.formal.id}").get_data(as_text=True)
    units, bins, items = html_tables(html)
    assert units[-1][0] == "合计" and "71.4%" in units[-1]
    assert bins[1][1:] == ["1", "0", "0", "0", "0", "0", "1", "1", "1", "1"]
    assert (
        items[1][0].endswith("宪法是国家的根本法吗？宪法") or "宪法是国家的根本法吗" in items[1][0]
    )
    assert "最高成绩分布" in html


def test_makeup_page_is_the_formal_exams_page(scenario, admin, login, client):
    login(admin)
    html = client.get(f"/stats/exams/{scenario.makeup.id}").get_data(as_text=True)
    assert "<h1>2024年度法治理论知识考试</h1>" in html


def test_practice_has_no_statistics_page(scenario, admin, login, client):
    login(admin)
    assert client.get(f"/stats/exams/{scenario.practice.id}").status_code == 404
    assert client.get(f"/stats/exams/{scenario.personal.id}").status_code == 404


def test_unit_admin_sees_only_their_village(scenario, unit_admin, login, client):
    login(unit_admin)
    html = client.get("/stats/").get_data(as_text=True)
    assert "2024年度统计：石佛村" in html
    assert "红岩村" not in html and "党政办公室" not in html
    names = client.get(f"/stats/exams/{scenario.formal.id}/names/enrolled").get_data(as_text=True)
    (table,) = html_tables(names)
    assert sorted(row[0] for row in table[1:]) == sorted(["甲", "丙", "丁", "戊"])


@pytest.mark.parametrize(
    "path",
    [
        "/stats/?unit={v2}",
        "/stats/exams/{exam}?unit={v2}",
        "/stats/exams/{exam}/names/absent?unit={v2}",
        "/stats/export.csv?unit={v2}",
        "/stats/export.xlsx?unit={v2}",
        "/stats/exams/{exam}/export.xlsx?unit={v2}",
        "/stats/exams/{exam}/names/absent/export.csv?unit={v2}",
        "/stats/?unit={town}",
        "/stats/?unit=999999",
    ],
)
def test_unit_admin_cannot_see_or_download_another_unit(scenario, unit_admin, login, client, path):
    login(unit_admin)
    url = path.format(
        v2=scenario.tree["village2"].id, town=scenario.tree["town"].id, exam=scenario.formal.id
    )
    response = client.get(url)
    assert response.status_code == 403
    assert "己" not in response.get_data(as_text=True)
    assert db.session.query(AuditLog).filter_by(action="stats.export").count() == 0


def test_another_towns_exam_is_not_found(scenario, unit_admin, login, client, tree):
    other = Exam(
        owner_unit=tree["other_town"],
        title="宝顶镇考试",
        year=2024,
        status=ExamStatus.PUBLISHED,
        opens_at=NOW,
        closes_at=NOW + timedelta(days=1),
    )
    db.session.add(other)
    db.session.flush()
    db.session.add(
        Enrolment(
            exam_id=other.id,
            user_id=unit_admin.id,
            unit_id=tree["other_village"].id,
            category=unit_admin.category,
        )
    )
    db.session.commit()
    login(unit_admin)
    assert client.get(f"/stats/exams/{other.id}").status_code == 404
    assert client.get(f"/stats/exams/{other.id}/export.csv").status_code == 404


def test_auditor_sees_figures_and_downloads(scenario, reviewer, login, client):
    login(reviewer)
    html = client.get("/stats/?year=2024").get_data(as_text=True)
    assert "71.4%" in html
    response = client.get("/stats/export.xlsx?year=2024")
    assert response.status_code == 200
    assert '<form method="post"' not in html


def test_learner_has_no_statistics(scenario, learner, login, client):
    login(learner)
    assert client.get("/stats/").status_code == 403


def test_wechat_gets_the_open_in_browser_hint(scenario, admin, login, client):
    login(admin)
    html = client.get("/stats/", headers={"User-Agent": "Mozilla/5.0 MicroMessenger/8.0"}).get_data(
        as_text=True
    )
    assert "在浏览器打开" in html


def test_exam_admin_list_links_to_the_statistics(scenario, admin, login, client):
    login(admin)
    html = client.get("/admin/exams/?year=2024").get_data(as_text=True)
    assert f'href="/stats/exams/{scenario.formal.id}"' in html
    assert f'href="/stats/exams/{scenario.practice.id}"' not in html


def test_an_empty_year_says_so(scenario, admin, login, client):
    login(admin)
    html = client.get("/stats/?year=2023").get_data(as_text=True)
    assert "2023年度没有涉及本单位的正式考试" in html


def test_exam_page_drills_down_to_a_village(scenario, admin, login, client):
    login(admin)
    village = scenario.tree["village"]
    html = client.get(f"/stats/exams/{scenario.formal.id}").get_data(as_text=True)
    drill = f"/stats/exams/{scenario.formal.id}?year=2024&amp;unit={village.id}"
    assert f'href="{drill}"' in html
    rows = dashboard_figures(client.get(drill.replace("&amp;", "&")).get_data(as_text=True))
    assert [r["单位"] for r in rows] == ["石佛村（本级）", "合计"]
    assert rows[-1]["参考率"] == "75%" and rows[-1]["通过率（通过/参考）"] == "100%"


def test_category_filter_narrows_the_dashboard_and_its_links(scenario, admin, login, client):
    login(admin)
    html = client.get("/stats/?year=2024&category=official").get_data(as_text=True)
    total = dashboard_figures(html)[-1]
    assert (total["应考人数"], total["参考人数"], total["参考率"]) == ("1", "0", "0%")
    assert "category=official" in html and 'value="official" selected' in html
