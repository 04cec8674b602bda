"""Forms of the exam admin pages. Times are entered in Beijing time and stored in UTC."""

from decimal import Decimal

import wtforms
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    FieldList,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ...core.forms import ChosenReasonForm, Form, QueryForm, SearchField, credit_field
from ...core.time import LOCAL_FORMAT, local_today, utc_to_form
from ...org.forms import CATEGORY_CHOICES
from ..models import DIFFICULTY_LABELS, QUESTION_TYPE_LABELS, ExamKind, ExamStatus, ReviewPolicy

RULE_ROWS = 6
KIND_CHOICES = [
    SelectChoice(ExamKind.FORMAL.value, "正式考试"),
    SelectChoice(ExamKind.PRACTICE.value, "练习"),
]
REVIEW_CHOICES = [SelectChoice(p.value, p.label) for p in ReviewPolicy]
EXEMPT_REASONS = [
    SelectChoice("病假", "病假"),
    SelectChoice("调离", "调离"),
    SelectChoice("其他", "其他（请在下面说明）"),
]


class RuleForm(wtforms.Form):
    """One row of the draw-rule table; a row without a type is ignored. A plain
    wtforms.Form: the CSRF token belongs to the enclosing form."""

    type = SelectField(
        "题型",
        choices=[
            SelectChoice("", "（不用）"),
            *(SelectChoice(t.value, lb) for t, lb in QUESTION_TYPE_LABELS.items()),
        ],
        default="",
    )
    count = IntegerField("题数", validators=[Optional(), NumberRange(1, 200)])
    score = DecimalField("每题分值", places=2, validators=[Optional(), NumberRange(0, 100)])
    category_id = SelectField("分类", coerce=int, validate_choice=False, default=0)
    law_ref = StringField("法规", validators=[Optional(), Length(max=200)])
    difficulty = SelectField(
        "难度",
        choices=[
            SelectChoice("", "不限"),
            *(SelectChoice(str(k), v) for k, v in DIFFICULTY_LABELS.items()),
        ],
        default="",
    )


def _this_year() -> int:
    return local_today().year


class ExamForm(Form):
    """A new exam's settings and paper. An existing draft's form has no owner_unit_id
    (the owner is fixed once created: the audience and the bank are checked against
    it), so the edit page neither shows nor expects it."""

    owner_unit_id = SelectField("组织单位", coerce=int)
    title = StringField("考试名称", validators=[DataRequired("请输入考试名称"), Length(max=200)])
    kind = SelectField("类型", choices=KIND_CHOICES)
    year = IntegerField(
        "年度",
        default=_this_year,
        validators=[InputRequired("请输入年度"), NumberRange(2000, 2100)],
    )
    opens_at = DateTimeLocalField(
        "开始时间（北京时间）", format=LOCAL_FORMAT, validators=[Optional()]
    )
    closes_at = DateTimeLocalField(
        "截止时间（北京时间）", format=LOCAL_FORMAT, validators=[Optional()]
    )
    time_limit_minutes = IntegerField(
        "考试时长（分钟）", validators=[Optional(), NumberRange(1, 600)], description="练习可留空"
    )
    pass_score = DecimalField("及格分", places=2, default=Decimal(60), validators=[InputRequired()])
    max_attempts = IntegerField("允许作答次数", default=1, validators=[NumberRange(1, 10)])
    credit_hours = credit_field(
        "通过计入的学时", default=0, description="正式考试（含补考）通过后计入年度学时；练习不计"
    )
    shuffle_questions = BooleanField("打乱题目顺序", default=True)
    shuffle_options = BooleanField("打乱选项顺序", default=True)
    review_policy = SelectField("答案和解析显示", choices=REVIEW_CHOICES, default="after_close")
    audience_units = SelectMultipleField("考试对象：单位（含下级）", coerce=int)
    audience_categories = SelectMultipleField("考试对象：人员类别", choices=CATEGORY_CHOICES)
    audience_phones = TextAreaField(
        "考试对象：指定人员手机号", description="每行一个或用逗号分隔；与所选单位合并"
    )
    paper_mode = SelectField(
        "组卷方式",
        choices=[SelectChoice("rules", "按规则随机抽题"), SelectChoice("fixed", "固定试题")],
        default="rules",
    )
    rules = FieldList(FormField(RuleForm), "抽题规则", min_entries=RULE_ROWS, max_entries=RULE_ROWS)
    fixed = TextAreaField(
        "固定试题",
        description="每行一道：题目编号，可加空格和分值，如“128 2”；不写分值用题目自带分值",
    )


class CloseForm(Form):
    """A published exam's new closing time; ``now`` (the 立即截止 button) closes it at
    the moment the request arrives, which a minute-precision field cannot say."""

    closes_at = DateTimeLocalField(
        "截止时间（北京时间）", format=LOCAL_FORMAT, validators=[Optional()]
    )
    now = BooleanField("立即截止")


class MakeupForm(ChosenReasonForm):
    """A 补考's window and who sits it: every candidate shown (``shown``) is in unless
    unticked (``include``); those left out need a reason, recorded on their row."""

    opens_at = DateTimeLocalField(
        "补考开始时间（北京时间）", format=LOCAL_FORMAT, validators=[InputRequired("请输入时间")]
    )
    closes_at = DateTimeLocalField(
        "补考截止时间（北京时间）", format=LOCAL_FORMAT, validators=[InputRequired("请输入时间")]
    )
    shown = SelectMultipleField(coerce=int, validate_choice=False)
    include = SelectMultipleField(coerce=int, validate_choice=False)
    # No reason is preselected: one must never be recorded that the admin did not pick.
    kind = SelectField(
        "不参加补考的原因",
        choices=[SelectChoice("", "（有人不参加时选择）"), *EXEMPT_REASONS],
        default="",
    )

    def left_out(self) -> set[int]:
        return set(self.shown.data or []) - set(self.include.data or [])

    def reason(self) -> str:
        return super().reason() if self.kind.data else (self.detail.data or "").strip()


