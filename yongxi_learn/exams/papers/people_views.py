"""Exam admin pages about people: the enrolment (补录, 免考), the monitor and the
item analysis with answer-key fixes. The monitor and analysis need VIEW_EXAMS and
show only the viewer's subtree; changes need MANAGE_EXAMS."""

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from ...core.forms import flash_errors, search_data, search_page
from ...core.time import utcnow
from ...extensions import db
from ...org.actors import current_actor
from ...org.forms import unit_choices
from ...org.models import User
from ...org.permissions import Perm, can, require
from ...org.services import units_in_scope
from ..models import (
    Attempt,
    AttemptQuestion,
    Enrolment,
    ExamKind,
    ExamStatus,
    Question,
)
from . import enrolment, forms, keys, makeup_roster, monitor, regrade
from .base import ExamError
from .common import bp, manageable, run, visible

# ---------------------------------------------------------------- enrolment


@bp.route("/<int:exam_id>/enrolment", methods=["GET", "POST"])
@require(Perm.MANAGE_EXAMS)
def enrolment_page(exam_id):
    exam = manageable(exam_id)
    missing = []
    if exam.kind is ExamKind.MAKEUP and exam.status is ExamStatus.PUBLISHED:
        missing = makeup_roster.missing_candidates(exam, now=utcnow())
    search = forms.SearchForm(formdata=search_data())
    page = db.paginate(
        enrolment.enrolment_select(exam, current_user, search.q.data or ""),
        page=search_page(),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    submitted = _finalized_users(exam, [e.user_id for e in page.items])
    return render_template(
        "exams/admin_enrolment.html",
        exam=exam,
        search=search,
        page=page,
        add_form=forms.AddPersonForm(),
        exempt_form=forms.ExemptForm(),
        submitted=submitted,
        makeup=exam.kind is ExamKind.MAKEUP,
        missing=missing,
    )


def _finalized_users(exam, user_ids: list[int]) -> set[int]:
    """Who of these already handed in: exempting them is allowed, the page says so."""
    return set(
        db.session.scalars(
            sa.select(Attempt.user_id).where(
                Attempt.exam_id == exam.id,
                Attempt.user_id.in_(user_ids),
                Attempt.status.in_(monitor.FINISHED),
            )
        )
    )


@bp.post("/<int:exam_id>/enrolment/add")
@require(Perm.MANAGE_EXAMS)
def add_person(exam_id):
    exam = manageable(exam_id)
    form = forms.AddPersonForm()
    if form.validate_on_submit():
        phone = "".join(ch for ch in form.phone.data if ch.isdigit())
        person = db.session.scalar(sa.select(User).where(User.phone == phone))
        if person is None or not can(current_user, Perm.MANAGE_EXAMS, person.unit):
            flash(f"没有手机号为{phone}的人员，或不在您的管理范围内", "danger")
        else:
            _add(exam, person)
    else:
        flash_errors(form)
    return redirect(url_for("exam_admin.enrolment_page", exam_id=exam_id))


@bp.post("/<int:exam_id>/enrolment/add-candidate")
@require(Perm.MANAGE_EXAMS)
def add_candidate(exam_id):
    """补录 a 补考 candidate picked from the list of those not in the 补考."""
    exam = manageable(exam_id)
    form = forms.AddCandidateForm()
    if form.validate_on_submit():
        # Only people of the formal exam's enrolment: a stray id must not name anyone.
        person = db.session.scalar(
            sa.select(User)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(User.id == form.user_id.data, Enrolment.exam_id == exam.parent_exam_id)
        )
        if exam.parent_exam_id is None or person is None:
            abort(404)
        _add(exam, person)
    else:
        flash_errors(form)
    return redirect(url_for("exam_admin.enrolment_page", exam_id=exam_id))


def _add(exam, person) -> None:
    if exam.kind is ExamKind.MAKEUP:
        run(
            lambda: makeup_roster.add_candidate(exam, person, actor=current_actor(), now=utcnow()),
            f"已将{person.name}补录进补考名单",
        )
    else:
        run(
            lambda: enrolment.add_person(exam, person, actor=current_actor()),
            f"已将{person.name}补录进应考名单",
        )


def _entry(exam, enrolment_id: int):
    entry = enrolment.get_enrolment(enrolment_id, exam, current_user)
    if entry is None:
        abort(404)
    return entry


@bp.post("/<int:exam_id>/enrolment/<int:enrolment_id>/exempt")
@require(Perm.MANAGE_EXAMS)
def exempt(exam_id, enrolment_id):
    exam = manageable(exam_id)
    entry = _entry(exam, enrolment_id)
    form = forms.ExemptForm()
    if form.validate_on_submit():
        done = "已将{}移出补考名单" if exam.kind is ExamKind.MAKEUP else "已为{}办理免考"
        run(
            lambda: enrolment.exempt(entry, form.reason(), actor=current_actor(), now=utcnow()),
            done.format(entry.user.name),
        )
    else:
        flash_errors(form)
    return redirect(url_for("exam_admin.enrolment_page", exam_id=exam_id))


@bp.post("/<int:exam_id>/enrolment/<int:enrolment_id>/unexempt")
@require(Perm.MANAGE_EXAMS)
def unexempt(exam_id, enrolment_id):
    exam = manageable(exam_id)
    entry = _entry(exam, enrolment_id)
    done = "已将{}恢复到补考名单" if exam.kind is ExamKind.MAKEUP else "已取消{}的免考"
    run(lambda: enrolment.unexempt(entry, actor=current_actor()), done.format(entry.user.name))
    return redirect(url_for("exam_admin.enrolment_page", exam_id=exam_id))


# ---------------------------------------------------------------- monitor, item analysis


@bp.get("/<int:exam_id>/monitor")
@require(Perm.VIEW_EXAMS)
def monitor_page(exam_id):
    exam = visible(exam_id)
    now = utcnow()
    form = forms.MonitorFilterForm(formdata=request.args)
    form.status.choices = [
        SelectChoice("", "全部"),
        *(SelectChoice(p.value, p.label) for p in monitor.Progress),
    ]
    units = [
        u for u in units_in_scope(current_user, Perm.VIEW_EXAMS) if exam.owner_unit.contains(u)
    ]
    form.unit.choices = [SelectChoice(0, "全部单位"), *unit_choices(units)]
    unit = next((u for u in units if u.id == form.unit.data), None)
    status = (
        monitor.Progress(form.status.data) if form.status.data in set(monitor.Progress) else None
    )
    counts = monitor.progress_counts(exam, current_user, unit, now=now)
    query = monitor.progress_select(exam, current_user, now=now, status=status, unit=unit)
    per_page = current_app.config["PER_PAGE"]
    page_no = max(request.args.get("page", 1, type=int), 1)
    rows = db.session.execute(query.limit(per_page).offset((page_no - 1) * per_page)).all()
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "exams/admin_monitor.html",
        exam=exam,
        form=form,
        counts=counts,
        rows=rows,
        page_no=page_no,
        has_next=len(rows) == per_page,
        args=args,
        progress=monitor.Progress,
    )


