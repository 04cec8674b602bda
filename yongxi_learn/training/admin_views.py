"""Training admin pages: the list, create / edit / cancel, the live attendance list with
hand marks and their undoing, downloads, the projector page and the kinds.

Views parse forms, call the services and commit once. A session out of the viewer's
scope is a 404; changes need MANAGE_TRAINING over the organising unit.
"""

import sqlalchemy as sa
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
from wtforms import SelectChoice

from ..core.forms import flash_errors, run_service
from ..core.time import utcnow
from ..extensions import db
from ..laws.services import current_laws
from ..org import audience as audience_module
from ..org.actors import current_actor
from ..org.audience import AudienceError
from ..org.forms import unit_choices
from ..org.models import User
from ..org.names import InvalidValue, normalise_phone
from ..org.permissions import Perm, can, require
from ..org.services import units_in_scope
from . import attendance, services, signin
from . import forms as training_forms
from .models import TrainingKind
from .services import TrainingError

bp = Blueprint("training_admin", __name__)
# The downloads, the projector and the name lists behind figures are in admin_sheets.py,
# on the same blueprint (imported by training.register).


def visible(session_id: int):
    session = services.get_session(session_id, user=current_user, perm=Perm.VIEW_TRAINING)
    if session is None:
        abort(404)
    return session


def manageable(session_id: int):
    session = services.get_session(session_id, user=current_user, perm=Perm.MANAGE_TRAINING)
    if session is None:
        abort(404)
    return session


def _run(change, success: str) -> bool:
    return run_service(change, success, (TrainingError,))


# ---------------------------------------------------------------- list


@bp.get("/")
@require(Perm.VIEW_TRAINING)
def index():
    form = training_forms.FilterForm(formdata=request.args)
    form.validate()
    units = units_in_scope(current_user, Perm.VIEW_TRAINING)
    form.unit.choices = [SelectChoice(0, "全部单位"), *unit_choices(units)]
    form.kind.choices = [
        SelectChoice(0, "全部类型"),
        *(SelectChoice(k.id, k.name) for k in services.kinds_for(current_user, Perm.VIEW_TRAINING)),
    ]
    unit = next((u for u in units if u.id == form.unit.data), None)
    query = services.sessions_select(
        current_user,
        year=form.year.data if not form.year.errors else None,
        kind_id=form.kind.data or None,
        unit=unit,
    )
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "training/admin_list.html",
        form=form,
        page=page,
        args=args,
        years=services.years(current_user),
        may_manage=can(current_user, Perm.MANAGE_TRAINING),
    )


# ---------------------------------------------------------------- create / edit


def _session_form(session=None):
    form = training_forms.SessionForm()
    owners = units_in_scope(current_user, Perm.MANAGE_TRAINING, include_inactive=False)
    form.owner_unit_id.choices = unit_choices(owners if session is None else [session.owner_unit])
    kinds = services.kinds_for(current_user, include_inactive=False)
    if session is not None and all(k.id != session.kind_id for k in kinds):
        kinds.append(session.kind)
    form.kind_id.choices = [SelectChoice(k.id, k.name) for k in kinds]
    form.law_ids.choices = _law_choices(session)
    owner = session.owner_unit if session else (owners[0] if owners else None)
    if request.method == "POST" and session is None:
        owner = next((u for u in owners if u.id == form.owner_unit_id.data), owner)
    form.audience_units.choices = unit_choices(
        [u for u in owners if owner is not None and owner.contains(u)]
    )
    if session is not None and request.method == "GET":
        form.fill(session)
        form.audience_phones.data = audience_module.phones_of(session.audience)
    return form, owner


def _law_choices(session) -> list[SelectChoice]:
    """Current laws, and the ones already linked (an amended law stays until re-pointed)."""
    choices = [SelectChoice(law.id, law.title) for law in current_laws()]
    present = {c.value for c in choices}
    for link in session.law_links if session else []:
        if link.law_id not in present:
            choices.append(
                SelectChoice(link.law_id, f"{link.law.title}（{link.law.status.label}）")
            )
    return choices


def _save(form, session, owner):
    try:
        people = audience_module.people_by_phones(form.audience_phones.data, owner)
    except AudienceError as exc:
        raise TrainingError(str(exc)) from exc
    data = form.data_for(people)
    if session is None:
        return services.create_session(owner, data, actor=current_actor())
    services.update_session(session, data, actor=current_actor())
    return session


def _edit_page(session):
    form, owner = _session_form(session)
    if owner is None:
        abort(403)
    if form.validate_on_submit():
        try:
            saved = _save(form, session, owner)
        except TrainingError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash("已保存", "success")
            return redirect(url_for(".detail", session_id=saved.id))
    elif request.method == "POST":
        flash_errors(form)
    return render_template("training/admin_form.html", form=form, session=session)


