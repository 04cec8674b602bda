"""Paper sittings (``exams.paper_sittings``): choose people and print their personal
papers, then type each returned paper's answers against its code. MANAGE_EXAMS over
the exam's owner unit, checked again by the services."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...core.formatting import format_score
from ...core.forms import flash_errors
from ...core.time import utcnow
from ...extensions import db
from ...org.actors import current_actor
from ...org.permissions import Perm, require
from .. import paper_sittings
from ..models import Enrolment, ExamKind, ExamStatus
from . import enrolment, forms
from .base import ExamError
from .common import bp, manageable

FIX = "fix"  # the correction form's fields, beside the entry form's on one page


def _printable(exam) -> bool:
    return (
        exam.status is ExamStatus.PUBLISHED
        and exam.kind in (ExamKind.FORMAL, ExamKind.MAKEUP)
        and not exam.personal
    )


@bp.get("/<int:exam_id>/paper")
@require(Perm.MANAGE_EXAMS)
def paper_page(exam_id):
    exam = manageable(exam_id)
    return _render(exam, forms.PaperEntryForm(formdata=None))


def _render(exam, entry_form, status=200, correction_form=None):
    page = db.paginate(
        enrolment.enrolment_select(exam, current_user).where(~Enrolment.exempt),
        page=max(request.args.get("page", 1, type=int), 1),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    waiting = paper_sittings.waiting_sittings(exam)
    return (
        render_template(
            "exams/admin_paper.html",
            exam=exam,
            page=page,
            waiting=waiting,
            waiting_users={a.user_id for a in waiting},
            entry_form=entry_form,
            correction_form=correction_form or forms.PaperCorrectionForm(formdata=None, prefix=FIX),
            printable=_printable(exam),
        ),
        status,
    )


@bp.post("/<int:exam_id>/paper/print")
@require(Perm.MANAGE_EXAMS)
def paper_print(exam_id):
    exam = manageable(exam_id)
    user_ids = request.form.getlist("user_id", type=int)
    try:
        sittings = paper_sittings.print_papers(exam, user_ids, actor=current_actor(), now=utcnow())
    except ExamError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("exam_admin.paper_page", exam_id=exam.id))
    db.session.commit()
    return redirect(url_for("exam_admin.paper_sheets", exam_id=exam.id, a=[s.id for s in sittings]))


@bp.get("/<int:exam_id>/paper/sheets")
@require(Perm.MANAGE_EXAMS)
def paper_sheets(exam_id):
    """The printable papers (A4, no script): reading them writes nothing."""
    exam = manageable(exam_id)
    ids = request.args.getlist("a", type=int)
    papers = paper_sittings.papers_to_print(exam, ids, actor=current_actor())
    return render_template("exams/paper_print.html", exam=exam, papers=papers)


@bp.post("/<int:exam_id>/paper/enter")
@require(Perm.MANAGE_EXAMS)
def paper_enter(exam_id):
    exam = manageable(exam_id)
    form = forms.PaperEntryForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return _render(exam, form, 400)
    try:
        sitting = paper_sittings.enter_answers(
            exam, form.code.data, form.answers.data, actor=current_actor(), now=utcnow()
        )
    except ExamError as exc:
        db.session.rollback()
        flash(f"未保存：{exc}", "danger")
        return _render(exam, form, 400)
    db.session.commit()
    verdict = "通过" if sitting.passed else "未通过"
    flash(
        f"已录入试卷{sitting.paper_code}（{sitting.user.name}）：{format_score(sitting.score)}分，{verdict}",
        "success",
    )
    return redirect(url_for("exam_admin.paper_page", exam_id=exam.id))


@bp.post("/<int:exam_id>/paper/correct")
@require(Perm.MANAGE_EXAMS)
def paper_correct(exam_id):
    exam = manageable(exam_id)
    form = forms.PaperCorrectionForm(prefix=FIX)
    blank = forms.PaperEntryForm(formdata=None)
    if not form.validate_on_submit():
        flash_errors(form)
        return _render(exam, blank, 400, correction_form=form)
    try:
        sitting, old_score = paper_sittings.correct_answers(
            exam,
            form.code.data,
            form.answers.data,
            form.reason.data,
            actor=current_actor(),
            now=utcnow(),
        )
    except ExamError as exc:
        db.session.rollback()
        flash(f"未更正：{exc}", "danger")
        return _render(exam, blank, 400, correction_form=form)
    db.session.commit()
    verdict = "通过" if sitting.passed else "未通过"
    flash(
        f"已更正试卷{sitting.paper_code}（{sitting.user.name}）的答案："
        f"{format_score(old_score)}分 → {format_score(sitting.score)}分，{verdict}",
        "success",
    )
    return redirect(url_for("exam_admin.paper_page", exam_id=exam.id))
