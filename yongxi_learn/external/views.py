"""Importing an external exam's result sheet: the page (with the sheets imported so
far), preview, confirm, and the template."""

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from ..core.forms import Form, xlsx_file_field
from ..core.import_views import confirm_page, preview_page
from ..core.spreadsheets import XLSX_MIMETYPE, Limits, megabytes
from ..extensions import db
from ..org import audit
from ..org.actors import current_actor
from ..org.permissions import Perm, require
from ..org.year_close import YearClosed
from . import importing
from .models import ExternalExam
from .sheet import build_template

bp = Blueprint("external", __name__)
UPLOAD = "external/upload.html"
PREVIEW = "external/preview.html"


class UploadForm(Form):
    file = xlsx_file_field("填好的成绩表（.xlsx）")


def _limits() -> Limits:
    return Limits.from_config(current_app.config)


def _upload_page(form, problem: str = ""):
    limits = _limits()
    return render_template(
        UPLOAD,
        form=form,
        problem=problem,
        max_rows=limits.max_rows,
        max_size=megabytes(limits.max_bytes),
        exams=importing.exams_managed(current_actor()),
    )


@bp.get("/")
@require(Perm.MANAGE_EXAMS)
def upload():
    return _upload_page(UploadForm())


@bp.post("/")
@require(Perm.MANAGE_EXAMS)
def preview():
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(form)
    limits = _limits()
    return preview_page(
        form,
        lambda content, filename: importing.stage_upload(
            content, filename, actor=current_actor(), limits=limits
        ),
        limits=limits,
        upload_template=UPLOAD,
        preview_template=PREVIEW,
    )


@bp.post("/<token>/confirm")
@require(Perm.MANAGE_EXAMS)
def confirm(token):
    return confirm_page(
        lambda: importing.confirm_import(
            token, request.form.get("plan", ""), actor=current_actor(), limits=_limits()
        ),
        preview_template=PREVIEW,
        done_template="external/done.html",
    )


@bp.post("/<int:external_id>/delete")
@require(Perm.MANAGE_EXAMS)
def delete(external_id):
    exam = db.get_or_404(ExternalExam, external_id)
    try:
        importing.delete_exam(exam, actor=current_actor())
    except importing.SheetInUse as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for(".upload"))
    except importing.ExternalError:
        abort(404)  # another town's sheet: as if it did not exist
    except YearClosed as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for(".upload"))
    db.session.commit()
    flash("已删除该外部考试的导入成绩", "success")
    return redirect(url_for(".upload"))


@bp.get("/template.xlsx")
@require(Perm.MANAGE_EXAMS)
def template():
    content = build_template(_limits())
    actor = current_actor()
    audit.record_download("external.template", actor=actor.user, address=actor.address)
    return send_file(
        io.BytesIO(content),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name="外部考试成绩导入模板.xlsx",
    )
