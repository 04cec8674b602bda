from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..core.forms import Form, QueryForm, SearchField, xlsx_file_field
from .models import CATEGORY_LABELS, ROLE_LABELS, UNIT_KIND_LABELS, OrgUnit


def unit_choices(units: list[OrgUnit]) -> list[SelectChoice]:
    """Indented unit names for a <select>, in tree order."""
    if not units:
        return []
    top = min(u.depth for u in units)
    return [SelectChoice(u.id, "\u3000" * (u.depth - top) + u.name) for u in units]


def label_choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(key.value, label) for key, label in labels.items()]


CATEGORY_CHOICES = label_choices(CATEGORY_LABELS)


class UnitForm(Form):
    name = StringField("单位名称", validators=[DataRequired("请输入单位名称"), Length(max=100)])
    kind = SelectField("类型", choices=label_choices(UNIT_KIND_LABELS), default="office")
    parent_id = SelectField("上级单位", coerce=int)


class RenameUnitForm(Form):
    name = StringField("新名称", validators=[DataRequired("请输入单位名称"), Length(max=100)])


class MoveUnitForm(Form):
    parent_id = SelectField("移到", coerce=int)


class PersonForm(Form):
    name = StringField("姓名", validators=[DataRequired("请输入姓名"), Length(max=50)])
    phone = StringField(
        "手机号",
        validators=[DataRequired("请输入手机号"), Length(max=30)],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    unit_id = SelectField("单位", coerce=int)
    category = SelectField("人员类别", choices=CATEGORY_CHOICES)
    post = StringField("职务", validators=[Optional(), Length(max=50)])


class PeopleFilterForm(QueryForm):
    q = SearchField("搜索", render_kw={"placeholder": "姓名、手机号或单位", "type": "search"})
    unit = SelectField("单位", coerce=int, validate_choice=False)
    category = SelectField("类别", choices=[SelectChoice("", "全部类别"), *CATEGORY_CHOICES])
    inactive = BooleanField("含已停用人员")


class GrantForm(Form):
    role = SelectField("角色", choices=label_choices(ROLE_LABELS))
    unit_id = SelectField("管理范围", coerce=int)


class TownForm(Form):
    """Opening a town: its name and first admin; its offices and villages from a file."""

    name = StringField("镇（街道）名称", validators=[DataRequired("请输入名称"), Length(max=100)])
    admin_name = StringField(
        "首任管理员姓名", validators=[DataRequired("请输入管理员姓名"), Length(max=50)]
    )
    admin_phone = StringField(
        "管理员手机号",
        validators=[DataRequired("请输入管理员手机号"), Length(max=30)],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    admin_post = StringField("管理员职务", validators=[Optional(), Length(max=50)])
    file = xlsx_file_field("科室、站所和村（社区）名单（.xlsx，可不传）", required=False)


class HandOverForm(Form):
    phone = StringField(
        "新管理员手机号",
        validators=[DataRequired("请输入手机号"), Length(max=30)],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    name = StringField(
        "姓名", validators=[Optional(), Length(max=50)], description="手机号尚未登记时填写"
    )
    post = StringField("职务", validators=[Optional(), Length(max=50)])


class RetireForm(Form):
    confirm_name = StringField(
        "输入镇（街道）名称以确认", validators=[DataRequired("请输入名称"), Length(max=100)]
    )


class SettingForm(Form):
    key = StringField(validators=[DataRequired()])
    value = StringField(validators=[Optional(), Length(max=20)])
