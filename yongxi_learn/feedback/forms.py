from wtforms import BooleanField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired

from ..core.forms import Form
from .models import FeedbackKind
from .services import MAX_TEXT

# Empty and too long texts are refused by the service (its message says how many
# characters); maxlength only spares a phone user typing past it.
_TEXT = {"maxlength": MAX_TEXT, "rows": 5}


class FeedbackForm(Form):
    kind = RadioField(
        "类型",
        choices=[SelectChoice(k.value, k.label) for k in FeedbackKind],
        default=FeedbackKind.SUGGESTION.value,
        validators=[InputRequired("请选择类型")],
    )
    text = TextAreaField("内容", render_kw=_TEXT, description=f"不超过{MAX_TEXT}字")
    anonymous = BooleanField(
        "对本镇匿名",
        description="勾选后，本镇管理员看不到您的姓名；区级管理员仍可看到，以便核实和答复。",
    )


class AnswerForm(Form):
    text = TextAreaField("答复", render_kw=_TEXT)