@bp.get("/<int:exam_id>/items")
@require(Perm.VIEW_EXAMS)
def items(exam_id):
    exam = visible(exam_id)
    now = utcnow()
    stats = monitor.item_analysis(exam, current_user, now=now)
    withheld = not keys.may_see_item_stats(current_user, exam, now)
    fixable = {
        s.question.id for s in stats if can(current_user, Perm.MANAGE_EXAMS, s.question.owner_unit)
    }
    return render_template(
        "exams/admin_items.html",
        exam=exam,
        stats=stats,
        withheld=withheld,
        fixable=fixable,
        fix_form=forms.FixAnswerForm(),
        letters="ABCDEF",
    )


@bp.post("/<int:exam_id>/items/<int:question_id>/fix-answer")
@require(Perm.MANAGE_EXAMS)
def fix_answer(exam_id, question_id):
    exam = visible(exam_id)
    question = db.session.get(Question, question_id)
    used = db.session.scalar(
        sa.select(AttemptQuestion.id)
        .join(Attempt, AttemptQuestion.attempt_id == Attempt.id)
        .where(Attempt.exam_id == exam.id, AttemptQuestion.question_id == question_id)
        .limit(1)
    )
    if question is None or used is None:
        abort(404)
    if not can(current_user, Perm.MANAGE_EXAMS, question.owner_unit):
        abort(404)
    form = forms.FixAnswerForm()
    if form.validate_on_submit():
        try:
            changed = regrade.fix_answer_key(question, form.answer.data, actor=current_actor())
        except ExamError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(f"已更正答案并重新评分，{changed}份答卷成绩有变化", "success")
    else:
        flash_errors(form)
    return redirect(url_for("exam_admin.items", exam_id=exam_id))
