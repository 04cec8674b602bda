"""Bulk import of people from XLSX: upload, preview, confirm, and the template."""

import io

from flask import (
    Blueprint,
    current_app,
    request,
    send_file,
)

from ..core.forms import Form, xlsx_file_field
from ..core.import_views import confirm_page, preview_page, upload_page
from ..core.spreadsheets import XLSX_MIMETYPE
from . import importing, services
from .actors import current_actor
from .import_template import build_template
from .permissions import Perm, require

bp = Blueprint("people_import", __name__)


class UploadForm(Form):
    file = xlsx_file_field("填好的人员表（.xlsx）")


def _limits() -> importing.Limits:
    return importing.Limits.from_config(current_app.config)


UPLOAD = "org/import_upload.html"


@bp.get("/")
@require(Perm.MANAGE_PEOPLE)
def upload():
    return upload_page(UPLOAD, UploadForm(), _limits())


@bp.post("/")
@require(Perm.MANAGE_PEOPLE)
def preview():
    form = UploadForm()
    if not form.validate_on_submit():
        return upload_page(UPLOAD, form, _limits())
    return preview_page(
        form,
        lambda content, filename: importing.stage_upload(
            content, filename, actor=current_actor(), limits=_limits()
        ),
        limits=_limits(),
        upload_template=UPLOAD,
        preview_template="org/import_preview.html",
    )


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
