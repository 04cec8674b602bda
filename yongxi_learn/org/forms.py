from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..core.forms import Form, QueryForm, SearchField
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
