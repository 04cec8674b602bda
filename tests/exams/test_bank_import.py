"""Question import from XLSX: template, upload, preview, confirm; export and round trip."""

import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from tests.conftest import count_rows
from tests.exams.bank_fixtures import (
    IMPORT,
    URL,
    add_question,
    confirm,
    offers_confirm,
    questions,
    text,
    town_admin,
    upload,
    xlsx,
)
from tests.exams.bank_fixtures import row as make_row
from yongxi_learn.core import spreadsheets
from yongxi_learn.core.pending_import import PendingImport
from yongxi_learn.exams.bank import services as bank
from yongxi_learn.exams.bank.template import HEADERS
from yongxi_learn.exams.models import JUDGE_OPTIONS, Question, QuestionCategory, QuestionType
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog

GOOD = [
    make_row(),
    make_row(
        "多选",
        "下列属于行政处罚的有（ ）。",
        ("警告", "罚款", "降级", "没收违法所得"),
        "A,B,D",
        category="行政处罚法",
        law="中华人民共和国行政处罚法",
        article="第九条",
    ),
    make_row("判断", "宪法是国家的根本法。", ("", ""), "对", category="宪法"),
]


@pytest.fixture
def as_admin(client, login, admin):
    login(admin)
    return client


# ---------------------------------------------------------------- the template


def test_template_has_question_sheet_help_sheet_and_drop_downs(as_admin):
    response = as_admin.get(IMPORT + "/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["试题", "填写说明"]
    sheet = workbook["试题"]
    assert next(sheet.iter_rows(max_row=1, values_only=True)) == HEADERS
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= 8
    formulas = {
        str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation
    }
    assert formulas == {"A2": '"单选,多选,判断"', "K2": '"易,中,难"'}
    notes = " ".join(
        str(v) for r in workbook["填写说明"].iter_rows(values_only=True) for v in r if v
    )
    assert "多选题至少填两个字母" in notes and "对/错" in notes


def test_filled_template_imports(as_admin, tree):
    workbook = openpyxl.load_workbook(io.BytesIO(as_admin.get(IMPORT + "/template.xlsx").data))
    workbook["试题"].append(make_row())
    out = io.BytesIO()
    workbook.save(out)
    confirm(as_admin, upload(as_admin, out.getvalue()))
    assert [q.stem for q in questions()] == [make_row()[1]]


# ---------------------------------------------------------------- a good file


def test_good_file_previews_and_names_new_categories(as_admin):
    page = text(upload(as_admin, xlsx(GOOD)))
    assert "可导入 3 题，错误 0 行" in page
    assert "将新建分类「宪法」" in page and "将新建分类「行政处罚法」" in page
    assert offers_confirm(page)
    assert count_rows(Question) == 0


def test_confirmed_import_creates_questions_and_categories(as_admin, tree, admin):
    bank.create_category("宪法", tree["town"], actor=bank.Actor(None))
    db.session.commit()
    preview = upload(as_admin, xlsx(GOOD))
    assert "将新建分类「宪法」" not in text(preview)
    done = confirm(as_admin, preview)
    assert "已向雍溪镇题库导入 3 题，新建分类 行政处罚法" in text(done)
    single, multi, judge = questions()
    assert (single.type, single.options, single.answer) == (
        QuestionType.SINGLE,
        ["人民", "政府", "军队", "法院"],
        "A",
    )
    assert (multi.answer, multi.category.name, multi.article_ref) == ("ABD", "行政处罚法", "第九条")
    assert (judge.options, judge.answer, judge.category.name) == (JUDGE_OPTIONS, "A", "宪法")
    assert all(
        q.owner_unit_id == tree["town"].id and q.created_by_id == admin.id for q in questions()
    )
    assert count_rows(QuestionCategory) == 2
    assert count_rows(PendingImport) == 0
    audit = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "questions.import"))
    assert audit.detail == "试题.xlsx：导入3题，新建分类1个"


