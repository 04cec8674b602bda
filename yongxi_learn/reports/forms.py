from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..core.forms import Form


class DraftForm(Form):
    unit_id = SelectField("单位", coerce=int)
    year = IntegerField("年度", validators=[InputRequired("请输入年度"), NumberRange(2000, 2100)])


class EditForm(Form):
    title = StringField("标题", validators=[DataRequired("请输入标题"), Length(max=200)])
    text = TextAreaField(
        "正文", validators=[DataRequired("正文不能为空")], description="每段一行；段落之间不必空行"
    )


class TemplateForm(Form):
    text = TextAreaField("报告模板", validators=[DataRequired("模板不能为空")])
