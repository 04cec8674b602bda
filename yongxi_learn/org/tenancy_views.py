"""The district's pages for its towns (镇街管理) and every unit's settings (单位设置)."""

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from ..core.exceptions import NotFound
from ..core.forms import flash_errors, run_service
from ..core.import_views import read_upload
from ..core.spreadsheets import XLSX_MIMETYPE, ImportRejected, Limits
from ..core.staging import ImportChanged, ImportExpired, ImportInvalid
from ..extensions import db
from . import services, tenancy, unit_settings
from .actors import current_actor
from .forms import HandOverForm, RetireForm, SettingForm, TownForm
from .models import OrgUnit
from .permissions import Perm, require

bp = Blueprint("tenancy", __name__)


def _limits() -> Limits:
    return Limits.from_config(current_app.config)


def _district():
    districts = tenancy.districts_of(current_user)
    if not districts:
        abort(404)
    wanted = request.args.get("district", type=int)
    return next((d for d in districts if d.id == wanted), districts[0])


def _town(town_id: int):
    try:
        return tenancy.get_town(town_id, actor=current_actor())
    except NotFound:
        abort(404)


# ---------------------------------------------------------------- the towns


@bp.get("/towns/")
@require(Perm.MANAGE_UNITS)
def towns():
    district = _district()
    return render_template("org/towns.html", district=district, rows=tenancy.towns(district))


@bp.get("/towns/template.xlsx")
@require(Perm.MANAGE_UNITS)
def town_template():
    _district()
    return send_file(
        io.BytesIO(tenancy.unit_template(_limits())),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name="镇街单位名单模板.xlsx",
    )


def _spec(form: TownForm, district) -> tenancy.TownSpec:
    return tenancy.TownSpec(
        district_id=district.id,
        name=form.name.data or "",
        admin_name=form.admin_name.data or "",
        admin_phone=form.admin_phone.data or "",
        admin_post=form.admin_post.data or "",
    )


def _new_page(form, district, problem: str = ""):
    limits = _limits()
    return render_template(
        "org/town_new.html",
        form=form,
        district=district,
        problem=problem,
        max_rows=limits.max_rows,
    )


@bp.route("/towns/new", methods=["GET", "POST"])
@require(Perm.MANAGE_UNITS)
def new_town():
    district = _district()
    form = TownForm()
    if request.method == "GET":
        return _new_page(form, district)
    if not form.validate_on_submit():
        flash_errors(form)
        return _new_page(form, district)
    content, filename = b"", ""
    if form.file.data:
        content, filename = read_upload(form.file.data, _limits())
    try:
        pending, plan = tenancy.stage_town(
            _spec(form, district), content, filename, actor=current_actor(), limits=_limits()
        )
    except ImportRejected as exc:
        return _new_page(form, district, problem=str(exc))
    db.session.commit()
    return render_template("org/town_preview.html", plan=plan, pending=pending, form=form)


@bp.post("/towns/<token>/confirm")
@require(Perm.MANAGE_UNITS)
def confirm_town(token):
    district = _district()
    form = TownForm()
    spec = _spec(form, district)
    try:
        result = tenancy.confirm_town(
            spec, token, request.form.get("plan", ""), actor=current_actor(), limits=_limits()
        )
    except ImportExpired:
        db.session.rollback()
        flash("上传的文件已过期，请重新填写", "warning")
        return redirect(url_for(".new_town", district=district.id))
    except (ImportChanged, ImportInvalid) as exc:
        db.session.rollback()
        pending = getattr(exc, "pending", None)
        return render_template(
            "org/town_preview.html", plan=exc.plan, pending=pending, form=form, changed=True
        )
    except (ImportRejected, services.OrgError) as exc:
        db.session.rollback()
        flash(f"未开通，没有写入任何数据（{exc}）", "danger")
        return redirect(url_for(".new_town", district=district.id))
    db.session.commit()
    return render_template("org/town_done.html", result=result)


@bp.route("/towns/<int:town_id>/hand-over", methods=["GET", "POST"])
@require(Perm.MANAGE_UNITS)
def hand_over(town_id):
    town = _town(town_id)
    form = HandOverForm()
    if form.validate_on_submit():
        try:
            result = tenancy.hand_over(
                town,
                phone=form.phone.data,
                name=form.name.data or "",
                post=form.post.data or "",
                actor=current_actor(),
            )
        except services.OrgError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            return render_template("org/town_handed_over.html", town=town, result=result)
    elif request.method == "POST":
        flash_errors(form)
    admins = next((row.admins for row in tenancy.towns(town.parent) if row.town.id == town.id), [])
    return render_template("org/town_hand_over.html", town=town, form=form, admins=admins)


@bp.route("/towns/<int:town_id>/retire", methods=["GET", "POST"])
@require(Perm.MANAGE_UNITS)
def retire(town_id):
    town = _town(town_id)
    form = RetireForm()
    if form.validate_on_submit():
        try:
            done = tenancy.retire(town, confirm_name=form.confirm_name.data, actor=current_actor())
        except services.OrgError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(
                f"已撤销“{town.name}”：停用{done.people}人、{done.units}个单位，"
                f"撤销{done.grants}项权限；历年记录和统计保留",
                "success",
            )
            return redirect(url_for(".towns", district=town.parent_id))
    elif request.method == "POST":
        flash_errors(form)
    row = next(row for row in tenancy.towns(town.parent) if row.town.id == town.id)
    return render_template("org/town_retire.html", town=town, form=form, row=row)


# ---------------------------------------------------------------- settings


def _setting_units() -> list[OrgUnit]:
    return [
        u
        for u in services.units_in_scope(current_user, Perm.MANAGE_UNITS, include_inactive=False)
        if u.kind in unit_settings.SETTING_KINDS
    ]


@bp.route("/settings", methods=["GET", "POST"])
@require(Perm.MANAGE_UNITS)
def settings():
    units = _setting_units()
    if not units:
        abort(404)
    unit = next((u for u in units if u.id == request.args.get("unit", type=int)), units[0])
    form = SettingForm()
    if form.validate_on_submit():
        key = form.key.data
        if request.form.get("inherit"):
            change = lambda: unit_settings.inherit(unit, key, actor=current_actor())  # noqa: E731
            message = "已改为沿用上级设置"
        else:
            change = lambda: unit_settings.set_value(  # noqa: E731
                unit, key, form.value.data or "", actor=current_actor()
            )
            message = "已保存"
        try:
            run_service(change, message, (services.OrgError,))
        except NotFound:
            abort(404)
        return redirect(url_for(".settings", unit=unit.id))
    if request.method == "POST":
        flash_errors(form)
    return render_template(
        "org/settings.html",
        unit=unit,
        units=units,
        rows=unit_settings.in_force(unit),
    )
