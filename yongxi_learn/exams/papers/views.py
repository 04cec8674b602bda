"""Exam admin pages: the list, an exam's settings and paper, publishing,
extending, cancelling and make-up. Views parse forms, call the services and commit
once; changes need MANAGE_EXAMS over the exam's owner unit (else 404 for an exam out
of scope, 403 without the permission anywhere).

The enrolment, monitor and item-analysis pages are in people_views.py, on the
same blueprint.
"""

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from ...core.forms import flash_errors
from ...core.time import local_to_utc, utc_to_form, utcnow
from ...extensions import db
from ...org import unit_settings
from ...org.actors import current_actor
from ...org.forms import unit_choices
from ...org.models import CATEGORY_LABELS, Category, OrgUnit, User
from ...org.ordering import people_order, unit_order
from ...org.permissions import Perm, can, require
from ...org.services import units_in_scope
from ..bank.services import bank_owner_ids
from ..models import (
    ExamKind,
    ExamStatus,
    QuestionCategory,
    ReviewPolicy,
)
from . import (
    enrolment,
    forms,
    makeup_roster,
    paper_views,  # noqa: F401  (its routes join bp)
    people_views,  # noqa: F401  (its routes join bp)
    services,
    sheet_views,  # noqa: F401  (its routes join bp)
)
from .base import ExamError
from .common import bp, manageable, run
from .makeup import makeup_candidates

__all__ = ["bp"]


# ---------------------------------------------------------------- list


@bp.get("/")
@require(Perm.VIEW_EXAMS)
def index():
    form = forms.ExamFilterForm(formdata=request.args)
    form.validate()
    query = services.exams_select(
        current_user,
        year=form.year.data if not form.year.errors else None,
        kind=ExamKind(form.kind.data) if form.kind.data in set(ExamKind) else None,
        status=ExamStatus(form.status.data) if form.status.data in set(ExamStatus) else None,
    )
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    may_manage = {e.id for e in page.items if can(current_user, Perm.MANAGE_EXAMS, e.owner_unit)}
    return render_template(
        "exams/admin_list.html", form=form, page=page, args=args, may_manage=may_manage
    )


# ---------------------------------------------------------------- new / edit


def _category_choices(owners: list[OrgUnit]) -> list[SelectChoice]:
    """The categories the papers of ``owners`` draw from: their own banks' and their
    ancestors' (the district's), named with their bank; never another town's."""
    banks = {unit_id for owner in owners for unit_id in bank_owner_ids(owner)}
    categories = db.session.scalars(
        sa.select(QuestionCategory)
        .where(QuestionCategory.owner_unit_id.in_(banks))
        .order_by(QuestionCategory.owner_unit_id, QuestionCategory.name)
    ).all()
    several = len({c.owner_unit_id for c in categories}) > 1
    return [
        SelectChoice(0, "不限"),
        *(
            SelectChoice(c.id, f"{c.owner_unit.name} / {c.name}" if several else c.name)
            for c in categories
        ),
    ]


def _exam_form(exam=None) -> forms.ExamForm:
    form = forms.ExamForm()
    owners = units_in_scope(current_user, Perm.MANAGE_EXAMS, include_inactive=False)
    if exam is None:
        form.owner_unit_id.choices = unit_choices(owners)
        owner = owners[0] if owners else None
        if request.method == "POST":
            owner = next((u for u in owners if u.id == form.owner_unit_id.data), owner)
    else:
        del form.owner_unit_id  # fixed once created; the edit page shows it as text
        owner = exam.owner_unit
    in_owner = [u for u in owners if owner is not None and owner.contains(u)]
    form.audience_units.choices = unit_choices(in_owner)
    for row in form.rules:
        row.form.category_id.choices = _category_choices(owners if exam is None else [owner])
    if exam is None and request.method == "GET" and owner is not None:
        # A new exam starts from the settings in force for its owner (the district's
        # unless the town set its own).
        form.pass_score.data = unit_settings.effective(owner, "exam.pass_score")
        form.time_limit_minutes.data = int(unit_settings.effective(owner, "exam.time_limit"))
        form.credit_hours.data = unit_settings.effective(owner, "exam.credit_hours")
    if exam is not None and request.method == "GET":
        forms.fill_exam_form(form, exam)
        phones = db.session.scalars(
            sa.select(User.phone).where(User.id.in_((exam.audience or {}).get("people", [])))
        )
        form.audience_phones.data = "\n".join(phones)
    return form


