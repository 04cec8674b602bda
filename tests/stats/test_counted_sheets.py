"""An imported external sheet counted in a platform exam (计入本考试) on the hand-built
scenario of conftest.py: the figures, the tally, the name lists and downloads follow
it, and go back when it is taken out.

The sheet (雍溪镇, 2024, pass mark 60):
  甲 (absent online) 通过 without a score · 乙 (exempted) 通过 95 · 丙 (failed the
  formal exam with 50, passed the 补考 with 80) 通过 70 · 辛 (absent) 未通过 55 ·
  外人 (not enrolled) 通过 88.
Counted by the formal exam: 参考 5 → 7 (甲, 辛), 通过 4 → 5 (甲); first sitting 参考
5 → 7, 通过 3 → 5 (甲, and 丙 by the import); best scores 80 70 65 90 0 55: average
60.0, lowest 0 (甲 has no score)."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from yongxi_learn.core.time import utcnow
from yongxi_learn.exams import external_sheets
from yongxi_learn.exams.models import CountedSheet
from yongxi_learn.exams.papers.base import ExamError
from yongxi_learn.extensions import db
from yongxi_learn.external.models import ExternalExam, ExternalResult
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Category
from yongxi_learn.org.services import Actor
from yongxi_learn.stats import queries

from .conftest import NOW
from .helpers import csv_dicts, sheet_dicts, workbook
from .tally import source_rows, tally_rows


def _sheet(owner, results, *, year=2024, title="2024年度全市国家工作人员学法考试"):
    sheet = ExternalExam(owner_unit=owner, title=title, year=year, pass_mark=Decimal(60))
    for person, score, passed in results:
        score = None if score is None else Decimal(score)
        sheet.results.append(ExternalResult(user_id=person.id, score=score, passed=passed))
    db.session.add(sheet)
    db.session.flush()
    return sheet


@pytest.fixture
def sheet(scenario, make_user):
    p = scenario.people
    outsider = make_user("外人", scenario.tree["office"], Category.OFFICIAL)
    found = _sheet(
        scenario.tree["town"],
        [
            (p["甲"], None, True),
            (p["乙"], 95, True),
            (p["丙"], 70, True),
            (p["辛"], 55, False),
            (outsider, 88, True),
        ],
    )
    db.session.commit()
    return found


def actor(user):
    return Actor(user=user, address="test")


def totals(scenario, **kwargs):
    total = queries.exam_report(
        scenario.formal, scenario.tree["town"], user=None, now=NOW, **kwargs
    ).total
    return (
        total.enrolled,
        total.exempt,
        total.sat,
        total.passed,
        total.sat_first,
        total.passed_first,
    )


def names(scenario, kind):
    query = queries.names_select(scenario.formal, scenario.tree["town"], kind, user=None, now=NOW)
    return {r.name: r for r in db.session.execute(query)}


def count(exam, sheet, admin):
    external_sheets.count_sheet(exam, sheet, actor=actor(admin), now=utcnow())
    db.session.commit()


def test_counted_sheet_adds_its_people_to_the_figures(scenario, sheet, admin):
    assert totals(scenario) == (7, 1, 5, 4, 5, 3)
    count(scenario.formal, sheet, admin)
    for live in (False, True):
        assert totals(scenario, live=live) == (7, 1, 7, 5, 7, 5)
    total = queries.exam_report(scenario.formal, scenario.tree["town"], user=None, now=NOW).total
    assert (str(total.participation), str(total.pass_rate)) == ("100%", "71.4%")
    assert (total.average, total.lowest) == (Decimal("60.0"), Decimal("0.00"))
    assert tally_rows(scenario.formal.id) == source_rows(scenario.formal.id)


def test_online_fail_and_imported_pass_counts_as_passed_at_the_first_sitting(
    scenario, sheet, admin
):
    count(scenario.formal, sheet, admin)
    people = names(scenario, queries.NameList.PASSED_FIRST)
    assert "丙" in people and "甲" in people
    assert queries.result_label(people["丙"]) == "通过"
    assert people["丙"].best == Decimal(80)  # the best of online, make-up and imported
    assert "辛" in names(scenario, queries.NameList.FAILED)
    assert names(scenario, queries.NameList.SAT)["辛"].best == Decimal(55)


def test_exempted_and_not_enrolled_people_in_the_sheet_stay_out(scenario, sheet, admin):
    count(scenario.formal, sheet, admin)
    assert set(names(scenario, queries.NameList.EXEMPT)) == {"乙"}
    assert "乙" not in names(scenario, queries.NameList.SAT)
    assert "外人" not in names(scenario, queries.NameList.ALL)


def test_counted_by_the_makeup_it_counts_after_the_makeup_only(scenario, sheet, admin):
    count(scenario.makeup, sheet, admin)
    for live in (False, True):
        assert totals(scenario, live=live) == (7, 1, 7, 5, 5, 3)
    assert tally_rows(scenario.formal.id) == source_rows(scenario.formal.id)
    assert queries.result_label(names(scenario, queries.NameList.PASSED)["甲"]) == "补考通过"


def test_taking_it_out_puts_the_figures_back_and_both_are_audited(scenario, sheet, admin):
    count(scenario.formal, sheet, admin)
    external_sheets.uncount_sheet(scenario.formal, sheet, actor=actor(admin))
    db.session.commit()
    for live in (False, True):
        assert totals(scenario, live=live) == (7, 1, 5, 4, 5, 3)
    assert tally_rows(scenario.formal.id) == source_rows(scenario.formal.id)
    rows = db.session.execute(
        sa.select(AuditLog.action, AuditLog.detail).order_by(AuditLog.id)
    ).all()
    counted = [d for a, d in rows if a == "exam.sheet_counted"]
    uncounted = [d for a, d in rows if a == "exam.sheet_uncounted"]
    assert (
        counted == uncounted == ["2024年度「2024年度全市国家工作人员学法考试」（雍溪镇导入，5人）"]
    )


def test_another_towns_or_years_sheet_is_refused(scenario, admin, make_user):
    far = make_user("外镇人", scenario.tree["other_town"])
    other_town = _sheet(scenario.tree["other_town"], [(far, 90, True)])
    last_year = _sheet(scenario.tree["town"], [(scenario.people["甲"], 90, True)], year=2023)
    with pytest.raises(ExamError, match="管理范围"):
        external_sheets.count_sheet(scenario.formal, other_town, actor=actor(admin), now=NOW)
    with pytest.raises(ExamError, match="2023年度"):
        external_sheets.count_sheet(scenario.formal, last_year, actor=actor(admin), now=NOW)
    countable = external_sheets.countable_sheets(scenario.formal, actor=actor(admin))
    assert other_town not in countable and last_year not in countable
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CountedSheet)) == 0


def test_a_sheet_counts_once_per_family(scenario, sheet, admin):
    count(scenario.formal, sheet, admin)
    with pytest.raises(ExamError, match="已计入"):
        external_sheets.count_sheet(scenario.makeup, sheet, actor=actor(admin), now=NOW)


@pytest.fixture
def logged_in(scenario, admin, login, client):
    login(admin)
    return client


def test_admin_counts_a_sheet_from_the_exams_page(scenario, sheet, logged_in):
    exam = scenario.formal.id
    page = logged_in.get(f"/admin/exams/{exam}/external").get_data(as_text=True)
    assert "计入本考试" in page and sheet.title in page
    response = logged_in.post(f"/admin/exams/{exam}/external/{sheet.id}/count")
    assert response.status_code == 302
    page = logged_in.get(f"/admin/exams/{exam}/external").get_data(as_text=True)
    assert "取消计入" in page
    names_page = logged_in.get(
        f"/stats/exams/{exam}/names/sat?unit={scenario.tree['town'].id}"
    ).get_data(as_text=True)
    assert "外部导入" in names_page and "辛" in names_page


def test_another_towns_sheet_is_not_found_over_http(scenario, logged_in, make_user):
    far = make_user("外镇人", scenario.tree["other_town"])
    other = _sheet(scenario.tree["other_town"], [(far, 90, True)], title="乙镇专有考试")
    db.session.commit()
    exam = scenario.formal.id
    assert logged_in.post(f"/admin/exams/{exam}/external/{other.id}/count").status_code == 404
    assert "乙镇专有" not in logged_in.get(f"/admin/exams/{exam}/external").get_data(as_text=True)


def test_a_counted_sheet_cannot_be_deleted_until_taken_out(scenario, sheet, admin, logged_in):
    count(scenario.formal, sheet, admin)
    sheet_id = sheet.id
    response = logged_in.post(f"/external/{sheet_id}/delete", follow_redirects=True)
    assert "请先在考试的“外部成绩”页取消计入" in response.get_data(as_text=True)
    assert db.session.get(ExternalExam, sheet_id) is not None
    logged_in.post(f"/admin/exams/{scenario.formal.id}/external/{sheet_id}/uncount")
    logged_in.post(f"/external/{sheet_id}/delete")
    db.session.expunge_all()
    assert db.session.get(ExternalExam, sheet_id) is None


def test_downloads_show_the_imported_mode_and_the_counted_figures(
    scenario, sheet, admin, logged_in
):
    count(scenario.formal, sheet, admin)
    exam = scenario.formal.id
    book = workbook(logged_in.get(f"/stats/exams/{exam}/export.xlsx").get_data())
    summary = sheet_dicts(book["汇总"])
    town = [r for r in summary if r["单位"].startswith("合计") or r["单位"] == "雍溪镇"]
    assert town and town[-1]["参考人数"] == "7" and town[-1]["参考率"] == "100%"
    people = {r["姓名"]: r for r in sheet_dicts(book["明细"])}
    assert (people["甲"]["结果"], people["甲"]["备注"]) == ("通过", "外部导入")
    assert (people["辛"]["结果"], people["辛"]["最高成绩"]) == ("未通过", "55")
    url = f"/stats/exams/{exam}/names/sat/export.csv?unit={scenario.tree['town'].id}"
    rows = {r["姓名"]: r for r in csv_dicts(logged_in.get(url).get_data())}
    assert rows["甲"]["备注"] == "外部导入"


def test_monitor_of_the_counting_sitting_shows_the_imported_people(scenario, sheet, admin):
    from yongxi_learn.exams.papers import monitor

    count(scenario.formal, sheet, admin)
    counts, rows = monitor.exam_progress(scenario.formal, admin, NOW)
    status = {row.Enrolment.user.name: (row.status, row.imported, row.best) for row in rows}
    assert status["甲"] == (monitor.Progress.PASSED.value, 1, None)
    assert status["丙"][:2] == (monitor.Progress.PASSED.value, 1)  # 50 online, 通过 imported
    assert status["辛"] == (monitor.Progress.FAILED.value, 1, Decimal(55))
    assert status["丁"][1] is None
    assert counts.submitted == 7  # 丙 丁 戊 己, 庚 (overdue) and 甲 辛 from the sheet


def test_the_inspection_ledger_lists_counting_and_taking_out(scenario, sheet, admin):
    from yongxi_learn.inspection import ledgers

    count(scenario.formal, sheet, admin)
    external_sheets.uncount_sheet(scenario.formal, sheet, actor=actor(admin))
    db.session.commit()
    (found,) = [
        s
        for s in ledgers.sheets(2024, scenario.tree["town"], NOW)
        if s.name == "纸质更正与外部成绩"
    ]
    assert [row[2:5] for row in found.rows] == [
        [admin.name, "外部考试成绩计入考试", scenario.formal.title],
        [admin.name, "外部考试成绩取消计入考试", scenario.formal.title],
    ]
    elsewhere = ledgers.sheets(2024, scenario.tree["other_town"], NOW)
    assert not next(s for s in elsewhere if s.name == "纸质更正与外部成绩").rows


def test_the_persons_record_agrees_with_the_name_list(scenario, sheet, admin):
    from yongxi_learn.record import services as record

    count(scenario.formal, sheet, admin)
    lines = {
        name: next(
            x for x in record.year_record(p, 2024, now=NOW).exams if x.exam.id == scenario.formal.id
        )
        for name, p in scenario.people.items()
        if name in ("甲", "丙", "辛", "乙")
    }
    assert (lines["甲"].result, lines["甲"].best, lines["甲"].imported) == ("通过", None, True)
    assert (lines["丙"].result, lines["丙"].best) == ("通过", Decimal(70))  # 50 online, 70 imported
    assert (lines["辛"].result, lines["辛"].best) == ("未通过", Decimal(55))
    assert lines["乙"].result == "免考"


def test_the_credit_ledger_credits_an_imported_sitting_once(scenario, sheet, admin):
    """The exam's 学时 come from the platform's own sittings; an imported result earns
    the sheet's 学时 (none here), never the exam's as well."""
    from yongxi_learn.stats import credits

    scenario.formal.credit_hours = Decimal(2)
    count(scenario.formal, sheet, admin)
    people = sa.select(sa.literal(scenario.people["甲"].id))
    lines = db.session.execute(sa.select(credits.ledger(2024, people))).all()
    assert lines == []  # 甲 passed only through the import, which gives no 学时 here
    people = sa.select(sa.literal(scenario.people["己"].id))
    (line,) = db.session.execute(sa.select(credits.ledger(2024, people))).all()
    assert line.hours == Decimal(2)  # 己 passed online with 90
