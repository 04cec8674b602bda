"""达标情况: the board of a district's or a town's units against the year's thresholds,
its download, and the district's form for the thresholds (stats.thresholds)."""

from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..core.time import local_today, utcnow
from ..extensions import db
from ..org.actors import current_actor
from ..org.models import UnitKind
from ..org.permissions import Perm, can, require
from ..org.services import units_in_scope
from . import queries, thresholds
from .forms import ThresholdForm
from .sections import Scope
from .tables import Table, safe_filename, title_lines
from .views import _page_context, _scope, _send, bp

ORDER_NOTE = "各单位按名称排列，与数字高低无关。"


def _years(scope: Scope) -> list[int]:
    return sorted({*_page_context(scope)["years"], local_today().year - 1}, reverse=True)


@bp.get("/thresholds")
@require(Perm.VIEW_STATS)
def threshold_board():
    scope = _scope()
    data = thresholds.board(scope.year, scope.unit, user=current_user, now=scope.now)
    districts = _districts()
    context = _page_context(scope)
    context["years"] = _years(scope)
    return render_template(
        "stats/thresholds.html",
        board=data,
        described=thresholds.describe(data.thresholds),
        may_set=any(d.contains(scope.unit) or scope.unit.contains(d) for d in districts),
        order_note=ORDER_NOTE,
        **context,
    )


@bp.get("/thresholds/export.<fmt>")
@require(Perm.VIEW_STATS)
def threshold_export(fmt):
    scope = _scope()
    data = thresholds.board(scope.year, scope.unit, user=current_user, now=scope.now)
    stem = safe_filename(f"{scope.year}年{scope.unit.name}达标情况")
    return _send(fmt, [board_table(scope, data)], stem, scope)


def board_table(scope: Scope, data: thresholds.Board) -> Table:
    """The board as one sheet, rows in the page's order (by name, not by figure)."""
    title = title_lines(scope.year, scope.unit, "达标情况")
    title[1] = f"达标要求：{thresholds.describe(data.thresholds)}。{ORDER_NOTE}"
    title.insert(2, queries.DEFINITIONS)
    headers, rates = ["单位"], set()
    for req in data.requirements:
        rates.add(len(headers))
        headers += [req.label, "结果", _names_header(req)]
    rows = []
    for row in data.rows:
        cells = [row.label]
        for cell in row.cells:
            behind = cell.count if cell.met is False else ""
            cells += [cell.rate, cell.verdict, "、".join(cell.names) if cell.names else behind]
        rows.append(cells)
    return Table("达标情况", headers, rows, title, frozenset(rates))


def _names_header(req: thresholds.Requirement) -> str:
    return {
        "participation": "未参考人数",
        "pass_rate": "未通过人数",
        "villages": "未覆盖的村（社区）",
        "leaders": "未完成选学的领导干部",
    }[req.key]


def _form_data(row) -> dict:
    """The saved thresholds as the form shows them: 95, 92.5 (not 95.0)."""
    data = {"leaders_chosen": row.leaders_chosen}
    for name in ("participation", "pass_rate", "villages"):
        value = getattr(row, name)
        if value is not None and value == value.to_integral_value():
            value = value.quantize(Decimal(1))
        data[name] = value
    return data


def _districts():
    return [
        u
        for u in units_in_scope(current_user, Perm.SET_THRESHOLDS, include_inactive=False)
        if u.kind is UnitKind.DISTRICT
    ]


@bp.route("/thresholds/edit", methods=["GET", "POST"])
@require(Perm.SET_THRESHOLDS)
def threshold_edit():
    districts = _districts()
    if not districts:
        abort(403)  # a town's admin: the town keeps the district's thresholds
    unit_id = request.args.get("unit", type=int)
    district = next((d for d in districts if d.id == unit_id), districts[0])
    year = request.args.get("year", type=int) or local_today().year - 1
    if not 2000 <= year <= 2100:
        abort(404)
    current = thresholds.thresholds_for(year, district)
    form = ThresholdForm(data=_form_data(current) if current else None)
    if request.method == "GET":
        form.year.data = year
    if form.validate_on_submit():
        try:
            thresholds.set_thresholds(
                district,
                form.year.data,
                participation=form.participation.data,
                pass_rate=form.pass_rate.data,
                villages=form.villages.data,
                leaders_chosen=form.leaders_chosen.data,
                actor=current_actor(),
                now=utcnow(),
            )
        except thresholds.ThresholdError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(f"已保存{form.year.data}年达标要求", "success")
            args = {"year": form.year.data, "unit": district.id}
            return redirect(url_for("stats.threshold_board", **args))
    return render_template(
        "stats/threshold_form.html",
        form=form,
        district=district,
        districts=districts,
        year=year,
        may_view=can(current_user, Perm.VIEW_STATS, district),
        may_copy=current is not None and not current.empty,
    )


@bp.post("/thresholds/copy")
@require(Perm.SET_THRESHOLDS)
def threshold_copy():
    """复制到新年度: this year's thresholds as next year's."""
    districts = _districts()
    district = next((d for d in districts if d.id == request.form.get("unit", type=int)), None)
    year = request.form.get("year", type=int)
    if district is None or year is None or not 2000 <= year < 2100:
        abort(404)
    try:
        thresholds.copy_to_next_year(district, year, actor=current_actor(), now=utcnow())
    except thresholds.ThresholdError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("stats.threshold_edit", unit=district.id, year=year))
    db.session.commit()
    flash(f"已将{year}年达标要求复制为{year + 1}年的达标要求", "success")
    return redirect(url_for("stats.threshold_edit", unit=district.id, year=year + 1))
