"""The inspection 台账 pack: what an inspector finds in it, that the CLI writes the
download's very bytes, and who may download it."""

import hashlib
import io
import re
import zipfile
from urllib.parse import quote

import docx
import openpyxl
import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD
from yongxi_learn.auth.passwords import hash_password
from yongxi_learn.core.formatting import Rate
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams import exam_tally
from yongxi_learn.exams.models import Attempt, AttemptQuestion, Enrolment, Exam, ExamKind
from yongxi_learn.exams.papers import regrade
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import OrgUnit, Role, RoleGrant, User
from yongxi_learn.org.services import SYSTEM, Actor
from yongxi_learn.reports import phrasing, services
from yongxi_learn.reports.models import ReportVersion
from yongxi_learn.stats import queries
from yongxi_learn.training import attendance
from yongxi_learn.training.models import AttendanceMethod, KindCode


def members(body: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def check_manifest(files: dict[str, bytes]) -> None:
    lines = files["manifest.txt"].decode("utf-8").splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in lines)
    assert set(listed) == set(files) - {"manifest.txt"}
    for name, digest in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest, name


def sheets_of(data: bytes) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def table(rows: list[tuple]) -> list[dict]:
    """A figure sheet's rows under its header (the line starting with 序号)."""
    top = next(i for i, row in enumerate(rows) if row[0] == "序号")
    headers = rows[top]
    return [dict(zip(headers, row, strict=False)) for row in rows[top + 1 :]]


def invoke_pack(runner, out, *extra):
    args = ["report", "pack", "--year", "2025", "--unit", "雍溪镇", "--out", str(out), *extra]
    return runner.invoke(args=args)


# ---------------------------------------------------------------- the demo's records


@pytest.fixture
def demo(app, runner):
    """The demo data, with an exemption and an answer-key fix added, and a draft of
    2025 made afterwards (so its figures are today's records)."""
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    town = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "雍溪镇"))
    admin = db.session.scalar(
        sa.select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == Role.ADMIN, RoleGrant.unit_id == town.id)
        .order_by(User.id)
    )
    admin.password_hash, admin.must_change_password = hash_password(PASSWORD), False
    formal = db.session.scalar(
        sa.select(Exam).where(Exam.year == 2025, Exam.kind == ExamKind.FORMAL)
    )
    # An exemption, as the exam page records it (who, when, why).
    entry = db.session.scalar(
        sa.select(Enrolment)
        .where(Enrolment.exam_id == formal.id, ~Enrolment.exempt)
        .where(~sa.exists().where(Attempt.user_id == Enrolment.user_id))
        .order_by(Enrolment.id)
    )
    exempt_name = entry.user.name
    entry.exempt, entry.exempt_reason = True, "长期病假"
    entry.exempted_by_id, entry.exempted_at = admin.id, utcnow()
    db.session.flush()
    exam_tally.enrolment_changed(entry)
    # A wrong answer key fixed: every attempt that asked it is regraded.
    question = db.session.scalar(
        sa.select(AttemptQuestion)
        .join(Attempt, AttemptQuestion.attempt_id == Attempt.id)
        .where(Attempt.exam_id == formal.id)
        .order_by(AttemptQuestion.id)
    ).question
    new_key = next(ch for ch in "ABCD"[: len(question.options)] if ch != question.answer)
    if question.type.value == "multi":
        new_key = "AB" if question.answer != "AB" else "CD"
    regrade.fix_answer_key(question, new_key, actor=Actor(admin))
    db.session.commit()
    # Drafted as the demo drafts (by the system): the demo admin sits this year's open
    # exam, whose questions' figures (the weak laws) are kept from them.
    with app.test_request_context():
        version = services.draft(2025, town, actor=SYSTEM, now=utcnow())
        db.session.commit()
    return {
        "town": town,
        "admin": admin,
        "version_id": version.id,
        "draft_id": version.draft_id,
        "number": version.number,
        "exempt": exempt_name,
    }


