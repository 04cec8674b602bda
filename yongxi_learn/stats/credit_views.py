"""学时: the names behind a 学时达标率 and their download, and the district's form for
the yearly targets per 人员类别 (stats.credits)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..core.time import local_today, utcnow
from ..extensions import db
from ..org.actors import current_actor
from ..org.models import Category, UnitKind
from ..org.permissions import Perm, can, require
from ..org.services import units_in_scope
from . import credit_section, credits
from .forms import CreditTargetForm
from .tables import Table, safe_filename, title_lines
from .thresholds import ThresholdError
from .views import _page_context, _scope, _send, bp


def _districts():
    return [
        u
        for u in units_in_scope(current_user, Perm.SET_THRESHOLDS, include_inactive=False)
        if u.kind is UnitKind.DISTRICT
    ]


@bp.context_processor
def _credit_helpers():
    return {
        "credit_definition": credit_section.DEFINITION,
        "credit_order_note": credit_section.ORDER_NOTE,
        "may_set_targets": lambda: bool(_districts()),
    }


def _names_query():
    """The asked list: ?met=1 达标, ?met=0 未达标, none: everyone with a target;
    ?own=1 only the unit's own people; ?category= one 人员类别."""
    scope = _scope()
    met = {"1": True, "0": False}.get(request.args.get("met", ""))
    own = request.args.get("own") == "1"
    category = request.args.get("category", "")
    found = credits.names(scope.year, scope.unit, met=met, user=current_user, own=own)
    if category:
        if category not in set(Category):
            abort(404)
        found = [s for s in found if s.category is Category(category)]
    label = {True: "学时达标名单", False: "学时未达标名单", None: "应达标人员名单"}[met]
    if category:
        label = f"{Category(category).label}{label}"
    return scope, found, label, {"met": request.args.get("met"), "own": "1" if own else None}


@bp.get("/credits/names")
@require(Perm.VIEW_STATS)
def credit_names():
    scope, found, label, extra = _names_query()
    context = _page_context(scope)
    return render_template(
        "stats/credit_names.html",
        rows=found,
        label=label,
        extra={**extra, "category": request.args.get("category") or None},
        targets=credits.describe_targets(credits.targets_for(scope.year, scope.unit)),
        hours=credits.hours_text,
        **context,
    )


@bp.get("/credits/names.xlsx")
@require(Perm.VIEW_STATS)
def credit_names_export():
    scope, found, label, _extra = _names_query()
    title = title_lines(scope.year, scope.unit, label)
    title[1] = credit_section.DEFINITION
    table = Table(label, credit_section.NAME_HEADERS, credit_section.name_rows(found), title)
    stem = safe_filename(f"{scope.year}年{scope.unit.name}{label}")
    return _send("xlsx", [table], stem, scope)


@bp.route("/credits/targets", methods=["GET", "POST"])
@require(Perm.SET_THRESHOLDS)
def credit_targets():
    districts = _districts()
    if not districts:
        abort(403)  # a town's admin: the town keeps the district's targets
    unit_id = request.args.get("unit", type=int)
    district = next((d for d in districts if d.id == unit_id), districts[0])
    year = request.args.get("year", type=int) or local_today().year
    if not 2000 <= year <= 2100:
        abort(404)
    current = credits.targets_for(year, district)
    data = {c.value: credits.hours_text(h) for c, h in current.items()}
    form = CreditTargetForm(data=data)
    if request.method == "GET":
        form.year.data = year
    if form.validate_on_submit():
        values = {c: getattr(form, c.value).data for c in Category}
        try:
            credits.set_targets(
                district, form.year.data, values, actor=current_actor(), now=utcnow()
            )
        except ThresholdError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(f"已保存{form.year.data}年学时目标", "success")
            args = {"year": form.year.data, "unit": district.id}
            return redirect(url_for("stats.index", **args) + "#section-credits")
    return render_template(
        "stats/credit_targets.html",
        form=form,
        fields=[getattr(form, c.value) for c in Category],
        district=district,
        districts=districts,
        year=year,
        may_view=can(current_user, Perm.VIEW_STATS, district),
        may_copy=bool(current) and credits.target_setter(year, district) == district,
    )


@bp.post("/credits/targets/copy")
@require(Perm.SET_THRESHOLDS)
def credit_targets_copy():
    """复制到新年度: this year's 学时 targets as next year's."""
    district = next((d for d in _districts() if d.id == request.form.get("unit", type=int)), None)
    year = request.form.get("year", type=int)
    if district is None or year is None or not 2000 <= year < 2100:
        abort(404)
    try:
        credits.copy_targets_to_next_year(district, year, actor=current_actor(), now=utcnow())
    except ThresholdError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("stats.credit_targets", unit=district.id, year=year))
    db.session.commit()
    flash(f"已将{year}年学时目标复制为{year + 1}年的学时目标", "success")
    return redirect(url_for("stats.credit_targets", unit=district.id, year=year + 1))
