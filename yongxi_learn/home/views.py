import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template
from flask_login import login_required

from ..extensions import db

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    # Later features (readings, sessions, exams) add their tasks to this page.
    return render_template("home/index.html")


def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:  # any database failure makes the instance unhealthy
        db.session.rollback()
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok", dialect=db.engine.dialect.name)
