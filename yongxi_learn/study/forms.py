"""Forms of the study pages. Times are entered in Beijing time and stored in UTC."""

from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..core.forms import Form, QueryForm, credit_field
from ..core.time import LOCAL_FORMAT, local_to_utc, utc_to_form
from ..org.forms import CATEGORY_CHOICES
from .plan_models import ITEM_KIND_LABELS
from .reading_models import ReadingKind

__all__ = ["local_to_utc", "utc_to_form"]


class AudienceMixin:
    audience_units = SelectMultipleField("对象：单位（含下级）", coerce=int)
    audience_categories = SelectMultipleField("对象：人员类别", choices=CATEGORY_CHOICES)
    audience_phones = TextAreaField(
        "对象：指定人员手机号", description="每行一个或用逗号分隔；与所选单位合并"
    )


class ListForm(AudienceMixin, Form):
    owner_unit_id = SelectField("组织单位", coerce=int)
    name = StringField(
        "清单名称",
        validators=[DataRequired("请输入清单名称"), Length(max=200)],
        render_kw={"placeholder": "如：2024年领导干部应知应会党内法规和国家法律清单"},
    )
    year = IntegerField("年度", validators=[InputRequired("请输入年度"), NumberRange(2000, 2100)])
    choose_until = DateTimeLocalField(
        "选学截止时间（北京时间）", format=LOCAL_FORMAT, validators=[Optional()]
    )
    key_count = IntegerField("重点法规选学部数", default=2, validators=[NumberRange(0, 20)])
    field_count = IntegerField("专业法规选学部数", default=1, validators=[NumberRange(0, 20)])


class ItemForm(Form):
    kind = SelectField(
        "类别", choices=[SelectChoice(k.value, v) for k, v in ITEM_KIND_LABELS.items()]
    )
    law_id = SelectField("法规（现行有效）", coerce=int)
    article_from = IntegerField("起始条（可不填）", validators=[Optional(), NumberRange(1, 9999)])
    article_to = IntegerField("结束条（可不填）", validators=[Optional(), NumberRange(1, 9999)])
    note = StringField("说明", validators=[Optional(), Length(max=300)])
    field_name = StringField("专业领域名称", validators=[Optional(), Length(max=50)])
    field_unit_ids = SelectMultipleField(
        "专业法规所属单位", coerce=int, description="仅专业法规需要：这些单位（含下级）的人员可选"
    )
    credit_hours = credit_field(description="学完此条目（在本人学习计划内）计入的学时")


class ChoiceChangeForm(Form):
    reason = StringField("调整原因", validators=[DataRequired("请填写原因"), Length(max=200)])


class NoteForm(Form):
    note = TextAreaField("学习心得（选填）", validators=[Optional(), Length(max=2000)])


class ReadingForm(AudienceMixin, Form):
    owner_unit_id = SelectField("组织单位", coerce=int)
    title = StringField("标题", validators=[DataRequired("请输入标题"), Length(max=200)])
    kind = SelectField("内容", choices=[SelectChoice(k.value, k.label) for k in ReadingKind])
    law_id = SelectField("法规（现行有效）", coerce=int, validate_choice=False)
    article_from = IntegerField("起始条", validators=[Optional(), NumberRange(1, 9999)])
    article_to = IntegerField("结束条", validators=[Optional(), NumberRange(1, 9999)])
    body = TextAreaField(
        "文章正文",
        description="可直接粘贴文字（按段落分行），或使用简单HTML（段落、加粗、列表、链接）；"
        "脚本等不安全内容保存时会被清除",
        render_kw={"rows": 12},
    )
    due_on = DateField("完成期限", validators=[Optional()])
    min_minutes = IntegerField(
        "最短阅读时间（分钟）", default=3, validators=[InputRequired(), NumberRange(1, 60)]
    )
    credit_hours = credit_field(description="确认已学习后计入的学时")


class UnitFilterForm(QueryForm):
    unit = SelectField("单位", coerce=int, validate_choice=False, default=0)
    show = SelectField(
        "显示",
        choices=[SelectChoice("behind", "未完成"), SelectChoice("all", "全部")],
        default="behind",
    )


class ListFilterForm(UnitFilterForm):
    show = SelectField(
        "显示",
        choices=[
            SelectChoice("behind", "未完成"),
            SelectChoice("unchosen", "未按规则选学"),
            SelectChoice("all", "全部"),
        ],
        default="behind",
    )


class YearForm(QueryForm):
    year = IntegerField("年度", validators=[Optional(), NumberRange(2000, 2100)])
