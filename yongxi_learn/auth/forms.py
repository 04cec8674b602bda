from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ..core.forms import Form


class LoginForm(Form):
    phone = StringField(
        "手机号",
        validators=[DataRequired("请输入手机号"), Length(max=30)],
        render_kw={"autocomplete": "username", "inputmode": "tel"},
    )
    password = PasswordField(
        "密码",
        validators=[DataRequired("请输入密码"), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class ChangePasswordForm(Form):
    current = PasswordField(
        "当前密码（初始密码）",
        validators=[DataRequired("请输入当前密码"), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        "新密码",
        validators=[DataRequired("请输入新密码"), Length(max=128)],
        description="至少8位，须同时包含字母和数字，不能包含手机号",
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "再次输入新密码",
        validators=[DataRequired("请再次输入新密码"), EqualTo("new", "两次输入的新密码不一致")],
        render_kw={"autocomplete": "new-password"},
    )
