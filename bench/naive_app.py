"""The anchor beside ``autosave_ratio`` (issue #23 §6): the answer save as a
straightforward Flask app writes it. Flask-Login loads the person through the ORM on
every request, Flask-WTF checks the CSRF token, and the view reads the attempt and
the answer row through the ORM, sets the answer and commits: no fast path, no
versions, no login rules beyond "the login session is not ended".

Served by the same gunicorn config as the app, on the same database, with the
cookies ``prepare`` made for the app (same SECRET_KEY and cookie name), and sent
the same requests (bench/lua/rotate.lua, mode autosave): ``autosave_vs_naive`` is
the app's autosave rate over this one's, measured in the same run. The engine set-up
is the app's (core/db.py: WAL, busy timeout, BEGIN IMMEDIATE for writes), since
without it SQLite's writers fail with "database is locked" instead of queuing.
"""

import sqlalchemy as sa
from flask import Flask, abort, jsonify, request
from flask_login import LoginManager, current_user, login_required
from flask_wtf import CSRFProtect

from yongxi_learn import config
from yongxi_learn import models as _models  # noqa: F401 (every mapper, for the ORM)
from yongxi_learn.auth.models import LoginSession
from yongxi_learn.core import db as core_db
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams.models import Attempt, AttemptQuestion, AttemptStatus
from yongxi_learn.extensions import db
from yongxi_learn.org.models import User

app = Flask(__name__)
app.config.from_object(config.Config)  # the app's settings: cookie name, busy timeout
app.config.update(config.from_environment())
if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = core_db.sqlite_engine_options(
        app.config["SQLITE_BUSY_TIMEOUT_S"]
    )
db.init_app(app)
core_db.init_app(app, db)
CSRFProtect(app)
login_manager = LoginManager(app)
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(token: str) -> User | None:
    return db.session.scalar(
        sa.select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token == token, LoginSession.ended_at.is_(None), User.active)
    )


@app.get("/ping")
def ping():
    return "ok"


@app.post("/exams/attempts/<int:attempt_id>/answer")
@login_required
def answer(attempt_id: int):
    data = request.get_json()
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        abort(409)
    row = db.session.scalar(
        sa.select(AttemptQuestion).filter_by(attempt_id=attempt_id, position=data["position"])
    )
    if row is None:
        abort(400)
    row.response = str(data.get("answer") or "")
    row.answered_at = utcnow()
    db.session.commit()
    return jsonify(ok=True, position=row.position)
