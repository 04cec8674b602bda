"""Downloads: the same numbers as the dashboard, in CSV and XLSX, safe to open."""

from urllib.parse import quote

import pytest
import sqlalchemy as sa

from yongxi_learn.exams.models import Enrolment
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Category

from .helpers import SAME_FIGURES, csv_dicts, dashboard_figures, pick, sheet_dicts, workbook

COMPARED = list(SAME_FIGURES.values())


@pytest.fixture
def logged_in(scenario, admin, login, client):
    login(admin)
    return client


def test_dashboard_csv_and_xlsx_give_the_same_numbers(scenario, logged_in):
    shown = dashboard_figures(logged_in.get("/stats/?year=2024").get_data(as_text=True))
    from_csv = csv_dicts(logged_in.get("/stats/export.csv?year=2024").get_data())
    book = workbook(logged_in.get("/stats/export.xlsx?year=2024").get_data())
    from_xlsx = sheet_dicts(book["汇总"])
    assert pick(from_csv, COMPARED) == shown
    assert pick(from_xlsx, COMPARED) == shown
    assert shown[-1]["参考率"] == "71.4%"


def test_exam_page_and_its_downloads_agree(scenario, logged_in):
    exam = scenario.formal.id
    shown = dashboard_figures(logged_in.get(f"/stats/exams/{exam}").get_data(as_text=True))
    from_csv = csv_dicts(logged_in.get(f"/stats/exams/{exam}/export.csv").get_data())
    book = workbook(logged_in.get(f"/stats/exams/{exam}/export.xlsx").get_data())
    assert book.sheetnames == ["汇总", "明细", "分数分布", "试题分析"]
    assert pick(from_csv, COMPARED) == shown == pick(sheet_dicts(book["汇总"]), COMPARED)
    people = {r["姓名"]: r for r in sheet_dicts(book["明细"])}
    assert len(people) == 8
    assert people["丙"]["结果"] == "补考通过" and people["乙"]["结果"] == "免考"
    assert people["己"]["单位（发布时）"] == "红岩村" and people["己"]["备注"] == "现属党政办公室"


def test_xlsx_has_title_lines_frozen_header_text_phones_and_percentages(scenario, logged_in):
    book = workbook(logged_in.get("/stats/export.xlsx?year=2024").get_data())
    summary, detail = book["汇总"], book["明细"]
    title = [summary.cell(row=i, column=1).value for i in range(1, 4)]
    assert "2024年度" in title[0] and "雍溪镇" in title[0]
    assert "通过率=通过人数/参考人数" in title[1] and "参考率=参考人数/应考人数" in title[1]
    assert title[2].startswith("生成时间：")
    assert summary.freeze_panes == "A5" and detail.freeze_panes == "A5"
    assert summary["E5"].value == 0 and summary["E5"].number_format == "0%"  # shown "0%"
    assert summary["E9"].value == pytest.approx(0.714)
    assert summary["G6"].value == "—"
    phone = detail["C5"]
    assert phone.data_type == "s" and phone.value.isdigit()
    assert summary.column_dimensions["A"].width >= 10


def test_name_list_downloads_have_the_people_and_the_unit_summary(scenario, logged_in):
    village = scenario.tree["village"].id
    url = f"/stats/exams/{scenario.formal.id}/names/absent/export"
    rows = csv_dicts(logged_in.get(f"{url}.csv?unit={village}").get_data())
    assert [r["姓名"] for r in rows] == ["甲"]
    book = workbook(logged_in.get(f"{url}.xlsx?unit={village}").get_data())
    assert book.sheetnames == ["汇总", "明细"]
    assert [r["姓名"] for r in sheet_dicts(book["明细"])] == ["甲"]
    assert "未参考名单" in book["明细"]["A1"].value


def test_downloads_are_named_in_chinese_never_cached_and_audited(scenario, logged_in):
    response = logged_in.get("/stats/export.xlsx?year=2024")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('2024年雍溪镇统计.xlsx')}" in disposition
    assert response.headers["Cache-Control"] == "no-store"
    csv_response = logged_in.get("/stats/export.csv?year=2024")
    # Built before it is sent: its length is known, and no row is read after the request.
    assert int(csv_response.headers["Content-Length"]) == len(csv_response.get_data())
    assert csv_response.headers["Cache-Control"] == "no-store"
    entries = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == "stats.export").order_by(AuditLog.id)
    ).all()
    assert [e.detail for e in entries] == ["2024年雍溪镇统计.xlsx", "2024年雍溪镇统计-汇总.csv"]
    assert entries[0].action_label == "下载统计"