@pytest.mark.parametrize(
    ("qtype", "options", "answer", "expected"),
    [
        ("单选", 4, "B", "B"),
        ("单选", 4, "b", "B"),
        ("多选", 4, "A,C", "AC"),
        ("多选", 4, "A，C", "AC"),
        ("多选", 4, "A、C", "AC"),
        ("多选", 4, "AC", "AC"),
        ("多选", 4, "A C", "AC"),
        ("多选", 4, "ac", "AC"),
        ("判断", 0, "对", "A"),
        ("判断", 0, "错", "B"),
        ("判断", 0, "正确", "A"),
        ("判断", 0, "错误", "B"),
        ("判断", 0, "√", "A"),
        ("判断", 0, "×", "B"),
        ("判断", 0, "✓", "A"),
        ("判断", 0, "✗", "B"),
        ("判断", 0, "A", "A"),
        ("判断", 0, "B", "B"),
        ("判断", 0, "T", "A"),
        ("判断", 0, "F", "B"),
    ],
)
def test_every_answer_notation_imports(as_admin, qtype, options, answer, expected):
    opts = ("甲", "乙", "丙", "丁")[:options]
    confirm(as_admin, upload(as_admin, xlsx([make_row(qtype, options=opts, answer=answer)])))
    (question,) = questions()
    assert question.answer == expected


def test_blank_option_cells_mean_no_such_option(as_admin):
    rows = [make_row(options=("甲", "乙", "丙", "", "", ""), answer="C")]
    confirm(as_admin, upload(as_admin, xlsx(rows)))
    assert questions()[0].options == ["甲", "乙", "丙"]


def test_six_options_and_number_cells_import(as_admin):
    rows = [make_row(options=tuple("甲乙丙丁戊己"), answer="F", score=1.5, difficulty=3)]
    confirm(as_admin, upload(as_admin, xlsx(rows)))
    question = questions()[0]
    assert (len(question.options), question.score, question.difficulty) == (6, Decimal("1.5"), 3)


def test_blank_difficulty_and_score_take_defaults(as_admin):
    confirm(as_admin, upload(as_admin, xlsx([make_row(difficulty="", score="", category="")])))
    question = questions()[0]
    assert (question.difficulty, question.score, question.category) == (2, Decimal(2), None)


def test_blank_rows_are_skipped(as_admin):
    rows = [GOOD[0], [None] * 15, [""] * 15, GOOD[2]]
    assert "可导入 2 题，错误 0 行" in text(upload(as_admin, xlsx(rows)))


def test_sheet_named_otherwise_is_read_when_it_is_the_first(as_admin):
    assert "可导入 3 题" in text(upload(as_admin, xlsx(GOOD, sheet="Sheet1")))


# ---------------------------------------------------------------- bad rows


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"qtype": "填空"}, "「题型」：题型应为“单选”“多选”或“判断”"),
        ({"qtype": ""}, "「题型」：请填写题型"),
        ({"stem": ""}, "「题干」：请填写题干"),
        ({"stem": "题" * 2001}, "「题干」：题干不能超过2000个字"),
        ({"stem": "题\t干"}, "「题干」：题干含有控制字符或不可见字符"),
        ({"stem": "题干\u202e"}, "「题干」：题干含有控制字符或不可见字符"),
        ({"stem": "=1+1"}, "「题干」：不能包含公式"),
        ({"options": ("甲",), "answer": "A"}, "「选项」：选择题至少需要2个选项"),
        ({"options": ("甲", "", "丙")}, "「选项B」：选项B为空，但后面还有选项"),
        (
            {"options": ("甲", "乙", "丙"), "answer": "D"},
            "「答案」：答案中的选项D不存在（本题只有3个选项）",
        ),
        ({"answer": "AB"}, "「答案」：单选题的答案只能是一个选项"),
        ({"qtype": "多选", "answer": "A"}, "「答案」：多选题的答案至少应有两个选项"),
        (
            {"qtype": "判断", "options": (), "answer": "不对吧"},
            "「答案」：判断题的答案应为“对”或“错”",
        ),
        ({"qtype": "判断", "options": ("是", "否")}, "「选项」：判断题不需要填写选项"),
        ({"answer": ""}, "「答案」：请填写答案"),
        ({"difficulty": "很难"}, "「难度」：难度应为“易”“中”“难”之一"),
        ({"score": "0"}, "「分值」：分值应大于0且不超过100"),
        ({"score": "两分"}, "「分值」：分值应为数字"),
        ({"score": "101"}, "「分值」：分值应大于0且不超过100"),
        ({"explanation": '=HYPERLINK("http://x")'}, "「解析」：不能包含公式"),
        ({"category": "宪\u200b法"}, "「题库分类」：题库分类含有控制字符"),
    ],
)
def test_bad_row_is_rejected_with_row_column_and_problem(as_admin, changes, expected):
    page = text(upload(as_admin, xlsx([GOOD[0], make_row(**{"stem": "第二题", **changes})])))
    assert "第3行" + expected in page
    assert "错误 1 行" in page
    assert not offers_confirm(page)
    assert count_rows(Question) == 0
    assert count_rows(PendingImport) == 0


