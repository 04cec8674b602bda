"""The question spreadsheet as the provincial exam systems lay it out: the import
template (试题 sheet, 填写说明 sheet, drop-downs) and the export, which is the same
template filled in, so an export imports back unchanged."""

from collections.abc import Iterable

from ...core.spreadsheets import Limits, Sheet, megabytes
from ..models import DIFFICULTY_LABELS, QUESTION_TYPE_LABELS, Question
from .rules import MAX_OPTIONS, format_answer

SHEET = "试题"
HELP_SHEET = "填写说明"
OPTION_COLUMNS = tuple(f"选项{letter}" for letter in "ABCDEF")
HEADERS = (
    "题型",
    "题干",
    *OPTION_COLUMNS,
    "答案",
    "解析",
    "难度",
    "分值",
    "题库分类",
    "法规",
    "条款",
)
TYPE, STEM = HEADERS[:2]
ANSWER, EXPLANATION, DIFFICULTY, SCORE, CATEGORY, LAW, ARTICLE = HEADERS[8:]

COLUMN_NOTES = (
    (TYPE, "必填", "从下拉列表中选择：单选、多选、判断（也可写“单选题”等）。", "单选"),
    (
        STEM,
        "必填",
        "题目内容，不超过2000个字；可以换行。",
        "宪法规定，中华人民共和国的一切权力属于（ ）。",
    ),
    (
        "选项A～选项F",
        "选择题必填",
        "单选、多选题填写2～6个选项，从选项A起依次填写；不用的选项留空（只能空在最后）。"
        "每个选项不超过500个字。判断题不填选项（系统固定为“正确”“错误”）。",
        "人民",
    ),
    (
        ANSWER,
        "必填",
        "填写正确选项的字母：单选题只能填一个字母，如 B；多选题至少填两个字母，"
        "如 AC、A,C、A，C、A、C（多选题须全部选对才得分）。"
        "判断题填 对/错（也可填 正确/错误、√/×、A/B、T/F）。",
        "A",
    ),
    (EXPLANATION, "选填", "答案解析，交卷后按考试设置显示给考生。", "宪法第二条第一款。"),
    (DIFFICULTY, "选填", "从下拉列表中选择：易、中、难；不填为“中”。", "中"),
    (SCORE, "选填", "每题默认分值，大于0且不超过100，最多两位小数；不填为2分。", "2"),
    (CATEGORY, "选填", "题库分类名称；系统中没有的分类会在导入时新建。", "宪法"),
    (LAW, "选填", "本题考查的法律法规名称。", "中华人民共和国宪法"),
    (
        ARTICLE,
        "选填",
        "本题考查的条款，如“第二条”“第十条之一”。法规库收录了该法规全文的，须是其中的条；"
        "条文不全的，无法核对的条款在预览中提示，按文字导入。",
        "第二条",
    ),
)


def _general_notes(limits: Limits) -> list[str]:
    return [
        f"在「{SHEET}」工作表中每行填写一题，从第2行开始；空行会被跳过。",
        f"请勿修改第1行表头；单元格中不能使用公式。一次最多导入{limits.max_rows}题，"
        f"文件不超过{megabytes(limits.max_bytes)}。",
        "题干与文件中其他题目或题库中已有题目相同（忽略空格）的，视为重复，不能导入。",
        "上传后先预览；只要有一行有错误，全部不导入，请修改文件后重新上传。",
    ]


def template_sheets(limits: Limits, questions: Iterable[Question] = ()) -> list[Sheet]:
    """The template, optionally filled with ``questions`` (the export)."""
    return [_questions_sheet(limits, questions), _help_sheet(limits)]


def _questions_sheet(limits: Limits, questions: Iterable[Question]) -> Sheet:
    return Sheet(
        name=SHEET,
        headers=HEADERS,
        rows=(question_row(q) for q in questions),
        # Text everywhere: answers like "1" or scores stay as typed, never dates.
        text_columns=frozenset(range(len(HEADERS))),
        choices={
            HEADERS.index(TYPE): list(QUESTION_TYPE_LABELS.values()),
            HEADERS.index(DIFFICULTY): list(DIFFICULTY_LABELS.values()),
        },
        choice_rows=max(limits.max_rows, 2000),
        min_width=8,
        max_width=50,
    )


def _help_sheet(limits: Limits) -> Sheet:
    notes = [("", "", f"{i}. {text}", "") for i, text in enumerate(_general_notes(limits), 1)]
    return Sheet(
        name=HELP_SHEET,
        headers=("列名", "是否必填", "填写要求", "示例"),
        rows=[*COLUMN_NOTES, ("", "", "", ""), ("注意事项", "", "", ""), *notes],
        max_width=80,
    )


def question_row(question: Question) -> list[str]:
    options = [] if question.type.value == "judge" else list(question.options)
    options += [""] * (MAX_OPTIONS - len(options))
    return [
        question.type.label,
        question.stem,
        *options,
        format_answer(question.type, question.answer),
        question.explanation,
        DIFFICULTY_LABELS.get(question.difficulty, ""),
        format(question.score.normalize(), "f"),
        question.category.name if question.category else "",
        question.law_ref,
        question.article_ref,
    ]