def _settings(form: forms.ExamForm, owner: OrgUnit) -> services.Settings:
    return services.Settings(
        title=form.title.data or "",
        kind=ExamKind(form.kind.data),
        year=form.year.data,
        opens_at=local_to_utc(form.opens_at.data),
        closes_at=local_to_utc(form.closes_at.data),
        time_limit_minutes=form.time_limit_minutes.data,
        pass_score=form.pass_score.data,
        max_attempts=form.max_attempts.data,
        shuffle_questions=bool(form.shuffle_questions.data),
        shuffle_options=bool(form.shuffle_options.data),
        review_policy=ReviewPolicy(form.review_policy.data),
        credit_hours=form.credit_hours.data or 0,
        audience={
            "units": list(form.audience_units.data or []),
            "categories": list(form.audience_categories.data or []),
            "people": enrolment.people_by_phones(form.audience_phones.data, owner),
        },
    )


def _save(form: forms.ExamForm, exam):
    """Create or update the exam and its paper from the form; raises on bad input."""
    if exam is None:
        owner = db.session.get(OrgUnit, form.owner_unit_id.data)
        if owner is None:
            abort(404)
        exam = services.create_exam(owner, _settings(form, owner), actor=current_actor())
    else:
        services.update_exam(exam, _settings(form, exam.owner_unit), actor=current_actor())
    if form.paper_mode.data == "fixed":
        services.set_fixed_questions(
            exam, forms.fixed_items(form.fixed.data), actor=current_actor()
        )
    else:
        services.set_rules(exam, forms.rule_specs(form), actor=current_actor())
    return exam


@bp.route("/new", methods=["GET", "POST"])
@require(Perm.MANAGE_EXAMS)
def new():
    return _edit_page(None)


@bp.route("/<int:exam_id>", methods=["GET", "POST"])
@require(Perm.MANAGE_EXAMS)
def edit(exam_id):
    return _edit_page(manageable(exam_id))


def _edit_page(exam):
    if exam is not None and exam.status is not ExamStatus.DRAFT:
        if request.method == "POST":
            flash(services.LOCKED, "danger")
        return _published_page(exam)
    form = _exam_form(exam)
    if form.validate_on_submit():
        try:
            exam = _save(form, exam)
        except (ExamError, forms.BadInput) as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            if request.form.get("action") == "publish":
                _publish_saved(exam)
            else:
                flash("已保存", "success")
            db.session.commit()
            return redirect(url_for("exam_admin.edit", exam_id=exam.id))
    else:
        flash_errors(form)
    problems = services.publish_problems(exam) if exam else []
    return render_template(
        "exams/admin_form.html",
        form=form,
        exam=exam,
        problems=problems,
        total=services.paper_total(exam) if exam else None,
        audience_count=enrolment.audience_count(exam) if exam else 0,
    )


def _publish_saved(exam) -> None:
    """发布考试 on the draft's form: the form was just saved, so what it holds is
    published. A refusal keeps the saved draft (the savepoint undoes only the
    publishing) and says why."""
    try:
        with db.session.begin_nested():
            count = services.publish(exam, actor=current_actor(), now=utcnow())
    except ExamError as exc:
        flash(f"已保存草稿，但未能发布：{exc}", "danger")
    else:
        flash(f"已发布，应考名单共{count}人", "success")


