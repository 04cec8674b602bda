"""外部成绩: the imported external result sheets an exam counts (``exams.external_sheets``),
counting one (计入本考试) and taking it out again. MANAGE_EXAMS over the exam's owner
unit and the sheet's, checked again by the services."""

from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from ...core.time import utcnow
from ...extensions import db
from ...external.models import ExternalExam
from ...org.actors import current_actor
from ...org.permissions import Perm, can, require
from .. import external_sheets
from .common import bp, manageable, run


@bp.get("/<int:exam_id>/external")
@require(Perm.MANAGE_EXAMS)
def sheets_page(exam_id):
    exam = manageable(exam_id)
    return render_template(
        "exams/admin_sheets.html",
        exam=exam,
        counted=external_sheets.counted_sheets(exam),
        countable=external_sheets.countable_sheets(exam, actor=current_actor()),
    )


def _sheet(external_id: int) -> ExternalExam:
    sheet = db.get_or_404(ExternalExam, external_id)
    if not can(current_user, Perm.MANAGE_EXAMS, sheet.owner_unit):
        abort(404)  # another town's sheet: as if it did not exist
    return sheet


@bp.post("/<int:exam_id>/external/<int:external_id>/count")
@require(Perm.MANAGE_EXAMS)
def count_sheet(exam_id, external_id):
    exam, sheet = manageable(exam_id), _sheet(external_id)
    run(
        lambda: external_sheets.count_sheet(exam, sheet, actor=current_actor(), now=utcnow()),
        f"已将「{sheet.title}」计入本考试",
    )
    return redirect(url_for("exam_admin.sheets_page", exam_id=exam.id))


@bp.post("/<int:exam_id>/external/<int:external_id>/uncount")
@require(Perm.MANAGE_EXAMS)
def uncount_sheet(exam_id, external_id):
    exam, sheet = manageable(exam_id), _sheet(external_id)
    run(
        lambda: external_sheets.uncount_sheet(exam, sheet, actor=current_actor()),
        f"已取消计入「{sheet.title}」",
    )
    return redirect(url_for("exam_admin.sheets_page", exam_id=exam.id))
