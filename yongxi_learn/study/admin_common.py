"""What the study admin pages share: the blueprint, the acting user, the audience and
unit fields, the 未完成名单 cut by unit, and turning service errors into messages."""

import sqlalchemy as sa
from flask import Blueprint, abort, request
from flask_login import current_user
from wtforms import SelectChoice

from ..core.exceptions import NotFound
from ..core.forms import run_service
from ..core.net import client_address
from ..core.spreadsheets import Sheet, send_csv, send_xlsx
from ..extensions import db
from ..org import audit
from ..org.forms import unit_choices
from ..org.models import OrgUnit, User
from ..org.permissions import Perm, scope_filter, scope_units
from ..org.services import units_in_scope
from .common import StudyError, get_visible, people_by_phones, viewer_unit
from .forms import UnitFilterForm

bp = Blueprint("study_admin", __name__)

MAX_ROWS = 5000  # a page of a 未完成名单; downloads are not limited


def visible(model, object_id: int, *, manage: bool = False):
    try:
        return get_visible(model, object_id, user=current_user, manage=manage)
    except NotFound:
        abort(404)


def fill_audience(form, owner: OrgUnit | None, audience: dict | None) -> None:
    units = units_in_scope(current_user, Perm.MANAGE_STUDY, include_inactive=False)
    if owner is None:
        form.owner_unit_id.choices = unit_choices(units)
    else:
        del form.owner_unit_id  # the owner of an existing list or reading never changes
    in_owner = [u for u in units if owner is None or owner.contains(u)]
    form.audience_units.choices = unit_choices(in_owner)
    if audience is not None and request.method == "GET":
        form.audience_units.data = audience.get("units", [])
        form.audience_categories.data = audience.get("categories", [])
        phones = db.session.scalars(
            sa.select(User.phone).where(User.id.in_(audience.get("people", [])))
        )
        form.audience_phones.data = "\n".join(phones)


def audience_of(form, owner: OrgUnit) -> dict:
    return {
        "units": list(form.audience_units.data or []),
        "categories": list(form.audience_categories.data or []),
        "people": people_by_phones(form.audience_phones.data, owner),
    }


def owner_of(form) -> OrgUnit:
    owner = db.session.get(OrgUnit, form.owner_unit_id.data or 0)
    if owner is None:
        abort(404)
    return owner


def run(change, success: str) -> bool:
    """Run a service call; commit and flash ``success``, or roll back and flash why."""
    return run_service(change, success, (StudyError,))


def unit_filter(owner: OrgUnit, form_class=UnitFilterForm) -> tuple[UnitFilterForm, OrgUnit]:
    """The filter of a 未完成名单 page and the unit its figures are cut by: a unit the
    viewer may see (else 404), by default the viewer's own scope within the owner."""
    form = form_class(formdata=request.args)
    units = [
        u
        for u in units_in_scope(current_user, Perm.VIEW_STUDY)
        if owner.contains(u) or u.contains(owner)
    ]
    form.unit.choices = [SelectChoice(0, "全部（本人管理范围）"), *unit_choices(units)]
    try:
        unit = viewer_unit(current_user, form.unit.data, owner)
    except NotFound:
        abort(404)
    if unit is None:
        roots = [r for r in scope_units(current_user, Perm.VIEW_STUDY) if owner.contains(r)]
        unit = roots[0] if roots else owner
    return form, unit


def in_scope(query: sa.Select, path_column) -> sa.Select:
    return query.where(scope_filter(current_user, Perm.VIEW_STUDY, path_column))


def reminder_text(rows, title: str) -> str:
    """Plain text to paste into a WeChat group: the names still behind, per unit."""
    by_unit: dict[str, list[str]] = {}
    for row in rows:
        by_unit.setdefault(row.unit_name, []).append(row.name)
    if not by_unit:
        return ""
    lines = [f"【提醒】{title}，以下同志尚未完成，请抓紧："]
    lines += [f"{unit}：{'、'.join(names)}" for unit, names in by_unit.items()]
    return "\n".join(lines)


def people_page(query: sa.Select) -> tuple[list, dict]:
    """A people list's page: its first MAX_ROWS rows, and the page's query arguments
    for its download links (which carry the same filter, unlimited)."""
    rows = db.session.execute(query.limit(MAX_ROWS)).all()
    return rows, {k: v for k, v in request.args.items() if v and k != "format"}


def asked_download() -> str | None:
    """The format a people list's download asks for (?format=csv or xlsx), else None."""
    fmt = request.args.get("format")
    return fmt if fmt in ("csv", "xlsx") else None


def send_people(fmt: str, name: str, sheet: str, headers: list[str], rows, *, action: str, obj):
    """A list of people (phones in its third column) as ``name``.csv or .xlsx, audited
    as ``action`` on ``obj`` once the file is built."""
    if fmt == "csv":
        response = send_csv(f"{name}.csv", headers, rows)
    else:
        phones = frozenset({2})  # kept as text: Excel shows 13800138000, not 1.38E+10
        response = send_xlsx(f"{name}.xlsx", Sheet(sheet, headers, rows, text_columns=phones))
    audit.record_download(action, actor=current_user, address=client_address(), obj=obj, detail=fmt)
    return response
