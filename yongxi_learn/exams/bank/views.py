"""Admin pages of the question bank: list, create, edit, retire, categories, and
the XLSX import and export. Views parse forms, call services, commit once."""

import dataclasses

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from ...core.errors import MESSAGES
from ...core.import_views import confirm_page, preview_page, upload_page
from ...core.net import client_address
from ...core.spreadsheets import Limits, send_xlsx
from ...core.time import local_today
from ...extensions import db
from ...laws import services as laws
from ...org import audit
from ...org.actors import current_actor
from ...org.models import OrgUnit
from ...org.permissions import Perm, PermissionDenied, require
from ..models import DIFFICULTY_LABELS, Question, QuestionStatus, QuestionType
from . import importing, services
from .forms import (
    BankFilterForm,
    CategoryForm,
    QuestionForm,
    RenameCategoryForm,
    UploadForm,
    category_choices,
    law_choices,
    only_unit,
    unit_choices,
)
from .template import template_sheets

bp = Blueprint("bank", __name__)


def _limits() -> Limits:
    return Limits.from_config(current_app.config)


@bp.errorhandler(PermissionDenied)
def _outside_scope(_exc):
    # An object outside the admin's scope reads as absent (404), not forbidden.
    title, text = MESSAGES[404]
    return render_template("errors/error.html", code=404, title=title, text=text), 404


# ---------------------------------------------------------------- the list


def _criteria(form: BankFilterForm) -> services.BankFilter:
    status = form.status.data or "active"
    return services.BankFilter(
        category_id=form.category.data or None,
        type=QuestionType(form.type.data) if form.type.data in set(QuestionType) else None,
        law=form.law.data or "",
        text=form.q.data or "",
        status=QuestionStatus(status) if status in set(QuestionStatus) else None,
        review=True if form.review.data == "1" else None,
        upper=form.bank.data == "upper",
    )


def _filter_form() -> BankFilterForm:
    form = BankFilterForm(formdata=request.args)
    several = len(services.bank_units(current_user)) > 1
    form.category.choices = category_choices(services.categories(current_user), several)
    form.category.choices[0] = SelectChoice(0, "全部分类")
    return form


@bp.get("/")
@require(Perm.MANAGE_EXAMS)
def index():
    form = _filter_form()
    criteria = _criteria(form)
    page = db.paginate(
        services.questions_select(current_user, criteria),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "exams/bank_list.html",
        form=form,
        page=page,
        args=args,
        used=services.used_ids(page.items),
        difficulty_labels=DIFFICULTY_LABELS,
        upper=criteria.upper,
    )


@bp.get("/export.xlsx")
@require(Perm.MANAGE_EXAMS)
def export():
    filename = f"题库导出-{local_today():%Y%m%d}.xlsx"
    # The banks above are read on the page only: their answer keys stay with them.
    criteria = dataclasses.replace(_criteria(_filter_form()), upper=False)
    query = services.questions_select(current_user, criteria)
    questions = db.session.scalars(query.order_by(None).order_by(Question.id))
    sheets = template_sheets(_limits(), questions)
    response = send_xlsx(filename, *sheets)
    audit.record_download(
        "questions.export", actor=current_user, address=client_address(), detail=filename
    )
    return response


# ---------------------------------------------------------------- one question


def _question_form(question=None) -> QuestionForm:
    form = QuestionForm()
    units = services.bank_units(current_user)
    # An edit never moves a question to another bank.
    form.owner_unit_id.choices = unit_choices([question.owner_unit] if question else units)
    only_unit(form.owner_unit_id)
    form.category_id.choices = category_choices(services.categories(current_user), len(units) > 1)
    form.law_id.choices = law_choices(laws.current_laws(), question)
    if question is not None and request.method == "GET":
        form.fill_from(question)
    return form


@bp.route("/new", methods=["GET", "POST"])
@require(Perm.MANAGE_EXAMS)
def new():
    form = _question_form()
    if form.validate_on_submit() and (data := form.question_data()) is not None:
        unit = db.get_or_404(OrgUnit, form.owner_unit_id.data)
        try:
            question = services.create_question(
                data, owner_unit=unit, category=_category(form), actor=current_actor()
            )
        except services.InvalidQuestion as exc:
            db.session.rollback()
            form.show_errors(exc.errors)
        else:
            db.session.commit()
            flash("已添加题目", "success")
            _flash_warnings(data)
            return redirect(url_for(".edit", question_id=question.id))
    return render_template("exams/bank_form.html", form=form, question=None, used=False)


def _flash_warnings(data) -> None:
    for _name, message in data.warnings:
        flash(f"提示：{message}", "warning")


def _category(form: QuestionForm):
    if not form.category_id.data:
        return None
    return services.get_category(form.category_id.data, user=current_user)


@bp.route("/<int:question_id>", methods=["GET", "POST"])
@require(Perm.MANAGE_EXAMS)
def edit(question_id):
    question = services.get_question(question_id, user=current_user)
    form = _question_form(question)
    used = services.is_used(question)
    editable = question.status is not QuestionStatus.SUPERSEDED
    if editable and form.validate_on_submit() and (data := form.question_data()) is not None:
        try:
            saved = services.update_question(
                question, data, category=_category(form), actor=current_actor()
            )
        except services.BankError as exc:
            db.session.rollback()
            form.show_errors(getattr(exc, "errors", [("stem", str(exc))]))
        else:
            db.session.commit()
            flash("已保存为新版本" if saved.id != question_id else "已保存", "success")
            _flash_warnings(data)
            return redirect(url_for(".edit", question_id=saved.id))
    return render_template(
        "exams/bank_form.html",
        form=form,
        question=question,
        used=used,
        editable=editable,
        versions=services.versions(question),
    )


