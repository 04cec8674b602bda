"""Admin pages for units and people. Views parse forms, call services, commit."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from ..core.forms import flash_errors, search_data, search_page
from ..extensions import db
from . import audit_search, services, tenancy, unit_settings
from .actors import current_actor
from .forms import (
    GrantForm,
    MoveUnitForm,
    PeopleFilterForm,
    PersonForm,
    RenameUnitForm,
    UnitForm,
    unit_choices,
)
from .models import Category, OrgUnit, Role, RoleGrant, UnitKind, User
from .permissions import Perm, can, require
from .privacy import shown_phone

bp = Blueprint("org", __name__)


# ---------------------------------------------------------------- units


@bp.get("/units")
@require(Perm.MANAGE_UNITS)
def units():
    all_units = services.units_in_scope(current_user, Perm.MANAGE_UNITS)
    form = UnitForm()
    form.parent_id.choices = unit_choices([u for u in all_units if u.active])
    ids = {u.id for u in all_units}
    children: dict[int, list[OrgUnit]] = {}
    for u in all_units:
        children.setdefault(u.parent_id, []).append(u)
    roots = [u for u in all_units if u.parent_id not in ids]
    return render_template(
        "org/units.html",
        form=form,
        roots=roots,
        children=children,
        districts=tenancy.districts_of(current_user),
        has_settings=any(u.kind in unit_settings.SETTING_KINDS for u in all_units if u.active),
    )


@bp.post("/units")
@require(Perm.MANAGE_UNITS)
def create_unit():
    form = UnitForm()
    form.parent_id.choices = unit_choices(
        services.units_in_scope(current_user, Perm.MANAGE_UNITS, include_inactive=False)
    )
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("org.units"))
    parent = services.get_unit(form.parent_id.data, user=current_user, perm=Perm.MANAGE_UNITS)
    try:
        unit = services.create_unit(
            form.name.data, UnitKind(form.kind.data), parent, actor=current_actor()
        )
    except services.OrgError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(f"已新建单位“{unit.name}”", "success")
    return redirect(url_for("org.units"))


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@require(Perm.MANAGE_UNITS)
def edit_unit(unit_id):
    unit = services.get_unit(unit_id, user=current_user, perm=Perm.MANAGE_UNITS)
    rename = RenameUnitForm(prefix="rename", data={"name": unit.name})
    move = MoveUnitForm(prefix="move", data={"parent_id": unit.parent_id})
    move.parent_id.choices = unit_choices(
        [
            u
            for u in services.units_in_scope(
                current_user, Perm.MANAGE_UNITS, include_inactive=False
            )
            if not unit.contains(u)
        ]
    )
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "rename" and rename.validate_on_submit():
                services.rename_unit(unit, rename.name.data, actor=current_actor())
            elif action == "move" and move.validate_on_submit():
                new_parent = services.get_unit(
                    move.parent_id.data, user=current_user, perm=Perm.MANAGE_UNITS
                )
                services.move_unit(unit, new_parent, actor=current_actor())
            elif action in {"activate", "deactivate"}:
                services.set_unit_active(unit, action == "activate", actor=current_actor())
            else:
                flash_errors(rename if action == "rename" else move)
                return redirect(url_for("org.edit_unit", unit_id=unit.id))
        except services.OrgError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash("已保存", "success")
        return redirect(url_for("org.edit_unit", unit_id=unit_id))
    return render_template("org/unit_edit.html", unit=unit, rename=rename, move=move)


# ---------------------------------------------------------------- people


@bp.route("/people", methods=["GET", "POST"])
@require(Perm.VIEW_PEOPLE)
def people():
    form = PeopleFilterForm(formdata=search_data())
    visible_units = services.units_in_scope(current_user, Perm.VIEW_PEOPLE)
    form.unit.choices = [SelectChoice(0, "全部单位"), *unit_choices(visible_units)]
    query = services.PeopleQuery(
        text=form.q.data or "",
        unit_id=form.unit.data if form.unit.data in {u.id for u in visible_units} else None,
        category=Category(form.category.data) if form.category.data in set(Category) else None,
        include_inactive=bool(form.inactive.data),
    )
    page = db.paginate(
        services.people_select(current_user, query),
        page=search_page(),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template("org/people.html", form=form, page=page)


def _person_form(person: User | None = None) -> PersonForm:
    form = PersonForm(obj=person)
    units = services.units_in_scope(current_user, Perm.MANAGE_PEOPLE, include_inactive=False)
    if person is not None and person.unit not in units:
        units = [person.unit, *units]
    form.unit_id.choices = unit_choices(units)
    if person is not None and request.method == "GET":
        form.category.data = person.category.value
    return form


@bp.route("/people/new", methods=["GET", "POST"])
@require(Perm.MANAGE_PEOPLE)
def new_person():
    form = _person_form()
    if form.validate_on_submit():
        unit = services.get_unit(form.unit_id.data, user=current_user, perm=Perm.MANAGE_PEOPLE)
        try:
            person, password = services.create_person(
                name=form.name.data,
                phone=form.phone.data,
                unit=unit,
                category=Category(form.category.data),
                post=form.post.data,
                actor=current_actor(),
            )
        except services.OrgError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            return render_template("org/password_shown.html", person=person, password=password)
    return render_template("org/person_form.html", form=form, person=None)


@bp.route("/people/<int:person_id>", methods=["GET", "POST"])
@require(Perm.VIEW_PEOPLE)
def person(person_id):
    person = services.get_person(person_id, user=current_user, perm=Perm.VIEW_PEOPLE)
    may_edit = services.may_manage_person(current_user, person)
    form = _person_form(person)
    if not may_edit:  # 审阅人 and others read the person, the phone as the one rule says
        form.phone.data = shown_phone(person.phone, person.unit)
    if request.method == "POST":
        if not may_edit:
            abort(403)
        if form.validate_on_submit():
            unit = services.get_unit(form.unit_id.data, user=current_user, perm=Perm.MANAGE_PEOPLE)
            try:
                services.update_person(
                    person,
                    name=form.name.data,
                    phone=form.phone.data,
                    unit=unit,
                    category=Category(form.category.data),
                    post=form.post.data or "",
                    actor=current_actor(),
                )
            except services.OrgError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
            else:
                db.session.commit()
                flash("已保存", "success")
                return redirect(url_for("org.person", person_id=person.id))
    grant_form = GrantForm(prefix="grant")
    grant_form.unit_id.choices = unit_choices(
        services.units_in_scope(current_user, Perm.GRANT_ROLES, include_inactive=False)
    )
    return render_template(
        "org/person_form.html", form=form, person=person, may_edit=may_edit, grant_form=grant_form
    )


@bp.post("/people/<int:person_id>/active")
@require(Perm.MANAGE_PEOPLE)
def set_person_active(person_id):
    person = services.get_person(person_id, user=current_user, perm=Perm.MANAGE_PEOPLE)
    active = request.form.get("active") == "1"
    try:
        services.set_person_active(person, active, actor=current_actor())
    except services.OrgError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(f"已{'启用' if active else '停用'}{person.name}的账号", "success")
    return redirect(url_for("org.person", person_id=person.id))


@bp.post("/people/<int:person_id>/reset-password")
@require(Perm.MANAGE_PEOPLE)
def reset_password(person_id):
    person = services.get_person(person_id, user=current_user, perm=Perm.MANAGE_PEOPLE)
    try:
        password = services.reset_password(person, actor=current_actor())
    except services.OrgError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("org.person", person_id=person.id))
    db.session.commit()
    return render_template("org/password_shown.html", person=person, password=password, reset=True)


@bp.post("/people/<int:person_id>/grants")
@require(Perm.GRANT_ROLES)
def grant_role(person_id):
    person = services.get_person(person_id, user=current_user, perm=Perm.VIEW_PEOPLE)
    form = GrantForm(prefix="grant")
    form.unit_id.choices = unit_choices(
        services.units_in_scope(current_user, Perm.GRANT_ROLES, include_inactive=False)
    )
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("org.person", person_id=person.id))
    unit = services.get_unit(form.unit_id.data, user=current_user, perm=Perm.GRANT_ROLES)
    try:
        services.grant_role(person, Role(form.role.data), unit, actor=current_actor())
    except services.OrgError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash("已授权", "success")
    return redirect(url_for("org.person", person_id=person.id))


@bp.post("/grants/<int:grant_id>/revoke")
@require(Perm.GRANT_ROLES)
def revoke_role(grant_id):
    grant = db.get_or_404(RoleGrant, grant_id)
    if not can(current_user, Perm.GRANT_ROLES, grant.unit):
        abort(404)
    person_id = grant.user_id
    try:
        services.revoke_role(grant, actor=current_actor())
    except services.OrgError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash("已撤销", "success")
    return redirect(url_for("org.person", person_id=person_id))


# ---------------------------------------------------------------- audit


@bp.route("/audit", methods=["GET", "POST"])
@require(Perm.VIEW_AUDIT)
def audit_log():
    form = audit_search.AuditFilterForm()
    query = audit_search.AuditQuery()
    if form.is_submitted():
        query = audit_search.AuditQuery.from_form(form)
    select = audit_search.search(current_user, query)
    page = db.paginate(select, page=search_page(), per_page=50, error_out=False)
    return render_template("org/audit.html", page=page, form=form)
