"""The 年度关账 page of a unit's year: its closes (the frozen figures checked against
the records), the close with its confirmation, the reopening with its reason."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..core.exceptions import NotFound
from ..core.time import local_today, utcnow
from ..extensions import db
from ..org.actors import current_actor
from ..org.models import OrgUnit
from ..org.permissions import Perm, can, require
from ..org.services import units_in_scope
from ..org.subtrees import child_units
from ..org.year_close import frozen, history, standing_close
from . import closing
from .closing import CycleError

bp = Blueprint("cycle", __name__)


def _unit(unit_id: int, *, closable: bool = True) -> OrgUnit:
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or (closable and unit.kind not in closing.CLOSABLE):
        abort(404)
    if not can(current_user, Perm.VIEW_STATS, unit):
        abort(404)
    return unit


def _holder(unit: OrgUnit) -> OrgUnit | None:
    """The 镇 or 区 whose close covers ``unit`` (a 科室 or a village closes with it)."""
    for unit_id in reversed(unit.path_ids):
        above = db.session.get(OrgUnit, unit_id)
        if above is not None and above.kind in closing.CLOSABLE:
            return above
    return None


def _year(value) -> int:
    year = value if value is not None else local_today().year - 1
    if not 2000 <= year <= 2100:
        abort(404)
    return year


@bp.get("/")
@require(Perm.VIEW_STATS)
def index():
    """The first district or town in the viewer's scope (or the one asked for)."""
    units = [
        u
        for u in units_in_scope(current_user, Perm.VIEW_STATS, include_inactive=False)
        if u.kind in closing.CLOSABLE
    ]
    if not units:
        abort(404)
    wanted = request.args.get("unit", type=int)
    unit = next((u for u in units if u.id == wanted), units[0])
    year = _year(request.args.get("year", type=int))
    return redirect(url_for(".show", close_unit_id=unit.id, year=year))


@bp.get("/<int:close_unit_id>")
@require(Perm.VIEW_STATS)
def show(close_unit_id):
    unit = _unit(close_unit_id, closable=False)
    year = _year(request.args.get("year", type=int))
    if unit.kind not in closing.CLOSABLE:
        return render_template(
            "cycle/covered.html",
            unit=unit,
            year=year,
            holder=_holder(unit),
            closed=frozen(unit, year, below=False),
        )
    now = utcnow()
    standing = standing_close(unit, year)
    diffs = closing.differences(standing, now=now) if standing is not None else []
    towns = []
    for town in child_units(unit):
        if (
            town.kind in closing.CLOSABLE
            and town.active
            and can(current_user, Perm.VIEW_STATS, town)
        ):
            towns.append((town, standing_close(town, year)))
    units = [
        u
        for u in units_in_scope(current_user, Perm.VIEW_STATS, include_inactive=False)
        if u.kind in closing.CLOSABLE
    ]
    return render_template(
        "cycle/show.html",
        unit=unit,
        units=units,
        year=year,
        standing=standing,
        diffs=diffs,
        version=closing.frozen_version(standing)
        if standing
        else closing.report_version(year, unit),
        earlier=[c for c in history(unit, year) if not c.standing],
        towns=towns,
        may_close=standing is None and closing.may_close(current_user, unit),
        may_reopen=standing is not None and closing.may_reopen(current_user, unit),
        authority=closing.reopen_authority(unit),
    )


@bp.post("/<int:close_unit_id>/close")
@require(Perm.CLOSE_YEAR)
def close(close_unit_id):
    unit = _unit(close_unit_id)
    year = _year(request.form.get("year", type=int))
    back = redirect(url_for(".show", close_unit_id=unit.id, year=year))
    if request.form.get("confirm", "").strip() != str(year):
        flash(f"请在确认框中输入年度“{year}”后再关账", "danger")
        return back
    try:
        closes = closing.close_year(unit, year, actor=current_actor(), now=utcnow())
    except NotFound:
        abort(404)
    except CycleError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return back
    db.session.commit()
    more = f"，并随区关账{len(closes) - 1}个镇（街道）" if len(closes) > 1 else ""
    flash(f"已关账：{unit.name}{year}年度的数字和报告稿已存档{more}", "success")
    return back


@bp.post("/<int:close_unit_id>/reopen")
@require(Perm.CLOSE_YEAR)
def reopen(close_unit_id):
    unit = _unit(close_unit_id)
    year = _year(request.form.get("year", type=int))
    back = redirect(url_for(".show", close_unit_id=unit.id, year=year))
    try:
        reopened = closing.reopen_year(
            unit, year, request.form.get("reason", ""), actor=current_actor(), now=utcnow()
        )
    except NotFound:
        abort(404)
    except CycleError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return back
    db.session.commit()
    names = "、".join(c.unit.name for c in reopened)
    flash(f"已重新开放{year}年度（{names}），更正后请重新关账", "success")
    return back
