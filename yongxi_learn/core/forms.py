"""The base forms: CSRF from Flask-WTF, WTForms' built-in Chinese messages; a reason
picked from a list; search forms sent by POST; and running a service call from a view."""

from flask import flash, request
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DecimalField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from ..extensions import db
from .spreadsheets import XLSX_MIMETYPE


class Form(FlaskForm):
    class Meta:
        locales = ("zh",)


def xlsx_file_field(label: str, *, required: bool = True) -> FileField:
    """The file field of an import's upload form: one .xlsx, and a word for an old .xls."""
    return FileField(
        label,
        validators=[
            FileRequired("请选择要上传的文件") if required else Optional(),
            FileAllowed(
                ["xlsx"], "只能上传 .xlsx 文件；旧版 .xls 请先用 Excel 或 WPS 另存为 .xlsx"
            ),
        ],
        render_kw={"accept": f".xlsx,{XLSX_MIMETYPE}"},
    )


def credit_field(label: str = "学时", *, default=1, description: str = "") -> DecimalField:
    """A declared 学时 (core.credit): 0 to 99.9, one decimal; left empty, 0."""
    return DecimalField(
        label,
        places=1,
        default=default,
        description=description,
        validators=[Optional(), NumberRange(0, 99.9, "学时应在0到99.9之间")],
        render_kw={"inputmode": "decimal"},
    )


class QueryForm(Form):
    """A GET filter form: no CSRF token, values from the query string."""

    class Meta:
        csrf = False
        locales = ("zh",)


def search_data():
    """A search form's values: from the POSTed form (what was typed, a phone number
    included, stays out of the URL), else from the query string (links by unit or
    category). The form's paging buttons send ``page``."""
    return request.form if request.method == "POST" else request.args


def search_page() -> int:
    return max(search_data().get("page", 1, type=int) or 1, 1)


SEARCH_MAX = 100  # characters: a name, a phone number, a few words of a law


class SearchField(StringField):
    """Search text, cut to SEARCH_MAX characters: a 50 KB pattern made SQLite refuse
    the LIKE ("pattern too complex", which read as the database being down) and
    costs PostgreSQL a scan per character."""

    def __init__(self, label=None, validators=None, render_kw=None, **kwargs):
        render_kw = {"maxlength": SEARCH_MAX, "type": "search", **(render_kw or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data:
            self.data = self.data[:SEARCH_MAX]


class ChosenReasonForm(Form):
    """A reason picked from a list, with an optional note; "其他" means the note is it.
    Subclasses replace ``kind`` with their own label and choices."""

    kind = SelectField("原因", choices=[])
    detail = StringField("说明", validators=[Optional(), Length(max=150)])

    def reason(self) -> str:
        detail = (self.detail.data or "").strip()
        if self.kind.data == "其他":
            return detail
        return f"{self.kind.data}：{detail}" if detail else self.kind.data


def run_service(change, success: str, errors: tuple[type[Exception], ...]) -> bool:
    """Run a service call; commit and flash ``success``, or roll back and flash why."""
    try:
        change()
    except errors as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return False
    db.session.commit()
    flash(success, "success")
    return True


def flash_errors(form) -> None:
    """Each field's errors as a flash message, prefixed with the field's label; a row
    of a table of subforms (a FieldList of FormFields) is named by its number."""
    for name, errors in form.errors.items():
        field = getattr(form, name, None)
        label = field.label.text if field is not None else ""
        for i, error in enumerate(errors, start=1):
            if isinstance(error, dict):
                for messages in error.values():
                    flash(f"第{i}条{label}：{'；'.join(messages)}", "danger")
            else:
                flash(f"{label}：{error}" if label else error, "danger")
