"""集中学习 on the statistics pages: the section, its sheets, and the name lists."""

import io
from datetime import timedelta
from html.parser import HTMLParser

import openpyxl

from tests.stats.helpers import as_dicts, html_tables, sheet_dicts, workbook
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category
from yongxi_learn.org.services import SYSTEM
from yongxi_learn.training import attendance
from yongxi_learn.training.models import AttendanceMethod


def _year(make_session, make_user, tree):
    session = make_session()
    came = make_user("到会村干部", tree["village"], category=Category.VILLAGE_CADRE)
    make_user("未到村干部", tree["village2"], category=Category.VILLAGE_CADRE)
    official = make_user("到会机关干部", tree["office"])
    for person in (came, official):
        attendance.sign_in(session, person, method=AttendanceMethod.QR, now=session.starts_at)
    db.session.commit()


def test_the_overview_shows_training_figures_and_downloads_them(
    client, login, admin, make_session, make_user, tree
):
    _year(make_session, make_user, tree)
    login(admin)
    page = client.get(f"/stats/?year=2024&unit={tree['town'].id}").get_data(as_text=True)
    assert 'id="section-training"' in page
    assert "<dt>参训人次</dt><dd>2</dd>" in page
    assert "村(社区)两委干部覆盖率" in page and "50%" in page
    response = client.get(f"/stats/export.xlsx?year=2024&unit={tree['town'].id}")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert "集中学习汇总" in book.sheetnames and "参训名单" in book.sheetnames
    names = [row[1] for row in book["参训名单"].iter_rows(values_only=True)]
    assert "到会村干部" in names and "到会机关干部" in names


def test_the_lists_behind_the_figures(client, login, admin, make_session, make_user, tree):
    _year(make_session, make_user, tree)
    login(admin)
    args = f"year=2024&unit={tree['town'].id}"
    page = client.get(f"/stats/training/people?{args}").get_data(as_text=True)
    assert "到会村干部" in page and "未到村干部" not in page
    page = client.get(f"/stats/training/people?{args}&group=village").get_data(as_text=True)
    assert "未到村干部" in page and "到会村干部" not in page


def test_a_village_admin_cannot_list_another_village(client, login, other_village_admin, tree):
    login(other_village_admin)
    response = client.get(f"/stats/training/people?year=2024&unit={tree['village'].id}")
    assert response.status_code == 403


# ---------------------------------------------------------------- one reading everywhere


class _Rows(HTMLParser):
    """The cells' text of the first <table> of a page, row by row."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell, self._done = [], None, None, False

    def handle_starttag(self, tag, attrs):
        if self._done:
            return
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._done = True
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _page_rows(html: str) -> list[dict]:
    parser = _Rows()
    parser.feed(html)
    return as_dicts(parser.rows)


def _unit_table(html: str) -> list[dict]:
    """The 集中学习 section's table by unit, as dicts."""
    return next(as_dicts(t) for t in html_tables(html) if t[0][:2] == ["单位", "参训人次"])


def _moved_year(make_session, make_user, tree):
    """Two 石佛村 cadres sign in; one of them then moves to 红岩村, whose own cadre did
    not come."""
    session = make_session()
    mover = make_user("调走村干部", tree["village"], category=Category.VILLAGE_CADRE)
    stays = make_user("留下村干部", tree["village"], category=Category.VILLAGE_CADRE)
    make_user("红岩村干部", tree["village2"], category=Category.VILLAGE_CADRE)
    for person in (mover, stays):
        attendance.sign_in(session, person, method=AttendanceMethod.QR, now=session.starts_at)
    mover.unit_id = tree["village2"].id
    db.session.commit()


