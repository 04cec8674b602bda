"""The report section pages: pick a year and a unit, draft from the records, edit,
check against the records, download as a 公文 .docx or as text."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..core.forms import run_service
from ..core.net import client_address
from ..core.spreadsheet_out import content_disposition
from ..core.time import local_today, utcnow
from ..extensions import db
from ..org import audit
from ..org.actors import current_actor
from ..org.forms import unit_choices
from ..org.permissions import Perm, can, require
from ..org.services import units_in_scope
from ..org.year_close import frozen, message, standing_close
from . import gongwen, services
from .forms import DraftForm, EditForm, TemplateForm
from .models import ReportDraft, ReportVersion
from .services import ReportError

bp = Blueprint("reports", __name__)

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _draft(draft_id: int) -> ReportDraft:
    record = db.session.get(ReportDraft, draft_id)
    if record is None or not can(current_user, Perm.VIEW_STATS, record.unit):
        abort(404)
    return record


def _version(record: ReportDraft) -> ReportVersion:
    """The version asked for; else the one a closed year froze, else the latest."""
    number = request.args.get("version", type=int)
    versions = {v.number: v for v in record.versions}
    if not number:
        close = standing_close(record.unit, record.year)
        number = close.report_version_number if close is not None else None
    version = versions.get(number) if number else services.latest(record)
    if version is None:
        abort(404)
    return version


@bp.route("/", methods=["GET", "POST"])
@require(Perm.VIEW_STATS)
def index():
    units = units_in_scope(current_user, Perm.MANAGE_REPORTS, include_inactive=False)
    form = DraftForm(data={"year": local_today().year - 1})
    form.unit_id.choices = unit_choices(units)
    if request.method == "POST" and not units:
        abort(403)  # 审阅人 and unit admins read drafts; only report makers write them
    if form.validate_on_submit():
        unit = next((u for u in units if u.id == form.unit_id.data), None)
        if unit is None:
            abort(403)
        try:
            version = services.draft(form.year.data, unit, actor=current_actor(), now=utcnow())
        except ReportError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(f"已根据记录生成第{version.number}稿", "success")
            return redirect(url_for(".show", draft_id=version.draft_id))
    drafts = [
        d
        for d in db.session.scalars(
            db.select(ReportDraft).order_by(ReportDraft.year.desc(), ReportDraft.id)
        )
        if can(current_user, Perm.VIEW_STATS, d.unit)
    ]
    return render_template("reports/index.html", form=form, drafts=drafts, may_draft=bool(units))


@bp.route("/<int:draft_id>", methods=["GET", "POST"])
@require(Perm.VIEW_STATS)
def show(draft_id):
    record = _draft(draft_id)
    # A closed year's report is its record: read, downloaded, never edited (年度关账).
    closed = frozen(record.unit, record.year, below=False)
    may_edit = can(current_user, Perm.MANAGE_REPORTS, record.unit) and not closed
    version = _version(record)
    form = EditForm(data={"title": version.title, "text": version.text})
    if request.method == "POST":
        if closed and can(current_user, Perm.MANAGE_REPORTS, record.unit):
            flash(message(record.year), "danger")
            return redirect(url_for(".show", draft_id=record.id))
        if not may_edit:
            abort(403)
        if form.validate_on_submit():
            saved = run_service(
                lambda: services.save(
                    record, form.title.data, form.text.data, actor=current_actor()
                ),
                "已保存为新的一稿",
                (ReportError,),
            )
            if saved:
                return redirect(url_for(".show", draft_id=record.id))
    # A template that fails (refused, over its bounds) is said on this draft's preview,
    # which still shows the saved text: the page answers 200 whatever the template does.
    checked, check_error = None, ""
    try:
        checked = services.check(version, user=current_user, now=utcnow())
    except ReportError as exc:
        check_error = str(exc)
    return render_template(
        "reports/draft.html",
        record=record,
        version=version,
        checked=checked,
        check_error=check_error,
        form=form,
        may_edit=may_edit,
        closed=closed,
        frozen_close=standing_close(record.unit, record.year) if closed else None,
    )


@bp.post("/<int:draft_id>/redraft")
@require(Perm.MANAGE_REPORTS)
def redraft(draft_id):
    record = _draft(draft_id)
    run_service(
        lambda: services.draft(record.year, record.unit, actor=current_actor(), now=utcnow()),
        "已根据最新记录重新生成一稿",
        (ReportError,),
    )
    return redirect(url_for(".show", draft_id=record.id))


def download_name(version: ReportVersion, ext: str, *, stale: bool = False) -> str:
    mark = "，数字待核" if stale else ""
    return f"{version.title}（第{version.number}稿{mark}）.{ext}"


def _attachment(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    # The ASCII fallback keeps the extension: a browser that reads only ``filename``
    # saves "download.docx", a file its owner can open.
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:draft_id>/download.<fmt>")
@require(Perm.VIEW_STATS)
def download(draft_id, fmt):
    if fmt not in ("docx", "txt"):
        abort(404)
    record = _draft(draft_id)
    version = _version(record)
    # A version whose numbers the records no longer bear out is marked at the top of
    # the file and in its name, as the page marks it.
    notice = services.notice_for(version, user=current_user, now=utcnow())
    wording = services.wording(version, notice)
    audit.record_download(
        "report.download",
        actor=current_user,
        address=client_address(),
        obj=record,
        detail=f"{version.title} 第{version.number}稿 .{fmt}"
        + ("（数字与当前记录不符，已标注）" if notice else ""),
    )
    name = download_name(version, fmt, stale=bool(notice))
    if fmt == "docx":
        return _attachment(gongwen.build(wording), DOCX_MIMETYPE, name)
    body = gongwen.plain_text(wording).encode("utf-8")
    return _attachment(body, "text/plain; charset=utf-8", name)


@bp.route("/template", methods=["GET", "POST"])
@require(Perm.MANAGE_REPORTS)
def template():
    units = units_in_scope(current_user, Perm.MANAGE_REPORTS, include_inactive=False)
    unit = next((u for u in units if u.id == request.args.get("unit", type=int)), units[0])
    form = TemplateForm(data={"text": services.template_for(unit)})
    if form.validate_on_submit():
        if request.form.get("reset"):
            change = lambda: services.reset_template(unit, actor=current_actor())  # noqa: E731
            message = "已恢复默认模板"
        else:
            change = lambda: services.set_template(  # noqa: E731
                unit,
                form.text.data,
                actor=current_actor(),
                year=local_today().year - 1,
                now=utcnow(),
            )
            message = "模板已保存"
        if run_service(change, message, (ReportError,)):
            return redirect(url_for(".template", unit=unit.id))
    return render_template(
        "reports/template.html",
        form=form,
        unit=unit,
        units=units,
        default=services.DEFAULT_TEMPLATE,
        source=services.template_source(unit),
    )
