"""催办 pages: one per exam, study list, reading, session and course, linked from each feature's
own admin page (no menu item). GET shows who has not done it and the message; ?format=xlsx
is the calling sheet; POST …/sent logs that the message was sent."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..core.exceptions import NotFound
from ..core.net import client_address
from ..core.spreadsheet_out import Sheet, send_xlsx
from ..core.time import utcnow
from ..extensions import db
from ..org import audit
from ..org.actors import current_actor
from ..org.permissions import require
from ..org.privacy import phone_shower
from ..org.services import units_in_scope
from . import services
from .message import reminder_message
from .sources import CHASE, Target, behind, chase_roots, chase_unit, target

bp = Blueprint("reminders", __name__)

# URL argument of each kind (the names the features' own pages use).
ARGS = {
    "exam": "exam_id",
    "list": "list_id",
    "reading": "reading_id",
    "session": "session_id",
    "course": "course_id",
}
PATHS = {k: f"{k}s" for k in ARGS}
HEADERS = ["单位", "姓名", "手机号", "还需完成"]


def _target(kind: str, object_id: int) -> Target:
    try:
        return target(kind, object_id, current_user)
    except NotFound:
        abort(404)


def _unit(t: Target, unit_id: int | None):
    try:
        return chase_unit(t, current_user, unit_id)
    except NotFound:
        abort(404)


def _due(t: Target, value: str | None) -> date | None:
    """The date the message names: the item's own, or one the admin typed."""
    try:
        return date.fromisoformat(value) if value else t.due
    except ValueError:
        return t.due


def _page(kind: str, object_id: int):
    t = _target(kind, object_id)
    unit = _unit(t, request.args.get("unit", type=int))
    due = _due(t, request.args.get("due"))
    people = behind(t, unit, current_user)
    if request.args.get("format") == "xlsx":
        return _xlsx(t, unit, people)
    roots = chase_roots(t, current_user)
    units = [u for u in units_in_scope(current_user, CHASE) if any(r.contains(u) for r in roots)]
    return render_template(
        "reminders/show.html",
        t=t,
        unit=unit,
        units=units,
        due=due,
        people=people,
        phone=phone_shower(),
        message=reminder_message(t.title, due, people, attend=t.attend),
        past=services.past(t, roots),
        here=url_for(f"reminders.{kind}", **{ARGS[kind]: object_id}),
        sent_url=url_for(f"reminders.{kind}_sent", **{ARGS[kind]: object_id}),
        xlsx_url=url_for(
            f"reminders.{kind}", **{ARGS[kind]: object_id}, unit=unit.id, format="xlsx"
        ),
        back=_back(t),
    )


def _xlsx(t: Target, unit, people):
    shown = phone_shower()
    rows = [(p.unit_name, p.name, shown(p.phone, p.unit_path), p.left) for p in people]
    title = [f"{t.kind_label}《{t.title}》未完成名单（{unit.name}）"]
    sheet = Sheet("催办名单", HEADERS, rows, text_columns=frozenset({2}), title=title)
    response = send_xlsx(f"{t.title}-催办名单.xlsx", sheet)
    audit.record_download(
        "reminder.export", actor=current_user, address=client_address(), obj=t.obj,
        detail=f"{unit.name}，{len(rows)}人",
    )  # fmt: skip
    return response


def _sent(kind: str, object_id: int):
    t = _target(kind, object_id)
    unit = _unit(t, request.form.get("unit", type=int))
    due = _due(t, request.form.get("due"))
    people = behind(t, unit, current_user)
    try:
        services.log_sent(t, unit, people, due, actor=current_actor(), now=utcnow())
    except services.ReminderError as e:
        db.session.rollback()
        flash(str(e), "danger")
    else:
        db.session.commit()
        flash(f"已记录：向{unit.name}{len(people)}人发送催办", "success")
    args = {ARGS[kind]: object_id, "unit": unit.id}
    if request.form.get("due"):
        args["due"] = request.form["due"]
    return redirect(url_for(f"reminders.{kind}", **args))


def _back(t: Target) -> tuple[str, str]:
    """The feature's own admin page of the item, where the 催办 link is."""
    obj = t.obj
    return {
        "exam": lambda: (url_for("stats.exam_page", exam_id=obj.id), "考试统计"),
        "list": lambda: (url_for("study_admin.list_people", list_id=obj.id), "学习情况"),
        "reading": lambda: (url_for("study_admin.reading_people", reading_id=obj.id), "阅读情况"),
        "session": lambda: (url_for("training_admin.detail", session_id=obj.id), "集中学习"),
        "course": lambda: (url_for("course_admin.people", course_id=obj.id), "课程完成情况"),
    }[t.kind]()


def _routes() -> None:
    for kind, arg in ARGS.items():
        rule = f"/{PATHS[kind]}/<int:{arg}>"

        def page(kind=kind, **ids):
            return _page(kind, next(iter(ids.values())))

        def sent(kind=kind, **ids):
            return _sent(kind, next(iter(ids.values())))

        bp.add_url_rule(rule, kind, require(CHASE)(page), methods=["GET"])
        bp.add_url_rule(f"{rule}/sent", f"{kind}_sent", require(CHASE)(sent), methods=["POST"])


_routes()
