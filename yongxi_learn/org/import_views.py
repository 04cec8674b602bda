"""Bulk import of people from XLSX: upload, preview, confirm, and the template."""

import io

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy.exc import IntegrityError

from ..core.forms import Form
from ..core.net import client_address
from ..core.permissions import Perm, require
from ..extensions import db
from . import importing, services
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


def _actor() -> services.Actor:
    return services.Actor(user=current_user, address=client_address())


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
    storage = form.file.data
    # Read one byte past the limit: enough to tell that the file is too large.
    content = storage.read(_limits().max_bytes + 1)
    filename = (storage.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    try:
        pending, plan = importing.stage_upload(content, filename, actor=_actor(), limits=_limits())
    except importing.ImportRejected as exc:
        return _upload_page(form, problem=str(exc))
    db.session.commit()
    return render_template("org/import_preview.html", plan=plan, pending=pending)


@bp.post("/<token>/confirm")
@require(Perm.MANAGE_PEOPLE)
def confirm(token):
    try:
        result = importing.confirm_import(
            token, request.form.get("plan", ""), actor=_actor(), limits=_limits()
        )
    except importing.ImportExpired:
        db.session.rollback()
        flash("上传的文件已过期，请重新上传", "warning")
        return redirect(url_for(".upload"))
    except importing.ImportChanged as exc:
        db.session.rollback()
        return render_template(
            "org/import_preview.html", plan=exc.plan, pending=exc.pending, changed=True
        )
    except importing.ImportInvalid as exc:
        db.session.rollback()
        return render_template(
            "org/import_preview.html", plan=exc.plan, pending=None, rechecked=True
        )
    except (importing.ImportRejected, services.OrgError, IntegrityError) as exc:
        # Rare: the limits or the data changed between preview and confirm.
        db.session.rollback()
        flash(_not_imported(exc), "danger")
        return redirect(url_for(".upload"))
    db.session.commit()
    return render_template("org/import_done.html", result=result)


def _not_imported(exc: Exception) -> str:
    reason = "" if isinstance(exc, IntegrityError) else f"（{exc}）"
    return f"导入未完成，没有写入任何数据{reason}，请重新上传"


@bp.get("/template.xlsx")
@require(Perm.MANAGE_PEOPLE)
def template():
    content = build_template(importing.template_units(_actor()), _limits())
    return send_file(
        io.BytesIO(content),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name="人员导入模板.xlsx",
    )