def _published_page(exam):
    now = utcnow()
    close = forms.CloseForm(data={"closes_at": utc_to_form(exam.closes_at)})
    return render_template(
        "exams/admin_form.html",
        form=None,
        exam=exam,
        close=close,
        # 立即截止 only while the exam is running: before it opens, cancel it instead.
        is_open=(exam.opens_at is None or exam.opens_at <= now)
        and (exam.closes_at is None or exam.closes_at > now),
        total=services.paper_total(exam),
        problems=[],
        audience_count=0,
        enrolled=enrolment.counts(exam),
        audience=_audience_summary(exam.audience or {}),
    )


def _audience_summary(audience: dict) -> dict[str, list[str]]:
    """The audience as published, in words: unit names, category labels, named people."""
    units = db.session.scalars(
        sa.select(OrgUnit.name)
        .where(OrgUnit.id.in_(audience.get("units", [])))
        .order_by(unit_order(OrgUnit.id))
    ).all()
    people = db.session.scalars(
        sa.select(User.name)
        .where(User.id.in_(audience.get("people", [])))
        .order_by(*people_order(User.unit_id))
    ).all()
    categories = [CATEGORY_LABELS[Category(c)] for c in audience.get("categories", [])]
    return {"units": units, "categories": categories, "people": people}


@bp.post("/<int:exam_id>/publish")
@require(Perm.MANAGE_EXAMS)
def publish(exam_id):
    """Publish the draft as saved (the edit page's button saves its form first)."""
    exam = manageable(exam_id)
    try:
        count = services.publish(exam, actor=current_actor(), now=utcnow())
    except ExamError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(f"已发布，应考名单共{count}人", "success")
    return redirect(url_for("exam_admin.edit", exam_id=exam_id))


@bp.post("/<int:exam_id>/close-time")
@require(Perm.MANAGE_EXAMS)
def close_time(exam_id):
    exam = manageable(exam_id)
    form = forms.CloseForm()
    now = utcnow()
    if not form.validate_on_submit():
        flash_errors(form)
    elif form.now.data and exam.closes_at is not None and exam.closes_at <= now:
        flash("考试已经截止", "warning")
    elif form.now.data or form.closes_at.data:
        closes_at = now if form.now.data else local_to_utc(form.closes_at.data)
        if form.now.data:
            done = "考试已截止"
        elif exam.closes_at is not None and closes_at < exam.closes_at:
            done = "已提前截止时间"
        else:
            done = "已延长截止时间"
        run(lambda: services.change_close(exam, closes_at, actor=current_actor(), now=now), done)
    else:
        flash("请输入新的截止时间", "danger")
    return redirect(url_for("exam_admin.edit", exam_id=exam_id))


@bp.post("/<int:exam_id>/cancel")
@require(Perm.MANAGE_EXAMS)
def cancel(exam_id):
    exam = manageable(exam_id)
    run(lambda: services.cancel(exam, actor=current_actor()), "考试已取消，记录仍保留")
    return redirect(url_for("exam_admin.edit", exam_id=exam_id))


# ---------------------------------------------------------------- make-up


@bp.route("/<int:exam_id>/makeup", methods=["GET", "POST"])
@require(Perm.MANAGE_EXAMS)
def makeup(exam_id):
    exam = manageable(exam_id)
    form = forms.MakeupForm()
    if form.validate_on_submit():
        try:
            made = makeup_roster.create_makeup_for(
                exam,
                leave_out=form.left_out(),
                reason=form.reason(),
                actor=current_actor(),
                opens_at=local_to_utc(form.opens_at.data),
                closes_at=local_to_utc(form.closes_at.data),
                now=utcnow(),
            )
        except ExamError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash("已创建补考并生成补考名单", "success")
            return redirect(url_for("exam_admin.enrolment_page", exam_id=made.id))
    else:
        flash_errors(form)
    candidates = makeup_candidates(exam, now=utcnow())
    # After a refused POST the ticks stay as the admin left them.
    included = set(form.include.data or []) if form.is_submitted() else None
    return render_template(
        "exams/admin_makeup.html",
        exam=exam,
        form=form,
        candidates=candidates,
        included=included,
        now=utcnow(),
    )
