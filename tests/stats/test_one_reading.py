"""Each exam figure reads the same everywhere (issue #20 §4): every percentage is
rounded by one function and printed as one string on the pages, in the CSV and the
XLSX (as a spreadsheet shows it), by the CLI and in the item analysis; the
first-sitting figures and name lists are in each of them; 参考 of one sitting and of
an exam with its 补考 carry different labels.

The exam (pass mark 60) of 2024, and its 补考:
  石佛村    8 enrolled, 1 sat and passed            参考率 1/8 = 12.5%
  红岩村    3 enrolled, 3 sat; 2 passed, 1 failed,   首考通过率 2/3 = 66.7%,
            then passed the 补考                      通过率 3/3 = 100%
  党政办公室 4 enrolled, 1 sat and passed            参考率 1/4 = 25%
Item analysis of the five papers: q1 right 5/5 = 100%, q2 1/4 = 25% (one left
blank), q3 2/3 = 66.7%.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from yongxi_learn.core.formatting import Rate, format_percent
from yongxi_learn.exams import exam_tally
from yongxi_learn.exams.models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    Exam,
    ExamKind,
    Question,
    QuestionType,
)
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category

from .conftest import NOW, _enrol, _exam
from .helpers import (
    SAME_FIGURES,
    csv_dicts,
    dashboard_figures,
    html_tables,
    pick,
    sheet_dicts,
    workbook,
)

COMPARED = list(SAME_FIGURES.values())
SAME_RATES = {(1, 8): "12.5%", (2, 3): "66.7%", (1, 1): "100%", (1, 4): "25%"}
ITEMS = ["25%", "66.7%", "100%"]  # hardest first


def _sit(exam, person, score, answers=(), number=1) -> None:
    """A handed-in attempt with ``answers``: (question, response, correct) rows."""
    attempt = Attempt(
        exam_id=exam.id,
        user_id=person.id,
        number=number,
        status=AttemptStatus.SUBMITTED,
        started_at=NOW - timedelta(days=25),
        deadline=NOW - timedelta(days=25, hours=-1),
        finished_at=NOW - timedelta(days=25),
        score=Decimal(score),
        max_score=Decimal(100),
        passed=Decimal(score) >= exam.pass_score,
    )
    for position, (question, response, correct) in enumerate(answers, start=1):
        attempt.questions.append(
            AttemptQuestion(
                position=position,
                question=question,
                option_order=[0, 1, 2, 3],
                score=Decimal(10),
                response=response,
                correct=correct,
                awarded=Decimal(10) if correct else Decimal(0),
            )
        )
    db.session.add(attempt)
    db.session.flush()
    exam_tally.attempts_changed([attempt])  # as the exam services do


@pytest.fixture
def exam(tree, make_user):
    town = tree["town"]
    q1, q2, q3 = (
        Question(
            owner_unit=town,
            type=QuestionType.SINGLE,
            stem=f"第{n}题",
            options=["甲", "乙", "丙", "丁"],
            answer="A",
            score=Decimal(10),
        )
        for n in (1, 2, 3)
    )
    db.session.add_all([q1, q2, q3])
    formal = _exam(town, "2024年度法治理论知识考试")
    cadre = Category.VILLAGE_CADRE
    village = [make_user(f"石佛{n}", tree["village"], cadre) for n in range(8)]
    village2 = [make_user(f"红岩{n}", tree["village2"], cadre) for n in range(3)]
    office = [make_user(f"机关{n}", tree["office"]) for n in range(4)]
    for person in village + village2 + office:
        _enrol(formal, person)
    right, wrong, blank = "A", "B", ""
    papers = [
        (village[0], 100, [(q1, right, True), (q2, right, True), (q3, right, True)]),
        (village2[0], 80, [(q1, right, True), (q2, wrong, False), (q3, right, True)]),
        (village2[1], 70, [(q1, right, True), (q2, wrong, False), (q3, wrong, False)]),
        (village2[2], 40, [(q1, right, True), (q2, wrong, False), (q3, blank, False)]),
        (office[0], 90, [(q1, right, True), (q2, blank, False), (q3, blank, False)]),
    ]
    for person, score, answers in papers:
        _sit(formal, person, score, answers)
    makeup = _exam(
        town, "2024年度法治理论知识考试（补考）", ExamKind.MAKEUP, parent_exam_id=formal.id
    )
    _enrol(makeup, village2[2])
    _sit(makeup, village2[2], 75)
    db.session.commit()
    return formal


@pytest.fixture
def logged_in(exam, admin, login, client):
    login(admin)
    return client


def _by_unit(rows: list[dict]) -> dict[str, dict]:
    return {r["单位"]: r for r in rows}


def _check_units(rows: dict[str, dict]) -> None:
    assert rows["石佛村"]["参考率"] == rows["石佛村"]["首考参考率"] == "12.5%"
    assert rows["红岩村"]["首考通过率（首考通过/首考参考）"] == "66.7%"
    assert rows["红岩村"]["首考通过人数/应考人数"] == "66.7%"
    assert rows["红岩村"]["通过率（通过/参考）"] == rows["红岩村"]["参考率"] == "100%"
    assert rows["党政办公室"]["参考率"] == rows["党政办公室"]["通过人数/应考人数"] == "25%"
    total = rows["合计"]
    assert (total["参考率"], total["通过率（通过/参考）"]) == ("33.3%", "100%")
    assert (total["首考通过人数"], total["首考通过率（首考通过/首考参考）"]) == ("4", "80%")
    assert total["首考通过人数/应考人数"] == "26.7%"


def test_one_function_rounds_half_up_to_one_decimal_without_a_trailing_zero():
    for (numerator, denominator), text in SAME_RATES.items():
        assert str(Rate(numerator, denominator)) == text
    assert format_percent(Decimal("0.25")) == "25%" and format_percent(0.25) == "25%"
    assert format_percent(Decimal("0.0625")) == "6.3%"  # half up, not half even (6.2%)
    assert format_percent(Decimal("0.9745")) == "97.5%"
    assert format_percent(None) == "—" and str(Rate(1, 0)) == "—"


def test_dashboard_csv_xlsx_and_cli_print_the_same_rates(logged_in, runner, tmp_path):
    shown = dashboard_figures(logged_in.get("/stats/?year=2024").get_data(as_text=True))
    _check_units(_by_unit(shown))
    from_csv = csv_dicts(logged_in.get("/stats/export.csv?year=2024").get_data())
    from_xlsx = sheet_dicts(workbook(logged_in.get("/stats/export.xlsx?year=2024").data)["汇总"])
    args = ["stats", "export", "--year", "2024", "--unit", "雍溪镇", "--out"]
    assert runner.invoke(args=[*args, str(tmp_path / "a.csv"), "--format", "csv"]).exit_code == 0
    assert runner.invoke(args=[*args, str(tmp_path / "a.xlsx")]).exit_code == 0
    cli_csv = csv_dicts((tmp_path / "a.csv").read_bytes())
    cli_xlsx = sheet_dicts(workbook((tmp_path / "a.xlsx").read_bytes())["汇总"])
    for rows in (from_csv, from_xlsx, cli_csv, cli_xlsx):
        _check_units(_by_unit(rows))  # every column, the dashboard's few included
        assert pick(rows, COMPARED) == shown


def test_xlsx_shows_whole_percentages_without_a_decimal(logged_in):
    sheet = workbook(logged_in.get("/stats/export.xlsx?year=2024").data)["汇总"]
    formats = {
        (cell.value, cell.number_format)
        for row in sheet.iter_rows()
        for cell in row
        if "%" in str(cell.number_format) and isinstance(cell.value, float | int)
    }
    assert (1, "0%") in formats and (0.125, "0.0%") in formats and (0.25, "0%") in formats
    assert (0.667, "0.0%") in formats
    assert not any(value == 1 and fmt == "0.0%" for value, fmt in formats)


def test_item_analysis_prints_the_same_rates_everywhere(exam, logged_in, runner, tmp_path):
    page = logged_in.get(f"/stats/exams/{exam.id}").get_data(as_text=True)
    items_table = html_tables(page)[-1]
    assert [row[2] for row in items_table[1:]] == ITEMS
    admin_page = logged_in.get(f"/admin/exams/{exam.id}/items").get_data(as_text=True)
    assert re.findall(r'<td class="num">([^<]*%)</td>', admin_page) == ITEMS
    from_csv = csv_dicts(logged_in.get(f"/stats/exams/{exam.id}/export.csv?table=3").data)
    book = workbook(logged_in.get(f"/stats/exams/{exam.id}/export.xlsx").data)
    out = tmp_path / "exam.xlsx"
    args = ["stats", "export", "--exam", str(exam.id), "--unit", "雍溪镇", "--out", str(out)]
    assert runner.invoke(args=args).exit_code == 0
    cli_book = workbook(out.read_bytes())
    for rows in (from_csv, sheet_dicts(book["试题分析"]), sheet_dicts(cli_book["试题分析"])):
        assert [r["正确率（答对/作答）"] for r in rows] == ITEMS
    assert "25.0%" not in page + admin_page and "100.0%" not in page + admin_page


def test_first_sitting_figures_and_lists_are_on_the_dashboard(exam, logged_in):
    page = logged_in.get(f"/stats/exams/{exam.id}").get_data(as_text=True)
    facts = dict(re.findall(r"<dt>([^<]+)</dt><dd>(.*?)</dd>", page))
    assert re.sub(r"<[^>]+>", "", facts["首考参考人数"]) == "5"
    assert facts["首考参考率"] == "33.3%"
    assert re.sub(r"<[^>]+>", "", facts["首考通过人数"]) == "4"
    assert facts["首考通过率"].startswith("80%")
    assert facts["首考通过/应考"] == "26.7%"
    assert f"/stats/exams/{exam.id}/names/passed_first" in page
    lists = logged_in.get(f"/stats/exams/{exam.id}/names/passed_first").get_data(as_text=True)
    assert "首考通过名单" in lists and "红岩2" not in lists
    assert all(name in lists for name in ("石佛0", "红岩0", "红岩1", "机关0"))
    sat_first = logged_in.get(f"/stats/exams/{exam.id}/names/sat_first").get_data(as_text=True)
    assert "首考参考名单" in sat_first and "红岩2" in sat_first and "石佛1" not in sat_first


def test_first_sitting_lists_download_and_export_from_the_cli(exam, logged_in, runner, tmp_path):
    url = f"/stats/exams/{exam.id}/names/passed_first/export.csv"
    downloaded = logged_in.get(url).get_data()
    out = tmp_path / "list.csv"
    args = ["stats", "export", "--exam", str(exam.id), "--unit", "雍溪镇", "--format", "csv"]
    result = runner.invoke(args=[*args, "--names", "passed_first", "--out", str(out)])
    assert result.exit_code == 0, result.output
    exported = csv_dicts(out.read_bytes())
    assert sorted(r["姓名"] for r in exported) == ["机关0", "石佛0", "红岩0", "红岩1"]
    assert exported == csv_dicts(downloaded)
    result = runner.invoke(
        args=[
            "stats",
            "export",
            "--year",
            "2024",
            "--unit",
            "雍溪镇",
            "--names",
            "sat_first",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code != 0 and "--names 须与 --exam 同用" in result.output


def test_definitions_count_a_paper_finalized_at_its_deadline_as_sat(exam, logged_in):
    wording = "到截止时间按已保存的答案自动交卷"
    assert wording in logged_in.get("/stats/?year=2024").get_data(as_text=True)
    assert wording in logged_in.get(f"/stats/exams/{exam.id}").get_data(as_text=True)
    title = workbook(logged_in.get("/stats/export.xlsx?year=2024").data)["汇总"]["A2"].value
    assert wording in title and "首考通过率=首考通过人数/首考参考人数" in title


def test_one_sitting_and_the_exam_with_its_makeup_are_labelled_apart(exam, logged_in):
    makeup = db.session.scalar(sa.select(Exam.id).where(Exam.parent_exam_id == exam.id))
    monitor = logged_in.get(f"/admin/exams/{makeup}/monitor").get_data(as_text=True)
    assert "<dt>本场参考人数</dt><dd>1</dd>" in monitor  # the 补考 alone
    assert "<dt>参考人数</dt>" not in monitor
    stats = logged_in.get(f"/stats/exams/{makeup}").get_data(as_text=True)  # the formal's
    assert "本场参考人数" not in stats
    assert re.search(r"<dt>参考人数</dt><dd>.*?>5</a><small>含补考</small></dd>", stats)