def _change_status(question_id: int, change, done: str, then: str):
    question = services.get_question(question_id, user=current_user)
    try:
        change(question, actor=current_actor())
    except services.BankError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for(".edit", question_id=question_id))
    db.session.commit()
    flash(done, "success")
    return redirect(url_for(then, question_id=question_id) if then == ".edit" else url_for(then))


@bp.post("/<int:question_id>/retire")
@require(Perm.MANAGE_EXAMS)
def retire(question_id):
    done = "已停用，组卷和抽题时不再使用此题"
    return _change_status(question_id, services.retire_question, done, ".index")


@bp.post("/<int:question_id>/restore")
@require(Perm.MANAGE_EXAMS)
def restore(question_id):
    return _change_status(question_id, services.restore_question, "已恢复", ".edit")


@bp.post("/<int:question_id>/reviewed")
@require(Perm.MANAGE_EXAMS)
def reviewed(question_id):
    return _change_status(question_id, services.mark_reviewed, "已完成复核", ".edit")


@bp.post("/<int:question_id>/delete")
@require(Perm.MANAGE_EXAMS)
def delete(question_id):
    return _change_status(question_id, services.delete_question, "已删除", ".index")


# ---------------------------------------------------------------- categories


def _category_page(form: CategoryForm, rename: RenameCategoryForm | None = None):
    return render_template(
        "exams/bank_categories.html",
        form=form,
        rename=rename or RenameCategoryForm(formdata=None),
        categories=services.categories(current_user),
        counts=services.category_counts(current_user),
        several=len(form.owner_unit_id.choices) > 1,
    )


def _category_form() -> CategoryForm:
    form = CategoryForm()
    form.owner_unit_id.choices = unit_choices(services.bank_units(current_user))
    only_unit(form.owner_unit_id)
    return form


@bp.get("/categories")
@require(Perm.MANAGE_EXAMS)
def categories():
    return _category_page(_category_form())


@bp.post("/categories")
@require(Perm.MANAGE_EXAMS)
def create_category():
    form = _category_form()
    if not form.validate_on_submit():
        return _category_page(form)
    unit = db.get_or_404(OrgUnit, form.owner_unit_id.data)
    try:
        services.create_category(form.name.data, unit, actor=current_actor())
    except (services.BankError, IntegrityError) as exc:
        db.session.rollback()
        form.name.errors.append(_why(exc))
        return _category_page(form)
    db.session.commit()
    flash("已新建分类", "success")
    return redirect(url_for(".categories"))


@bp.post("/categories/<int:category_id>/rename")
@require(Perm.MANAGE_EXAMS)
def rename_category(category_id):
    category = services.get_category(category_id, user=current_user)
    form = RenameCategoryForm()
    if form.validate_on_submit():
        try:
            services.rename_category(category, form.name.data, actor=current_actor())
        except (services.BankError, IntegrityError) as exc:
            db.session.rollback()
            flash(_why(exc), "danger")
            return redirect(url_for(".categories"))
        db.session.commit()
        flash("已改名", "success")
    else:
        flash("；".join(form.name.errors), "danger")
    return redirect(url_for(".categories"))


def _why(exc: Exception) -> str:
    return "已有同名分类" if isinstance(exc, IntegrityError) else str(exc)


# ---------------------------------------------------------------- import


def _upload_form() -> UploadForm:
    form = UploadForm()
    form.owner_unit_id.choices = unit_choices(services.bank_units(current_user))
    only_unit(form.owner_unit_id)
    return form


UPLOAD = "exams/bank_import_upload.html"


@bp.get("/import")
@require(Perm.MANAGE_EXAMS)
def upload():
    return upload_page(UPLOAD, _upload_form(), _limits())


@bp.post("/import")
@require(Perm.MANAGE_EXAMS)
def preview():
    form = _upload_form()
    if not form.validate_on_submit():
        return upload_page(UPLOAD, form, _limits())
    unit = db.get_or_404(OrgUnit, form.owner_unit_id.data)
    return preview_page(
        form,
        lambda content, filename: importing.stage_upload(
            content, filename, owner_unit=unit, actor=current_actor(), limits=_limits()
        ),
        limits=_limits(),
        upload_template=UPLOAD,
        preview_template="exams/bank_import_preview.html",
    )


@bp.post("/import/<token>/confirm")
@require(Perm.MANAGE_EXAMS)
def confirm(token):
    unit = db.session.get(OrgUnit, request.form.get("unit", type=int) or 0)
    if unit is None:
        abort(404)
    return confirm_page(
        lambda: importing.confirm_import(
            token,
            request.form.get("plan", ""),
            owner_unit=unit,
            actor=current_actor(),
            limits=_limits(),
        ),
        preview_template="exams/bank_import_preview.html",
        done_template="exams/bank_import_done.html",
        refused=(services.BankError,),
    )


@bp.get("/import/template.xlsx")
@require(Perm.MANAGE_EXAMS)
def template():
    return send_xlsx("试题导入模板.xlsx", *template_sheets(_limits()))
