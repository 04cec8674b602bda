"""Bulk import of people from XLSX: upload, preview, confirm, and the template."""

import io

from flask import (
    Blueprint,
    current_app,
    render_template,
    request,
    send_file,
)
from flask_wtf.file import FileAllowed, FileField, FileRequired

from ..core.forms import Form
from ..core.import_views import confirm_page, read_upload
from ..core.permissions import Perm, require
from ..extensions import db
from . import importing, services
from .actors import current_actor
from .import_file import megabytes
from .import_template import build_template

bp = Blueprint("people_import", __name__)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(Form):
    file = FileField(
        "填好的人员表（.xlsx）",
        validators=[
            FileRequired("请选择要上传的文件"),
            FileAllowed(
                ["xlsx"], "只能上传 .xlsx 文件；旧版 .xls 请先用 Excel 或 WPS 另存为 .xlsx"
            ),
        ],
        render_kw={"accept": f".xlsx,{XLSX_MIMETYPE}"},
    )


def _limits() -> importing.Limits:
    return importing.Limits.from_config(current_app.config)


def _upload_page(form: UploadForm, problem: str = ""):
    limits = _limits()
    return render_template(
        "org/import_upload.html",
        form=form,
        problem=problem,
        max_rows=limits.max_rows,
        max_size=megabytes(limits.max_bytes),
    )


@bp.get("/")
@require(Perm.MANAGE_PEOPLE)
def upload():
    return _upload_page(UploadForm())


@bp.post("/")
@require(Perm.MANAGE_PEOPLE)
def preview():
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(form)
    content, filename = read_upload(form.file.data, _limits())
    try:
        pending, plan = importing.stage_upload(
            content, filename, actor=current_actor(), limits=_limits()
        )
    except importing.ImportRejected as exc:
        return _upload_page(form, problem=str(exc))
    db.session.commit()
    return render_template("org/import_preview.html", plan=plan, pending=pending)


@bp.post("/<token>/confirm")
@require(Perm.MANAGE_PEOPLE)
def confirm(token):
    return confirm_page(
        lambda: importing.confirm_import(
            token, request.form.get("plan", ""), actor=current_actor(), limits=_limits()
        ),
        preview_template="org/import_preview.html",
        done_template="org/import_done.html",
        refused=(services.OrgError,),
    )


@bp.get("/template.xlsx")
@require(Perm.MANAGE_PEOPLE)
def template():
    content = build_template(importing.template_units(current_actor()), _limits())
    return send_file(
        io.BytesIO(content),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name="人员导入模板.xlsx",
    )