@bp.route("/new", methods=["GET", "POST"])
@require(Perm.MANAGE_TRAINING)
def new():
    return _edit_page(None)


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@require(Perm.MANAGE_TRAINING)
def edit(session_id):
    return _edit_page(manageable(session_id))


@bp.post("/<int:session_id>/cancel")
@require(Perm.MANAGE_TRAINING)
def cancel(session_id):
    session = manageable(session_id)
    form = training_forms.CancelForm()
    if form.validate_on_submit():
        _run(
            lambda: services.cancel_session(
                session, form.reason.data, actor=current_actor(), now=utcnow()
            ),
            "已取消本次学习；记录保留，不计入统计",
        )
    else:
        flash_errors(form)
    return redirect(url_for(".detail", session_id=session.id))


# ---------------------------------------------------------------- detail and attendance


def _detail_context(session):
    return {
        "session": session,
        "roster": attendance.roster(session, viewer=current_user),
        "may_manage": can(current_user, Perm.MANAGE_TRAINING, session.owner_unit),
        "open_now": signin.is_open(session, utcnow()),
    }


@bp.get("/<int:session_id>")
@require(Perm.VIEW_TRAINING)
def detail(session_id):
    session = visible(session_id)
    return render_template(
        "training/admin_detail.html",
        **_detail_context(session),
        mark_form=training_forms.MarkForm(),
        unmark_form=training_forms.UnmarkForm(),
        cancel_form=training_forms.CancelForm(),
        revoked=attendance.revoked(session, viewer=current_user),
    )


@bp.get("/<int:session_id>/live")
@require(Perm.VIEW_TRAINING)
def live(session_id):
    """The attendance list alone, fetched every few seconds by training.js."""
    session = visible(session_id)
    return render_template(
        "training/_live.html",
        **_detail_context(session),
        unmark_form=training_forms.UnmarkForm(),
    )


@bp.post("/<int:session_id>/mark")
@require(Perm.MANAGE_TRAINING)
def mark(session_id):
    session = manageable(session_id)
    form = training_forms.MarkForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for(".detail", session_id=session.id))
    try:
        phone = normalise_phone(form.phone.data)
    except InvalidValue as exc:
        flash(str(exc), "danger")
        return redirect(url_for(".detail", session_id=session.id))
    person = db.session.scalar(sa.select(User).where(User.phone == phone))
    if person is None or not can(current_user, Perm.MANAGE_TRAINING, person.unit):
        flash(f"没有手机号为{phone}的人员，或不在您管理的范围内", "danger")
        return redirect(url_for(".detail", session_id=session.id))
    _run(
        lambda: attendance.mark(
            session, person, form.reason(), actor=current_actor(), now=utcnow()
        ),
        f"已为{person.name}补录签到",
    )
    return redirect(url_for(".detail", session_id=session.id))


@bp.post("/<int:session_id>/attendance/<int:attendance_id>/undo")
@require(Perm.MANAGE_TRAINING)
def unmark(session_id, attendance_id):
    session = manageable(session_id)
    row = attendance.get_attendance(attendance_id, session)
    if row is None or not can(current_user, Perm.MANAGE_TRAINING, row.unit):
        abort(404)
    form = training_forms.UnmarkForm()
    if form.validate_on_submit():
        _run(
            lambda: attendance.unmark(row, form.reason.data, actor=current_actor(), now=utcnow()),
            f"已撤销{row.user.name}的签到",
        )
    else:
        flash_errors(form)
    return redirect(url_for(".detail", session_id=session.id))


# ---------------------------------------------------------------- kinds


@bp.route("/kinds", methods=["GET", "POST"])
@require(Perm.MANAGE_TRAINING)
def kinds():
    form = training_forms.KindForm()
    owners = units_in_scope(current_user, Perm.MANAGE_TRAINING, include_inactive=False)
    form.owner_unit_id.choices = unit_choices(owners)
    if form.validate_on_submit():
        owner = next(u for u in owners if u.id == form.owner_unit_id.data)

        def add():
            services.add_kind(form.name.data, owner, actor=current_actor())

        if _run(add, "已新增类型"):
            return redirect(url_for(".kinds"))
    elif request.method == "POST":
        flash_errors(form)
    return render_template(
        "training/kinds.html",
        form=form,
        kinds=services.kinds_for(current_user),
        may_change=lambda kind: services.may_change_kind(current_user, kind),
    )


@bp.post("/kinds/<int:kind_id>/active")
@require(Perm.MANAGE_TRAINING)
def kind_active(kind_id):
    kind = db.get_or_404(TrainingKind, kind_id)
    if kind not in services.kinds_for(current_user):
        abort(404)  # another town's kind
    active = request.form.get("active") == "1"
    _run(
        lambda: services.set_kind_active(kind, active, actor=current_actor()),
        "已启用" if active else "已停用（已有记录不变）",
    )
    return redirect(url_for(".kinds"))
