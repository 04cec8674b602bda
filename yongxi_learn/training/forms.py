"""Forms of the training pages. Times are entered in Beijing time and stored in UTC."""

from decimal import Decimal

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..core.forms import ChosenReasonForm, Form, QueryForm
from ..core.time import LOCAL_FORMAT, local_to_utc, utc_to_form
from ..org.forms import CATEGORY_CHOICES
from .attendance import MARK_REASONS
from .services import SessionData


class SessionForm(Form):
    owner_unit_id = SelectField("组织单位", coerce=int)
    kind_id = SelectField("学习类型", coerce=int)
    topic = StringField("学习主题", validators=[DataRequired("请输入学习主题"), Length(max=200)])
    starts_at = DateTimeLocalField(
        "开始时间（北京时间）", format=LOCAL_FORMAT, validators=[InputRequired("请输入开始时间")]
    )
    ends_at = DateTimeLocalField(
        "结束时间（北京时间）", format=LOCAL_FORMAT, validators=[InputRequired("请输入结束时间")]
    )
    place = StringField("地点", validators=[Optional(), Length(max=100)])
    lecturer = StringField("授课人", validators=[Optional(), Length(max=100)])
    lecturer_external = BooleanField("外请专家授课")
    law_ids = SelectMultipleField(
        "学习的法律法规（法规库）", coerce=int, description="按住 Ctrl 可多选"
    )
    laws = StringField(
        "其他学习内容",
        validators=[Optional(), Length(max=500)],
        description="法规库以外的内容，如：习近平法治思想、典型案例",
    )
    hours = DecimalField(
        "计入学时", places=1, default=Decimal(2), validators=[InputRequired("请输入学时")]
    )
    audience_units = SelectMultipleField("应参加：单位（含下级）", coerce=int)
    audience_categories = SelectMultipleField("应参加：人员类别", choices=CATEGORY_CHOICES)
    audience_phones = TextAreaField(
        "应参加：指定人员手机号", description="每行一个或用逗号分隔；与所选单位合并"
    )
    notes = TextAreaField("备注", validators=[Optional(), Length(max=2000)])

    def fill(self, session) -> None:
        self.owner_unit_id.data, self.kind_id.data = session.owner_unit_id, session.kind_id
        self.topic.data, self.place.data = session.topic, session.place
        self.starts_at.data = utc_to_form(session.starts_at)
        self.ends_at.data = utc_to_form(session.ends_at)
        self.lecturer.data, self.lecturer_external.data = (
            session.lecturer,
            session.lecturer_external,
        )
        self.laws.data, self.hours.data = session.laws, session.hours
        self.law_ids.data = [link.law_id for link in session.law_links]
        self.notes.data = session.notes
        audience = session.audience or {}
        self.audience_units.data = audience.get("units", [])
        self.audience_categories.data = audience.get("categories", [])

    def data_for(self, people: list[int]) -> SessionData:
        return SessionData(
            kind_id=self.kind_id.data,
            topic=self.topic.data or "",
            starts_at=local_to_utc(self.starts_at.data),
            ends_at=local_to_utc(self.ends_at.data),
            place=self.place.data or "",
            lecturer=self.lecturer.data or "",
            lecturer_external=bool(self.lecturer_external.data),
            laws=self.laws.data or "",
            hours=self.hours.data,
            audience={
                "units": list(self.audience_units.data or []),
                "categories": list(self.audience_categories.data or []),
                "people": people,
            },
            notes=self.notes.data or "",
            law_ids=list(self.law_ids.data or []),
        )


class CancelForm(Form):
    reason = StringField("取消原因", validators=[DataRequired("请填写取消原因"), Length(max=200)])


class MarkForm(ChosenReasonForm):
    phone = StringField(
        "手机号",
        validators=[DataRequired("请输入手机号"), Length(max=30)],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    kind = SelectField(
        "补录原因",
        choices=[*(SelectChoice(r, r) for r in MARK_REASONS), SelectChoice("其他", "其他")],
    )


class UnmarkForm(Form):
    reason = StringField(
        "撤销原因", default="误签", validators=[DataRequired("请填写撤销原因"), Length(max=200)]
    )


class KindForm(Form):
    owner_unit_id = SelectField("添加单位（本单位及下级使用）", coerce=int, choices=[])
    name = StringField("类型名称", validators=[DataRequired("请输入类型名称"), Length(max=50)])


class CodeForm(Form):
    code = StringField(
        "签到码",
        validators=[DataRequired("请输入6位签到码"), Length(max=12)],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]*"},
    )


class FilterForm(QueryForm):
    year = IntegerField("年度", validators=[Optional(), NumberRange(2000, 2100)])
    kind = SelectField("类型", coerce=int, validate_choice=False, default=0)
    unit = SelectField("组织单位", coerce=int, validate_choice=False, default=0)