def test_formula_cell_is_refused(as_admin):
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx([GOOD[0]])))
    workbook["试题"]["L2"] = "=1+1"
    out = io.BytesIO()
    workbook.save(out)
    assert "第2行「分值」：不能包含公式" in text(upload(as_admin, out.getvalue()))


def test_duplicate_stems_in_the_file_name_both_rows(as_admin):
    rows = [GOOD[0], GOOD[1], make_row(stem=" 宪法规定，中华人民共和国的一切权力属于（　）。")]
    page = text(upload(as_admin, xlsx(rows)))
    assert "第2行「题干」：与第4行的题干重复" in page
    assert "第4行「题干」：与第2行的题干重复" in page
    assert not offers_confirm(page)


def test_stem_already_in_the_bank_is_reported(as_admin, tree):
    existing = add_question(tree["town"])
    page = text(upload(as_admin, xlsx(GOOD)))
    assert f"第2行「题干」：题库中已有相同题干的题目（编号{existing.id}）" in page
    assert not offers_confirm(page)


def test_stem_in_another_towns_bank_is_no_duplicate(as_admin, tree):
    add_question(tree["other_town"])
    assert "可导入 3 题，错误 0 行" in text(upload(as_admin, xlsx(GOOD)))


# ---------------------------------------------------------------- bad files


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return out.getvalue()


