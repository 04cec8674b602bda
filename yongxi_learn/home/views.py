import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, render_template
from flask_login import current_user, login_required

from ..core.time import utcnow
from ..exams.taking.views import exam_entries
from ..extensions import db
from ..study.summary import home_items
from ..training.services import upcoming_for
from .todo import todo

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    # Later features (readings, sessions) add their tasks to this page.
    entries = exam_entries(current_user)
    return render_template(
        "home/index.html",
        exams_to_take=[e for e in entries if e.can_start],
        exam_results=[e for e in entries if e.latest and not e.can_start][:5],
        sessions=upcoming_for(current_user, utcnow()),
        study=home_items(current_user),
    )


@bp.get("/todo")
@login_required
def todo_page():
    """待办: what is due, by when, and what is left: nothing about anyone else."""
    return render_template("home/todo.html", items=todo(current_user, now=utcnow()))


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page links: the icon, not a 404 page."""
    return current_app.send_static_file("favicon.ico")


def ping():
    """Liveness without the database (what a load balancer polls every second)."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:  # any database failure makes the instance unhealthy
        db.session.rollback()
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok", dialect=db.engine.dialect.name)
