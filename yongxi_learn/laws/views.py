"""Pages of the law library: search and read (everyone signed in); import with a
preview, new versions, metadata, repeal and the 待复核 list (MANAGE_STUDY)."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..core.import_views import read_upload
from ..core.spreadsheets import Limits, megabytes
from ..extensions import db
from ..org.actors import current_actor
from ..org.models import OrgUnit
from ..org.permissions import Perm, require
from . import audio, importing, layout, references, search, services
from .files import LawFileError, read_law_file
from .forms import LawImportForm, LawMetaForm, LawSearchForm
from .models import Law, LawKind
from .parser import LawParseError
from .services import LawError

bp = Blueprint("laws", __name__)


def _limits() -> Limits:
    return Limits.from_config(current_app.config)


# ---------------------------------------------------------------- search and read


def _criteria(form: LawSearchForm) -> search.LawFilter:
    kind = form.kind.data if form.kind.data in set(LawKind) else None
    return search.LawFilter(
        text=form.q.data or "",
        kind=LawKind(kind) if kind else None,
        every_version=form.versions.data == "all",
    )


@bp.get("/")
@login_required
def index():
    form = LawSearchForm(formdata=request.args)
    criteria = _criteria(form)
    per_page = current_app.config["PER_PAGE"]
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    context = {"form": form, "criteria": criteria, "args": args}
    if criteria.words:
        context["titles"] = db.session.scalars(search.laws_select(criteria).limit(50)).all()
        number = request.args.get("page", 1, type=int)
        context["page"] = search.article_hits(criteria, number, per_page)
        context["excerpt"] = search.excerpt
    else:
        context["page"] = db.paginate(
            search.laws_select(criteria), per_page=per_page, error_out=False
        )
    context["manager"] = bool(services.library_units(current_user))
    if context["manager"]:
        context["flagged"] = references.count_flagged(current_user)
    return render_template("laws/list.html", **context)


@bp.get("/<int:law_id>")
@login_required
def detail(law_id):
    law = services.get_law(law_id)
    pages = layout.layout(law.articles)
    article_id = request.args.get("article", type=int)
    part = pages.part_of(article_id) if article_id else request.args.get("part", 0, type=int)
    part = min(max(part, 0), max(len(pages.parts) - 1, 0))
    shown = pages.parts[part] if pages.parts else []
    article_ids = [article.id for section in shown for article in section.articles]
    return render_template(
        "laws/detail.html",
        law=law,
        layout=pages,
        part=part,
        shown=shown,
        versions=services.versions(law),
        manage=services.can_manage(current_user, law),
        notes=audio.notes_for(article_ids, current_user),
        may_record=audio.may_record(current_user),
        deletable=lambda note: audio.may_delete(current_user, note),
    )


# ---------------------------------------------------------------- import


def _import_form(base: Law | None = None) -> LawImportForm:
    form = LawImportForm()
    units = [base.owner_unit] if base else services.library_units(current_user)
    form.owner_unit_id.choices = [(unit.id, unit.name) for unit in units]
    if len(units) == 1 and not form.owner_unit_id.raw_data:
        form.owner_unit_id.data = units[0].id
    if base is not None and request.method == "GET":
        form.fill_from(base)
    return form


def _import_page(form: LawImportForm, base: Law | None = None, problem: str = ""):
    return render_template(
        "laws/import.html",
        form=form,
        base=base,
        problem=problem,
        max_size=megabytes(_limits().max_bytes),
    )


def _text_of(form: LawImportForm) -> tuple[str, str]:
    """The text to parse and the file's name; LawFileError when there is none."""
    storage = form.file.data
    if storage is not None and getattr(storage, "filename", ""):
        content, filename = read_upload(storage, _limits())
        return read_law_file(content, filename, _limits()), filename
    if (form.text.data or "").strip():
        return form.text.data, ""
    raise LawFileError("请粘贴法规全文，或选择 .txt、.docx 文件上传")


def _preview(form: LawImportForm, base: Law | None):
    if not form.validate_on_submit():
        return _import_page(form, base)
    unit = base.owner_unit if base else db.get_or_404(OrgUnit, form.owner_unit_id.data)
    try:
        text, filename = _text_of(form)
        pending, plan = importing.stage(
            form.law_meta(),
            text,
            owner_unit=unit,
            base=base,
            actor=current_actor(),
            limits=_limits(),
            filename=filename,
        )
    except (LawFileError, LawParseError, LawError) as exc:
        db.session.rollback()
        return _import_page(form, base, problem=str(exc))
    db.session.commit()
    return render_template("laws/preview.html", plan=plan, pending=pending)


@bp.get("/import")
@require(Perm.MANAGE_STUDY)
def upload():
    return _import_page(_import_form())


@bp.post("/import")
@require(Perm.MANAGE_STUDY)
def preview():
    return _preview(_import_form(), None)


@bp.route("/<int:law_id>/version", methods=["GET", "POST"])
@require(Perm.MANAGE_STUDY)
def new_version(law_id):
    base = services.get_law(law_id)
    services.ensure_manage(current_actor(), base.owner_unit)
    form = _import_form(base)
    if request.method == "GET":
        return _import_page(form, base)
    return _preview(form, base)


@bp.post("/import/<token>/confirm")
@require(Perm.MANAGE_STUDY)
def confirm(token):
    try:
        law = importing.confirm(
            token, request.form.get("plan", ""), actor=current_actor(), limits=_limits()
        )
    except importing.ImportExpired:
        db.session.rollback()
        flash("预览已过期，请重新导入", "warning")
        return redirect(url_for(".upload"))
    except (importing.ImportChanged, importing.ImportInvalid, LawError, LawParseError) as exc:
        db.session.rollback()
        reason = f"（{exc}）" if isinstance(exc, LawError | LawParseError) else ""
        flash(f"没有保存{reason}，请重新导入", "danger")
        return redirect(url_for(".upload"))
    db.session.commit()
    flash(_saved_message(law), "success")
    return redirect(url_for(".detail", law_id=law.id))


def _saved_message(law: Law) -> str:
    message = f"已保存{law.display_name}，共{len(law.articles)}条"
    if law.version > 1:
        count = references.count_flagged(current_user)
        message += f"；旧版本已标记为已修改，目前共有{count}项引用待复核"
    return message


# ---------------------------------------------------------------- metadata and status


@bp.route("/<int:law_id>/edit", methods=["GET", "POST"])
@require(Perm.MANAGE_STUDY)
def edit(law_id):
    law = services.get_law(law_id)
    services.ensure_manage(current_actor(), law.owner_unit)
    form = LawMetaForm()
    if request.method == "GET":
        form.fill_from(law)
    elif form.validate_on_submit():
        try:
            services.update_law(law, form.law_meta(), actor=current_actor())
        except LawError as exc:
            db.session.rollback()
            form.title.errors.append(str(exc))
        else:
            db.session.commit()
            flash("已保存", "success")
            return redirect(url_for(".detail", law_id=law.id))
    return render_template("laws/edit.html", form=form, law=law)


@bp.post("/<int:law_id>/repeal")
@require(Perm.MANAGE_STUDY)
def repeal(law_id):
    law = services.get_law(law_id)
    try:
        flagged = services.repeal_law(law, actor=current_actor())
    except LawError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(f"已标记为已废止；{flagged}项引用待复核", "success")
    return redirect(url_for(".detail", law_id=law.id))


@bp.get("/review")
@require(Perm.MANAGE_STUDY)
def review():
    return render_template("laws/review.html", rows=references.flagged(current_user))