def _with_member(content: bytes, name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr(name, data)
    return out.getvalue()


def _bad_files():
    good = xlsx(GOOD)
    ole2 = spreadsheets.OLE2_SIGNATURE + b"\0" * 4000
    return [
        ("not_xlsx", b"type,stem\n", "试题.xlsx", "不是有效的 .xlsx 文件"),
        ("encrypted_or_xls", ole2, "试题.xlsx", "文件已加密或为旧版 .xls 格式"),
        ("xls_name", ole2, "试题.xls", "只能上传 .xlsx 文件"),
        ("truncated", good[: len(good) // 2], "试题.xlsx", "文件已损坏或不完整"),
        ("empty", b"", "试题.xlsx", "文件是空的"),
        ("no_rows", xlsx([]), "试题.xlsx", "「试题」工作表中没有题目"),
        ("zip_without_workbook", _plain_zip(), "试题.xlsx", "不是有效的 .xlsx 文件"),
        (
            "wrong_headers",
            xlsx(GOOD, headers=("题型", "题目", *HEADERS[2:])),
            "试题.xlsx",
            "第1行的表头应依次为：题型、题干、选项A",
        ),
        (
            "zip_bomb",
            _with_member(good, "xl/media/image1.bin", bytes(31 * 1024 * 1024)),
            "试题.xlsx",
            "文件解压后过大",
        ),
    ]


@pytest.mark.parametrize(
    ("content", "filename", "expected"),
    [case[1:] for case in _bad_files()],
    ids=[case[0] for case in _bad_files()],
)
def test_unusable_file_is_rejected_with_its_message(as_admin, content, filename, expected):
    page = text(upload(as_admin, content, filename))
    assert expected in page
    assert not offers_confirm(page)
    assert count_rows(Question) == 0
    assert count_rows(PendingImport) == 0


def test_too_many_rows_are_rejected(as_admin, app):
    app.config["IMPORT_MAX_ROWS"] = 2
    assert "一次最多导入2题" in text(upload(as_admin, xlsx(GOOD)))


def test_zip_bomb_is_refused_before_parsing(as_admin, monkeypatch):
    calls = []
    monkeypatch.setattr(spreadsheets, "load_workbook", lambda *a, **k: calls.append(1))
    bomb = _with_member(xlsx(GOOD), "xl/media/image1.bin", bytes(31 * 1024 * 1024))
    assert "文件解压后过大" in text(upload(as_admin, bomb))
    assert calls == []


# ---------------------------------------------------------------- confirming


def test_confirm_rechecks_and_writes_nothing_when_the_bank_changed(as_admin, tree):
    preview = upload(as_admin, xlsx(GOOD))
    add_question(tree["town"], stem=GOOD[2][1], qtype=QuestionType.JUDGE, options=(), answer="对")
    before = count_rows(Question)
    page = text(confirm(as_admin, preview))
    assert "第4行「题干」：题库中已有相同题干的题目" in page
    assert not offers_confirm(page)
    assert count_rows(Question) == before


def test_confirm_asks_again_when_a_new_category_appeared(as_admin, tree):
    preview = upload(as_admin, xlsx(GOOD))
    bank.create_category("宪法", tree["town"], actor=bank.Actor(None))
    db.session.commit()
    changed = confirm(as_admin, preview)
    assert "请核对后再次确认" in text(changed)
    assert "将新建分类「宪法」" not in text(changed)
    assert count_rows(Question) == 0
    confirm(as_admin, changed)
    assert count_rows(Question) == 3


def test_another_admin_cannot_confirm_the_upload(app, as_admin, login, make_user, tree):
    preview = upload(as_admin, xlsx(GOOD))
    other = app.test_client()
    login(town_admin(make_user, tree["town"], "另一管理员"), client=other)
    assert confirm(other, preview).status_code == 404
    assert count_rows(Question) == 0


def test_confirm_into_a_bank_outside_scope_is_refused(as_admin, tree):
    html = text(upload(as_admin, xlsx(GOOD)))
    action = re.search(r'action="(/admin/questions/import/[^"/]+/confirm)"', html).group(1)
    digest = re.search(r'name="plan" value="([0-9a-f]+)"', html).group(1)
    response = as_admin.post(action, data={"plan": digest, "unit": tree["other_town"].id})
    assert response.status_code == 404
    assert count_rows(Question) == 0
    assert count_rows(PendingImport) == 1


def test_people_upload_token_does_not_confirm_questions(as_admin, admin):
    pending = PendingImport(user_id=admin.id, kind="people", content=xlsx(GOOD))
    db.session.add(pending)
    db.session.commit()
    response = as_admin.post(f"{IMPORT}/{pending.token}/confirm", data={"plan": "0", "unit": "1"})
    assert response.status_code == 404


# ---------------------------------------------------------------- export and round trip


FIELDS = (
    "type",
    "stem",
    "options",
    "answer",
    "explanation",
    "difficulty",
    "score",
    "law_ref",
    "article_ref",
)


def _content(question: Question) -> tuple:
    category = question.category.name if question.category else None
    return (*(getattr(question, name) for name in FIELDS), category)


def test_export_imports_back_unchanged_into_an_empty_bank(app, as_admin, login, make_user, tree):
    confirm(as_admin, upload(as_admin, xlsx(GOOD)))
    add_question(
        tree["town"],
        stem="带\n换行的题干",
        options=("+1", "-1", "@SUM(A1)", "0012"),
        answer="D",
        explanation="说明，含“引号”",
        score=Decimal("0.5"),
        difficulty=3,
    )
    exported = as_admin.get(URL + "export.xlsx")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["Content-Disposition"]
    other = app.test_client()
    login(town_admin(make_user, tree["other_town"], "宝顶镇管理员"), client=other)
    page = upload(other, exported.data, "导出.xlsx")
    assert "可导入 4 题，错误 0 行" in text(page), re.findall("<li>(.*?)</li>", text(page))
    confirm(other, page)
    originals = [_content(q) for q in questions(tree["town"])]
    copies = [_content(q) for q in questions(tree["other_town"])]
    assert len(copies) == 4
    assert copies == originals


def test_export_follows_the_list_filter(as_admin, tree):
    add_question(tree["town"], stem="关于宪法的题", law_ref="宪法")
    add_question(tree["town"], stem="关于民法典的题", law_ref="民法典")
    add_question(tree["other_town"], stem="外镇的题", law_ref="宪法")
    workbook = openpyxl.load_workbook(io.BytesIO(as_admin.get(URL + "export.xlsx?law=宪法").data))
    stems = [r[1] for r in workbook["试题"].iter_rows(min_row=2, values_only=True)]
    assert stems == ["关于宪法的题"]


def test_export_writes_formula_like_text_as_text(as_admin, tree):
    add_question(tree["town"], stem="+1+1", options=("-A1", "@SUM(A1)"), answer="A")
    data = as_admin.get(URL + "export.xlsx").data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook["试题"]["B2"].data_type == "s"