def test_a_moved_person_is_counted_covered_and_listed_at_the_old_unit_everywhere(
    client, login, admin, make_session, make_user, tree
):
    _moved_year(make_session, make_user, tree)
    login(admin)
    town, old, new = tree["town"].id, tree["village"].id, tree["village2"].id
    page = client.get(f"/stats/?year=2024&unit={town}").get_data(as_text=True)
    shown = {r["单位"]: (r["参训人次"], r["参训人数"], r["覆盖率"]) for r in _unit_table(page)}
    assert shown["石佛村"] == ("2", "2", "100%") and shown["红岩村"] == ("0", "0", "0%")
    book = workbook(client.get(f"/stats/export.xlsx?year=2024&unit={town}").data)
    sheet = {r["单位"]: r for r in sheet_dicts(book["集中学习汇总"])}
    assert (sheet["石佛村"]["参训人次"], sheet["石佛村"]["覆盖率"]) == ("2", "100%")
    assert (sheet["红岩村"]["参训人次"], sheet["红岩村"]["覆盖率"]) == ("0", "0%")
    listed = [(r["姓名"], r["单位（签到时）"]) for r in sheet_dicts(book["参训名单"])]
    assert listed == [("调走村干部", "石佛村"), ("留下村干部", "石佛村")]
    # The lists behind the figures, per unit: at 石佛村, and 红岩村's 未参训名单 has
    # only its own cadre.
    at_old = client.get(f"/stats/training/people?year=2024&unit={old}").get_data(as_text=True)
    assert [(r["姓名"], r["单位"]) for r in _page_rows(at_old)] == listed
    at_new = client.get(f"/stats/training/people?year=2024&unit={new}").get_data(as_text=True)
    assert "没有人员" in at_new and "调走村干部" not in at_new
    missing = client.get(f"/stats/training/people?year=2024&unit={new}&group=village")
    assert [r["姓名"] for r in _page_rows(missing.get_data(as_text=True))] == ["红岩村干部"]
    village_page = client.get(f"/stats/?year=2024&unit={new}").get_data(as_text=True)
    assert "<dt>参训人次</dt><dd>0</dd>" in village_page


def test_the_labels_name_what_is_counted_on_the_page_and_in_the_xlsx(
    client, login, admin, make_session, make_user, tree
):
    _year(make_session, make_user, tree)
    make_user("镇领导", tree["town"], category=Category.LEADER)  # the town's own people
    login(admin)
    town = tree["town"].id
    page = client.get(f"/stats/?year=2024&unit={town}").get_data(as_text=True)
    assert "<dt>机关干部（含领导干部）覆盖率</dt>" in page
    assert "机关干部（含领导干部）=镇本级及科室站所的领导干部和机关干部" in page
    assert "签到按签到时所在单位和人员类别计入" in page
    rows = _unit_table(page)
    assert rows[0]["单位"] == "雍溪镇（本级）" and rows[-1]["单位"] == "合计"
    # 合计: both sign-ins, each person once, of the town's 5 people (the two who came,
    # the cadre who did not, 镇领导 and the admin, both at the town itself).
    assert (rows[-1]["参训人次"], rows[-1]["参训人数"], rows[-1]["覆盖率"]) == ("2", "2", "40%")
    book = workbook(client.get(f"/stats/export.xlsx?year=2024&unit={town}").data)
    sheet = sheet_dicts(book["集中学习汇总"])
    assert [r["单位"] for r in sheet] == [r["单位"] for r in rows]
    assert "雍溪镇" not in [r["单位"] for r in sheet]  # no row that reads as the town's total
    assert (sheet[-1]["参训人次"], sheet[-1]["参训人数"], sheet[-1]["覆盖率"]) == ("2", "2", "40%")
    assert "机关干部（含领导干部）" in book["集中学习汇总"]["A2"].value


def test_marks_by_hand_are_marked_in_the_lists_and_downloads(
    client, login, admin, make_session, make_user, tree
):
    first = make_session(topic="第一场")
    second = make_session(topic="第二场", starts_at=first.starts_at + timedelta(days=7))
    person = make_user("补录干部", tree["office"])
    attendance.sign_in(first, person, method=AttendanceMethod.QR, now=first.starts_at)
    attendance.mark(second, person, "忘带手机", actor=SYSTEM, now=second.starts_at)
    db.session.commit()
    second_id, person_id = second.id, person.id
    login(admin)
    town = tree["town"].id
    page = client.get(f"/stats/training/people?year=2024&unit={town}").get_data(as_text=True)
    assert [(r["姓名"], r["参训次数"], r["备注"]) for r in _page_rows(page)] == [
        ("补录干部", "2", "补录1次（忘带手机）")
    ]
    book = workbook(client.get(f"/stats/export.xlsx?year=2024&unit={town}").data)
    assert [(r["姓名"], r["备注"]) for r in sheet_dicts(book["参训名单"])] == [
        ("补录干部", "补录1次（忘带手机）")
    ]
    sheet = workbook(client.get(f"/admin/training/{second_id}/attendance.xlsx").data)["签到表"]
    marked = [row for row in sheet.iter_rows(values_only=True) if row[1] == "补录干部"]
    assert marked[0][6:8] == ("管理员补录", "忘带手机")
    record = client.get(f"/admin/people/{person_id}/record?year=2024").get_data(as_text=True)
    assert "管理员补录（忘带手机）" in record and "扫码签到" in record