def test_csv_table_parameter_picks_a_table(scenario, logged_in):
    exam = scenario.formal.id
    items = csv_dicts(logged_in.get(f"/stats/exams/{exam}/export.csv?table=3").get_data())
    assert items[0]["正确率（答对/作答）"] == "0%"
    assert logged_in.get(f"/stats/exams/{exam}/export.csv?table=9").status_code == 404
    assert logged_in.get(f"/stats/exams/{exam}/export.pdf").status_code == 404


EVIL = ['=HYPERLINK("http://evil","点我")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1"]


@pytest.fixture
def evil_people(scenario, make_user):
    people = [make_user(name, scenario.tree["village"], Category.VILLAGE_CADRE) for name in EVIL]
    people.append(make_user("张\x07三\x1b", scenario.tree["village"], Category.VILLAGE_CADRE))
    for person in people:
        db.session.add(
            Enrolment(
                exam_id=scenario.formal.id,
                user_id=person.id,
                unit_id=person.unit_id,
                category=person.category,
            )
        )
    db.session.commit()
    return people


def test_formula_like_names_export_as_text(evil_people, scenario, logged_in):
    url = f"/stats/exams/{scenario.formal.id}/names/absent/export"
    names = [r["姓名"] for r in csv_dicts(logged_in.get(f"{url}.csv").get_data())]
    for evil in EVIL:
        assert "'" + evil in names
    book = workbook(logged_in.get(f"{url}.xlsx").get_data())
    sheet = book["明细"]
    cells = [sheet.cell(row=r, column=2) for r in range(5, sheet.max_row + 1)]
    assert {c.value for c in cells} >= set(EVIL)
    assert all(c.data_type == "s" for c in cells)


def test_control_characters_in_names_never_crash_an_export(evil_people, scenario, logged_in):
    url = f"/stats/exams/{scenario.formal.id}/names/absent/export"
    csv_response = logged_in.get(f"{url}.csv")
    assert csv_response.status_code == 200
    assert "张三" in [r["姓名"] for r in csv_dicts(csv_response.get_data())]
    xlsx = logged_in.get(f"{url}.xlsx")
    assert xlsx.status_code == 200
    sheet = workbook(xlsx.get_data())["明细"]
    assert "张三" in [sheet.cell(row=r, column=2).value for r in range(5, sheet.max_row + 1)]
    page = logged_in.get(f"/stats/exams/{scenario.formal.id}/names/absent")
    assert page.status_code == 200


def test_formula_like_unit_names_export_as_text(scenario, logged_in):
    scenario.tree["village2"].name = "+红岩村"
    db.session.commit()
    rows = csv_dicts(logged_in.get("/stats/export.csv?year=2024").get_data())
    assert "'+红岩村" in [r["单位"] for r in rows]
    sheet = workbook(logged_in.get("/stats/export.xlsx?year=2024").get_data())["汇总"]
    (cell,) = [c for (c,) in sheet.iter_rows(min_col=1, max_col=1) if c.value == "+红岩村"]
    assert cell.data_type == "s"


def test_the_people_behind_the_overview_download_as_csv(scenario, logged_in):
    html = logged_in.get("/stats/?year=2024").get_data(as_text=True)
    assert "/stats/export.csv?table=1&amp;year=2024" in html
    rows = csv_dicts(logged_in.get("/stats/export.csv?table=1&year=2024").get_data())
    assert sorted(r["姓名"] for r in rows) == sorted(scenario.people)


def test_a_download_whose_file_cannot_be_built_is_not_audited_as_downloaded(
    scenario, logged_in, monkeypatch
):
    from yongxi_learn.core import spreadsheet_out

    def broken(headers, rows):
        yield "\ufeff".encode()
        raise RuntimeError("disk full")

    monkeypatch.setattr(spreadsheet_out, "csv_chunks", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        logged_in.get("/stats/export.csv?year=2024&table=1")
    exports = sa.select(sa.func.count()).where(AuditLog.action == "stats.export")
    assert db.session.scalar(exports) == 0
    monkeypatch.undo()
    assert logged_in.get("/stats/export.csv?year=2024&table=1").status_code == 200
    assert db.session.scalar(exports) == 1
