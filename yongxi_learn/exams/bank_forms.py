"""Forms of the question bank pages. The content rules live in bank_rules, shared with
the import; these forms only carry the fields and show the rules' messages."""

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..core.forms import Form, QueryForm
from ..core.spreadsheets import XLSX_MIMETYPE
from ..org.models import OrgUnit
from . import bank_rules
from .bank_rules import OPTION_MAX, QuestionData
from .grading import LETTERS
from .models import (
    DIFFICULTY_LABELS,
    QUESTION_TYPE_LABELS,
    Question,
    QuestionCategory,
    QuestionType,
)

TYPE_CHOICES = [SelectChoice(t.value, label) for t, label in QUESTION_TYPE_LABELS.items()]
STATUS_CHOICES = [
    SelectChoice("active", "在用"),
    SelectChoice("retired", "已停用"),
    SelectChoice("superseded", "旧版本"),
    SelectChoice("all", "全部"),
]
OPTION_FIELDS = tuple(bank_rules.option_field(i) for i in range(len(LETTERS)))


def unit_choices(units: list[OrgUnit]) -> list[SelectChoice]:
    return [SelectChoice(unit.id, unit.name) for unit in units]


def only_unit(field) -> None:
    """With one bank to choose from the page shows no choice: take that one."""
    if len(field.choices) == 1 and not field.raw_data:
        field.data = field.choices[0].value


def category_choices(categories: list[QuestionCategory], several_units: bool) -> list:
    def label(c: QuestionCategory) -> str:
        return f"{c.owner_unit.name} / {c.name}" if several_units else c.name

    return [SelectChoice(0, "（不分类）"), *(SelectChoice(c.id, label(c)) for c in categories)]


def _option(letter: str):
    return StringField(f"选项{letter}", validators=[Length(max=OPTION_MAX)])


class QuestionForm(Form):
    owner_unit_id = SelectField("所属题库", coerce=int)
    category_id = SelectField("题库分类", coerce=int)
    type = SelectField("题型", choices=TYPE_CHOICES, default="single")
    stem = TextAreaField("题干", render_kw={"rows": 4})
    option_a = _option("A")
    option_b = _option("B")
    option_c = _option("C")
    option_d = _option("D")
    option_e = _option("E")
    option_f = _option("F")
    answer = StringField(
        "答案",
        description="单选填一个字母如 B；多选至少两个字母如 AC 或 A,C；判断填 对 或 错",
        render_kw={"autocomplete": "off"},
    )
    explanation = TextAreaField("解析", render_kw={"rows": 3})
    difficulty = SelectField(
        "难度",
        coerce=int,
        default=2,
        choices=[SelectChoice(k, v) for k, v in DIFFICULTY_LABELS.items()],
    )
    score = StringField("分值", default="2", render_kw={"inputmode": "decimal"})
    law_ref = StringField("法规", render_kw={"placeholder": "如：中华人民共和国宪法"})
    article_ref = StringField("条款", render_kw={"placeholder": "如：第二条"})
    tags = StringField("标签", description="多个标签用空格分隔")

    def fill_from(self, question: Question) -> None:
        self.owner_unit_id.data = question.owner_unit_id
        self.category_id.data = question.category_id or 0
        self.type.data = question.type.value
        options = [] if question.type.value == "judge" else question.options
        for name, text in zip(OPTION_FIELDS, [*options, *[""] * len(LETTERS)], strict=False):
            self[name].data = text
        self.answer.data = bank_rules.format_answer(question.type, question.answer)
        self.score.data = format(question.score.normalize(), "f")
        for name in ("stem", "explanation", "difficulty", "law_ref", "article_ref", "tags"):
            self[name].data = getattr(question, name)

    def question_data(self) -> QuestionData | None:
        """The checked content; None (with messages on the fields) when invalid."""
        qtype = QuestionType(self.type.data)
        data = bank_rules.build(
            qtype=qtype,
            stem=self.stem.data or "",
            options=[] if qtype.value == "judge" else [self[n].data or "" for n in OPTION_FIELDS],
            answer=self.answer.data or "",
            explanation=self.explanation.data or "",
            difficulty=self.difficulty.data,
            score=self._score(),
            law_ref=self.law_ref.data or "",
            article_ref=self.article_ref.data or "",
            tags=self.tags.data or "",
        )
        self.show_errors(data.errors)
        return None if data.errors or self.score.errors else data

    def _score(self):
        try:
            return bank_rules.parse_score(self.score.data or "")
        except bank_rules.Invalid as exc:
            self.score.errors.append(str(exc))
            return bank_rules.DEFAULT_SCORE

    def show_errors(self, errors: list[tuple[str, str]]) -> None:
        targets = {"options": "option_a", "category": "category_id"}
        for name, message in errors:
            field = self[targets.get(name, name)]
            if message not in field.errors:
                field.errors.append(message)


class BankFilterForm(QueryForm):
    category = SelectField("分类", coerce=int, validate_choice=False)
    type = SelectField("题型", choices=[SelectChoice("", "全部题型"), *TYPE_CHOICES])
    law = StringField("法规", render_kw={"placeholder": "法规名称", "type": "search"})
    q = StringField("题干", render_kw={"placeholder": "题干中的文字", "type": "search"})
    status = SelectField("状态", choices=STATUS_CHOICES, default="active")


class CategoryForm(Form):
    owner_unit_id = SelectField("所属题库", coerce=int)
    name = StringField("分类名称", validators=[DataRequired("请输入分类名称"), Length(max=100)])


class RenameCategoryForm(Form):
    name = StringField("新名称", validators=[DataRequired("请输入分类名称"), Length(max=100)])


class UploadForm(Form):
    owner_unit_id = SelectField("导入到题库", coerce=int)
    file = FileField(
        "填好的试题表（.xlsx）",
        validators=[
            FileRequired("请选择要上传的文件"),
            FileAllowed(
                ["xlsx"], "只能上传 .xlsx 文件；旧版 .xls 请先用 Excel 或 WPS 另存为 .xlsx"
            ),
        ],
        render_kw={"accept": f".xlsx,{XLSX_MIMETYPE}"},
    )