class AddPersonForm(Form):
    phone = StringField(
        "手机号",
        validators=[DataRequired("请输入手机号"), Length(max=30)],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )


class ExemptForm(ChosenReasonForm):
    kind = SelectField("免考原因", choices=EXEMPT_REASONS)


class AddCandidateForm(Form):
    """Put a 补考 candidate who is not in the 补考 into it (by their person id)."""

    user_id = IntegerField(validators=[InputRequired()])


class FixAnswerForm(Form):
    answer = StringField("正确答案", validators=[DataRequired("请输入答案"), Length(max=12)])


class ExamFilterForm(QueryForm):
    year = IntegerField("年度", validators=[Optional()])
    kind = SelectField(
        "类型",
        choices=[SelectChoice("", "全部类型"), *(SelectChoice(k.value, k.label) for k in ExamKind)],
    )
    status = SelectField(
        "状态",
        choices=[
            SelectChoice("", "全部状态"),
            SelectChoice("draft", "草稿"),
            SelectChoice("published", "已发布"),
            SelectChoice("cancelled", "已取消"),
        ],
    )


STATUS_LABELS = {
    ExamStatus.DRAFT: "草稿",
    ExamStatus.PUBLISHED: "已发布",
    ExamStatus.CANCELLED: "已取消",
}


class SearchForm(QueryForm):
    q = SearchField("搜索", render_kw={"placeholder": "姓名、手机号或单位", "type": "search"})


class MonitorFilterForm(QueryForm):
    status = SelectField("状态", validate_choice=False)
    unit = SelectField("单位", coerce=int, validate_choice=False, default=0)


# ---------------------------------------------------------------- form → service inputs


class BadInput(ValueError):
    """A form value the services cannot take; the message is shown."""


def fill_exam_form(form: ExamForm, exam) -> None:
    """Put a stored exam into the form (for GET)."""
    form.title.data, form.kind.data, form.year.data = exam.title, exam.kind.value, exam.year
    form.opens_at.data, form.closes_at.data = (
        utc_to_form(exam.opens_at),
        utc_to_form(exam.closes_at),
    )
    form.time_limit_minutes.data, form.pass_score.data = exam.time_limit_minutes, exam.pass_score
    form.max_attempts.data = exam.max_attempts
    form.credit_hours.data = exam.credit_hours
    form.shuffle_questions.data, form.shuffle_options.data = (
        exam.shuffle_questions,
        exam.shuffle_options,
    )
    form.review_policy.data = exam.review_policy.value
    audience = exam.audience or {}
    form.audience_units.data = audience.get("units", [])
    form.audience_categories.data = audience.get("categories", [])
    form.paper_mode.data = "fixed" if exam.fixed_questions else "rules"
    for row, rule in zip(form.rules, exam.rules, strict=False):
        row.form.type.data, row.form.count.data, row.form.score.data = (
            rule.type.value,
            rule.count,
            rule.score,
        )
        row.form.category_id.data, row.form.law_ref.data = rule.category_id or 0, rule.law_ref
        row.form.difficulty.data = str(rule.difficulty or "")
    form.fixed.data = "\n".join(
        f"{q.question_id} {q.score.normalize():f}" for q in exam.fixed_questions
    )


def rule_specs(form: ExamForm) -> list:
    from ..models import QuestionType
    from .services import RuleSpec

    specs = []
    for i, row in enumerate(form.rules, start=1):
        if not row.form.type.data:
            continue
        if not row.form.count.data or row.form.score.data is None:
            raise BadInput(f"第{i}条抽题规则：请填写题数和每题分值")
        specs.append(
            RuleSpec(
                type=QuestionType(row.form.type.data),
                count=row.form.count.data,
                score=row.form.score.data,
                category_id=row.form.category_id.data or None,
                law_ref=(row.form.law_ref.data or "").strip(),
                difficulty=int(row.form.difficulty.data) if row.form.difficulty.data else None,
            )
        )
    return specs


def fixed_items(text: str) -> list[tuple[int, Decimal | None]]:
    items = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        parts = line.replace("，", " ").replace(",", " ").split()
        if not parts:
            continue
        try:
            qid = int(parts[0])
            score = Decimal(parts[1]) if len(parts) > 1 else None
        except (ValueError, ArithmeticError) as exc:
            raise BadInput(f"固定试题第{n}行格式不正确：应为“题目编号 分值”") from exc
        items.append((qid, score))
    return items


class PaperEntryForm(Form):
    """A returned paper's answers, typed against the code printed on it."""

    code = StringField(
        "试卷编号",
        validators=[DataRequired("请输入试卷编号"), Length(max=20)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    answers = StringField(
        "答案",
        validators=[DataRequired("请输入答案"), Length(max=1000)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


class PaperCorrectionForm(PaperEntryForm):
    """A typed-in paper's answers typed again, with why (a typing error). Its fields
    are labelled apart from the entry form's above it on the same page."""

    code = StringField(
        "要更正的试卷编号",
        validators=[DataRequired("请输入试卷编号"), Length(max=20)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    answers = StringField(
        "更正后的答案",
        validators=[DataRequired("请输入答案"), Length(max=1000)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    reason = StringField(
        "更正原因",
        validators=[DataRequired("请填写更正原因"), Length(max=200)],
        render_kw={"autocomplete": "off"},
    )
