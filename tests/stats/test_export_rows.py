"""The 明细 of a name list as its downloads show it, its rows built by position and
written in one pass (docs/performance.md, Exports)."""

import sqlite3

import pytest

from yongxi_learn.core.spreadsheets import clean_text
from yongxi_learn.extensions import db

from .helpers import SAME_FIGURES, csv_dicts, dashboard_figures, pick, workbook

DROPPED = {
    *(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"),
    *(chr(c) for c in range(0x7F, 0xA0)),
    *(chr(c) for c in range(0xD800, 0xE000)),
    "\ufffe",
    "\uffff",
}


@pytest.fixture
def logged_in(scenario, admin, login, client):
    login(admin)
    return client


def test_clean_text_drops_exactly_the_characters_no_spreadsheet_holds():
    kept_wrongly = [c for c in map(chr, range(0x110000)) if (clean_text(c) == "") != (c in DROPPED)]
    assert kept_wrongly == []
    assert clean_text("张\x07三\tA\ud800B\uffff") == "张三\tAB"
    assert clean_text("红岩村 党支部") == "红岩村 党支部"


def test_the_csv_of_a_list_counts_an_overdue_attempt_as_handed_in(scenario, logged_in):
    # 庚 left an attempt open past its deadline: the download finalizes it (0 points)
    # before reading the list, as the figures would have.
    url = f"/stats/exams/{scenario.formal.id}/names/all/export.csv"
    people = {r["姓名"]: r for r in csv_dicts(logged_in.get(url).get_data())}
    assert (people["庚"]["最高成绩"], people["庚"]["结果"]) == ("0", "未通过")
    assert (people["甲"]["最高成绩"], people["甲"]["结果"]) == ("—", "未参考")
    assert (people["丙"]["首考成绩"], people["丙"]["最高成绩"]) == ("50", "80")
    assert people["丙"]["结果"] == "补考通过" and people["乙"]["结果"] == "免考"
    assert people["己"]["备注"] == "现属党政办公室"


def test_a_lists_summary_table_as_csv_has_the_dashboards_figures(scenario, logged_in):
    exam = scenario.formal.id
    url = f"/stats/exams/{exam}/names/absent/export.csv?table=0"
    from_csv = csv_dicts(logged_in.get(url).get_data())
    shown = dashboard_figures(logged_in.get(f"/stats/exams/{exam}").get_data(as_text=True))
    assert pick(from_csv, list(SAME_FIGURES.values())) == shown
    assert from_csv[-1]["单位"] == "合计" and from_csv[-1]["应考人数"] == "7"


def test_the_xlsx_detail_keeps_phones_as_text_scores_as_numbers(scenario, logged_in):
    url = f"/stats/exams/{scenario.formal.id}/names/all/export.xlsx"
    book = workbook(logged_in.get(url).get_data())
    assert book.sheetnames == ["汇总", "明细"]
    sheet = book["明细"]
    assert [c.value for c in sheet[4]][:3] == ["考试", "姓名", "手机号"]
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=5)}
    phone = rows["丙"][2]
    assert phone.data_type == "s" and phone.number_format == "@"
    assert phone.value == scenario.people["丙"].phone
    assert [c.value for c in rows["丙"][7:10]] == [50, 80, "补考通过"]
    assert [c.value for c in rows["甲"][7:10]] == ["—", "—", "未参考"]
    assert rows["戊"][10].value == "账号已停用"
    assert all(row[0].value == scenario.formal.title for row in rows.values())


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_download_being_sent_leaves_sqlite_free_for_writers(scenario, logged_in, fmt):
    # An export is read after its audit row is committed; while the file goes out (to
    # a slow phone, seconds) the request must not hold SQLite's single write lock, or
    # every autosave of the evening waits behind it.
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite locking only")
    url = f"/stats/exams/{scenario.formal.id}/names/all/export.{fmt}"
    response = logged_in.get(url, buffered=False)
    body = b"".join(response.response)
    writer = sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=0)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("ROLLBACK")
    finally:
        writer.close()
        response.close()
    assert "庚".encode() in body or fmt == "xlsx"
    assert len(body) > 100
