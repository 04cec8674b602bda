"""Forms of the question bank pages. The content rules live in bank.rules, shared with
the import; these forms only carry the fields and show the rules' messages."""

from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ...core.forms import Form, QueryForm, SearchField, xlsx_file_field
from ...extensions import db
from ...laws.models import Law
from ...org.models import OrgUnit
from ..grading import LETTERS
from ..models import (
    DIFFICULTY_LABELS,
    QUESTION_TYPE_LABELS,
    Question,
    QuestionCategory,
    QuestionType,
)
from . import links, rules
from .rules import OPTION_MAX, QuestionData

TYPE_CHOICES = [SelectChoice(t.value, label) for t, label in QUESTION_TYPE_LABELS.items()]
STATUS_CHOICES = [
    SelectChoice("active", "在用"),
    SelectChoice("retired", "已停用"),
    SelectChoice("superseded", "旧版本"),
    SelectChoice("all", "全部"),
]
OPTION_FIELDS = tuple(rules.option_field(i) for i in range(len(LETTERS)))


def unit_choices(units: list[OrgUnit]) -> list[SelectChoice]:
    return [SelectChoice(unit.id, unit.name) for unit in units]


def only_unit(field) -> None:
    """With one bank to choose from the page shows no choice: take that one."""
    if len(field.choices) == 1 and not field.raw_data:
        field.data = field.choices[0].value


def law_choices(current: list[Law], question: Question | None = None) -> list[SelectChoice]:
    """Current laws to pick from; the version a question points at stays pickable."""
    choices = [SelectChoice(0, "（不关联）")]
    if question is not None and question.law is not None and not question.law.is_current:
        law = question.law
        choices.append(
            SelectChoice(law.id, f"{law.title}（第{law.version}版，{law.status.label}）")
        )
    choices += [SelectChoice(law.id, law.title) for law in current]
    return choices


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
    law_id = SelectField("关联法规库", coerce=int, default=0, validate_choice=False)
    law_ref = StringField(
        "法规",
        description="已关联法规库的，自动填写为该法规名称；未收录的法规可直接填写名称",
        render_kw={"placeholder": "如：中华人民共和国宪法"},
    )
    article_ref = StringField(
        "条款",
        description="如“第十条”“第十条之一”；法规库收录了该法规全文的，须是其中的条；"
        "条文不全的，无法核对的条款按文字保存",
        render_kw={"placeholder": "如：第二条"},
    )
    tags = StringField("标签", description="多个标签用空格分隔")

    def fill_from(self, question: Question) -> None:
        self.owner_unit_id.data = question.owner_unit_id
        self.category_id.data = question.category_id or 0
        self.type.data = question.type.value
        options = [] if question.type.value == "judge" else question.options
        for name, text in zip(OPTION_FIELDS, [*options, *[""] * len(LETTERS)], strict=False):
            self[name].data = text
        self.answer.data = rules.format_answer(question.type, question.answer)
        self.score.data = format(question.score.normalize(), "f")
        for name in ("stem", "explanation", "difficulty", "law_ref", "article_ref", "tags"):
            self[name].data = getattr(question, name)
        self.law_id.data = question.law_id or 0

    def question_data(self) -> QuestionData | None:
        """The checked content; None (with messages on the fields) when invalid."""
        qtype = QuestionType(self.type.data)
        data = rules.build(
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
        links.link(data, self._law())
        self.show_errors(data.errors)
        return None if data.errors or self.score.errors or self.law_id.errors else data

    def _law(self) -> Law | None:
        """The picked law; one outside the choices (a forged id) is an error."""
        if not self.law_id.data:
            return None
        if self.law_id.data not in {choice.value for choice in self.law_id.choices}:
            self.law_id.errors.append("请选择法规库中现行有效的法规")
            return None
        return db.session.get(Law, self.law_id.data)

    def _score(self):
        try:
            return rules.parse_score(self.score.data or "")
        except rules.Invalid as exc:
            self.score.errors.append(str(exc))
            return rules.DEFAULT_SCORE

    def show_errors(self, errors: list[tuple[str, str]]) -> None:
        targets = {"options": "option_a", "category": "category_id"}
        for name, message in errors:
            field = self[targets.get(name, name)]
            if message not in field.errors:
                field.errors.append(message)


class BankFilterForm(QueryForm):
    category = SelectField("分类", coerce=int, validate_choice=False)
    type = SelectField("题型", choices=[SelectChoice("", "全部题型"), *TYPE_CHOICES])
    law = SearchField("法规", render_kw={"placeholder": "法规名称"})
    q = SearchField("题干", render_kw={"placeholder": "题干中的文字", "type": "search"})
    status = SelectField("状态", choices=STATUS_CHOICES, default="active")
    review = SelectField("复核", choices=[SelectChoice("", "全部"), SelectChoice("1", "待复核")])
    bank = SelectField(
        "题库", choices=[SelectChoice("", "本单位题库"), SelectChoice("upper", "上级题库（只读）")]
    )


class CategoryForm(Form):
    owner_unit_id = SelectField("所属题库", coerce=int)
    name = StringField("分类名称", validators=[DataRequired("请输入分类名称"), Length(max=100)])


class RenameCategoryForm(Form):
    name = StringField("新名称", validators=[DataRequired("请输入分类名称"), Length(max=100)])


class UploadForm(Form):
    owner_unit_id = SelectField("导入到题库", coerce=int)
    file = xlsx_file_field("填好的试题表（.xlsx）")