def test_the_demo_pack_backs_every_figure_and_the_cli_writes_the_same_bytes(
    app, client, login, runner, demo, tmp_path
):
    login(demo["admin"])
    page = client.get(f"/admin/reports/{demo['draft_id']}").get_data(as_text=True)
    url = f"/admin/reports/{demo['draft_id']}/pack.zip?version={demo['number']}"
    assert f'href="{url}"' in page and "data-pack" in page and "下载台账包" in page
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert quote("学法台账包（第") in response.headers["Content-Disposition"]
    web = response.data
    # The CLI, for the same version (the latest), writes the very same file.
    out = tmp_path / "pack.zip"
    result = invoke_pack(runner, out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == web
    files = members(web)
    check_manifest(files)
    assert "sha256sum -c manifest.txt" in files["说明.txt"].decode("utf-8")

    version = db.session.get(ReportVersion, demo["version_id"])
    town = demo["town"]
    # The report, as the version says.
    (report_name,) = [n for n in files if n.startswith("1-报告/")]
    document = docx.Document(io.BytesIO(files[report_name]))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == version.title and texts[2:] == version.text.split("\n")

    # A sheet per figure in the text, titled with its sentence, its rows the figure.
    sheets = sheets_of(files["2-数字与名单.xlsx"])
    index = table(sheets["目录"])
    assert len(index) == len(version.figures) == len(sheets) - 1
    sentences = [s for s in re.split(r"(?<=。)|\n", version.text) if s]
    by_key = {}
    for row, figure in zip(index, version.figures, strict=True):
        rows = sheets[row["工作表"]]
        assert rows[0][0] in sentences and figure["text"] in rows[0][0]
        assert row["名单行数"] == len(table(rows))
        assert row["核对"] == "与记录一致"
        by_key[figure["key"]] = (figure["text"], table(rows))
    figures = queries.training_figures(2025, town)

    text, rows = by_key["training.person_times"]
    assert len(rows) == figures.person_times and text == f"{phrasing.approx(len(rows))}人次"
    manual = [r for r in rows if r["签到方式"] == AttendanceMethod.MANUAL.label]
    assert manual and all(r["补录原因"] for r in manual)
    text, rows = by_key["exam.participation"]
    sat = sum(r["是否参考"] == "参考" for r in rows)
    assert text == phrasing.percent(Rate(sat, len(rows)))
    assert demo["exempt"] not in {r["姓名"] for r in rows}
    text, rows = by_key["exam.pass_rate"]
    passed = sum(r["结果"] in ("通过", "补考通过") for r in rows)
    assert text == phrasing.percent(Rate(passed, len(rows)))
    # The demo's imported 全市学法考试 (来源：导入): its people and its 通过率.
    (people,) = [k for k in by_key if k.startswith("external.") and k.endswith(".people")]
    text, rows = by_key[people]
    assert text == f"{phrasing.approx(len(rows))}名" and {r["来源"] for r in rows} == {"来源：导入"}
    text, rows = by_key[people.replace(".people", ".pass_rate")]
    assert text == phrasing.percent(Rate(sum(r["结果"] == "通过" for r in rows), len(rows)))
    for key in ("training.coverage.officials", "training.coverage.village"):
        text, rows = by_key[key]
        covered = sum(r["是否参训"] == "已参训" for r in rows)
        assert text == phrasing.coverage(Rate(covered, len(rows)))
    weak = [key for key in by_key if key.startswith("exam.weak.")]
    assert weak
    for key in weak:
        text, rows = by_key[key]
        right, asked = sum(r["答对人次"] for r in rows), sum(r["作答人次"] for r in rows)
        assert text == phrasing.percent(Rate(right, asked))
    for code in KindCode:
        if f"training.{code.value}" in by_key:
            text, rows = by_key[f"training.{code.value}"]
            assert text == f"{len(rows)}次" == f"{figures.sessions_of(code)}次"
    text, rows = by_key["study.chosen"]
    assert len(rows) == queries.leader_study(2025, town).people
    assert text == phrasing.percent(Rate(sum(r["已选定“2+1”"] == "是" for r in rows), len(rows)))
    assert all(r["所选法规"] for r in rows)

    # A 签到表 per session of the year, printable: who, when, how.
    sessions = [n for n in files if n.startswith("3-签到表/")]
    assert len(sessions) == figures.sessions
    lines = []
    for name in sessions:
        sheet = docx.Document(io.BytesIO(files[name]))
        assert sheet.paragraphs[0].text == "集中学习签到表"
        lines += ["\t".join(c.text for c in row.cells) for row in sheet.tables[0].rows[1:]]
    assert sum("\t扫码\t" in line for line in lines) > 0
    assert any("\t补录\t补录原因：忘带手机" in line for line in lines)

    # What was done by hand, with who and when.
    ledgers = sheets_of(files["4-免考、补考、补录与更正.xlsx"])
    (exempt,) = table(ledgers["免考"])
    assert (exempt["姓名"], exempt["原因"], exempt["操作人"]) == (
        demo["exempt"],
        "长期病假",
        demo["admin"].name,
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", exempt["时间"])
    (fix,) = table(ledgers["答案更正"])
    assert fix["操作人"] == demo["admin"].name and "份答卷成绩改变" in fix["更正内容"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", fix["时间"])
    makeups = table(ledgers["补考成绩"])
    assert makeups and {r["结果"] for r in makeups} <= {"通过", "未通过", "未参加补考"}
    marks = table(ledgers["补录与撤销签到"])
    assert marks and all(r["补录原因"] and r["签到/补录时间"] for r in marks)

    entries = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "report.pack"))
    assert [e.actor_id for e in entries] == [demo["admin"].id]


# ---------------------------------------------------------------- hand-built records


@pytest.fixture
def drafted(app, scenario, admin, tree, make_session):
    session = make_session(kind=KindCode.TOPIC)
    attendance.sign_in(
        session, scenario.people["甲"], method=AttendanceMethod.QR, now=session.starts_at
    )
    attendance.mark(
        session, scenario.people["丙"], "忘带手机", actor=Actor(admin), now=session.starts_at
    )
    db.session.commit()
    with app.test_request_context():
        version = services.draft(2024, tree["town"], actor=Actor(admin), now=utcnow())
        db.session.commit()
    return version.draft_id


def test_the_pack_is_the_same_bytes_each_time_and_its_sign_in_sheet_says_how(
    client, login, admin, drafted
):
    login(admin)
    first = client.get(f"/admin/reports/{drafted}/pack.zip").data
    assert client.get(f"/admin/reports/{drafted}/pack.zip?version=1").data == first
    files = members(first)
    check_manifest(files)
    (sheet,) = [n for n in files if n.startswith("3-签到表/")]
    rows = docx.Document(io.BytesIO(files[sheet])).tables[0].rows
    cells = {row.cells[2].text: [c.text for c in row.cells] for row in rows[1:]}
    assert cells["甲"][5] == "扫码" and cells["丙"][5] == "补录"
    assert "忘带手机" in cells["丙"][6] and admin.name in cells["丙"][6]
    # Every member carries the version's date, not the time it was built.
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert len({info.date_time for info in archive.infolist()}) == 1


def test_a_reviewer_downloads_the_pack_other_towns_and_villages_do_not(
    app, login, admin, reviewer, unit_admin, make_user, tree, drafted
):
    url = f"/admin/reports/{drafted}/pack.zip"
    stranger = make_user("外镇管理员", tree["other_town"], roles=[(Role.ADMIN, tree["other_town"])])
    for person, status in ((reviewer, 200), (stranger, 404), (unit_admin, 404)):
        client = app.test_client()
        login(person, client=client)
        assert client.get(url).status_code == status, person.name
    assert app.test_client().get(url).status_code in (302, 401)
    client = app.test_client()
    login(admin, client=client)
    assert client.get(f"{url}?version=9").status_code == 404


def test_the_cli_refuses_a_version_the_records_no_longer_bear_out(
    runner, scenario, admin, drafted, tmp_path
):
    from tests.stats.conftest import _sat

    _sat(scenario.makeup, scenario.people["甲"], 95)  # a 补考 taken after the draft
    db.session.commit()
    out = tmp_path / "pack.zip"
    args = ["report", "pack", "--year", "2024", "--unit", "雍溪镇", "--out", str(out)]
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and "核对提示" in result.output and not out.exists()
    result = runner.invoke(args=[*args, "--allow-stale"])
    assert result.exit_code == 0, result.output
    files = members(out.read_bytes())
    (report,) = [n for n in files if n.startswith("1-报告/")]
    assert "数字待核" not in report  # the name is the version's; the text carries it
    first = docx.Document(io.BytesIO(files[report])).paragraphs[0].text
    assert first.startswith("【核对提示】")
    index = table(sheets_of(files["2-数字与名单.xlsx"])["目录"])
    assert any("记录现为" in row["核对"] for row in index)


def test_an_answer_key_fix_says_who_and_when_and_keeps_its_key_out_while_an_exam_asks_it(
    client, login, admin, scenario, tree, drafted
):
    from tests.stats.conftest import _exam
    from yongxi_learn.exams.models import ExamQuestion, ExamStatus, Question

    question = db.session.scalar(sa.select(Question))
    regrade.fix_answer_key(question, "C", actor=Actor(admin))
    db.session.commit()
    login(admin)

    def fixes():
        files = members(client.get(f"/admin/reports/{drafted}/pack.zip").data)
        return table(sheets_of(files["4-免考、补考、补录与更正.xlsx"])["答案更正"])

    (fix,) = fixes()
    assert fix["操作人"] == admin.name and "答案 B → C" in fix["更正内容"]
    assert fix["题目"] == question.stem and "2024年度法治理论知识考试" in fix["涉及考试"]
    # Someone reading the pack may be sitting an exam still open that asks it.
    later = _exam(tree["town"], "2025年度法治理论知识考试")
    later.closes_at, later.status = utcnow().replace(year=utcnow().year + 1), ExamStatus.PUBLISHED
    db.session.add(ExamQuestion(exam_id=later.id, question_id=question.id, score=100))
    db.session.commit()
    (fix,) = fixes()
    assert fix["操作人"] == admin.name and "→" not in fix["更正内容"]
    assert "考试结束后列出" in fix["题目"] and question.stem not in str(fix)


def test_the_cli_packs_a_fresh_draft_when_none_is_saved_and_refuses_a_missing_version(
    runner, scenario, tmp_path
):
    out = tmp_path / "pack.zip"
    args = ["report", "pack", "--year", "2024", "--unit", "雍溪镇", "--out", str(out)]
    result = runner.invoke(args=[*args, "--version", "2"])
    assert result.exit_code != 0 and "没有第2稿" in result.output and not out.exists()
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "根据当前记录生成，未保存" in result.output
    files = members(out.read_bytes())
    check_manifest(files)
    assert (
        "1-报告/雍溪镇2024年法治政府建设情况报告（干部学法部分）（根据当前记录生成，未保存）.docx"
        in files
    )
    index = table(sheets_of(files["2-数字与名单.xlsx"])["目录"])
    assert index and all(row["核对"] == "与记录一致" for row in index)
    # Run again: the same bytes.
    first = out.read_bytes()
    assert runner.invoke(args=args).exit_code == 0 and out.read_bytes() == first


def test_a_districts_pack_backs_each_towns_shortfall_with_its_names(runner, towns, tmp_path):
    """tests/stats/districts.py: 宝顶镇 falls short of every threshold of 大足区's."""
    out = tmp_path / "district.zip"
    args = ["report", "pack", "--year", "2024", "--unit", "大足区", "--out", str(out)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    files = members(out.read_bytes())
    check_manifest(files)
    sheets = sheets_of(files["2-数字与名单.xlsx"])
    index = table(sheets["目录"])
    town_rows = [row for row in index if str(row["报告中的数字"]).startswith("50%（宝顶镇")]
    assert town_rows and town_rows[0]["核对"] == "与记录一致"
    by_name = {name.split(" ", 1)[1]: rows for name, rows in sheets.items() if " " in name}
    participation = next(
        rows for name, rows in by_name.items() if name.startswith("宝顶镇") and "参考率" in name
    )
    assert "低于全区95%的要求" in participation[0][0]
    people = table(participation)
    assert {row["姓名"]: row["是否参考"] for row in people} == {"甲": "未参考", "乙": "参考"}
    villages = next(
        rows for name, rows in by_name.items() if name.startswith("宝顶镇") and "覆盖率" in name
    )
    assert {row["村（社区）"]: row["集中学习"] for row in table(villages)} == {
        "宝林村": "未参加",
        "宝峰村": "未参加",
    }
    leaders = next(
        rows for name, rows in by_name.items() if name.startswith("宝顶镇") and "2+1" in name
    )
    assert [(row["姓名"], row["已选定“2+1”"]) for row in table(leaders)] == [("宝顶镇领导", "否")]
    assert all(row["核对"] == "与记录一致" for row in index)
