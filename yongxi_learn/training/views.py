"""Signing in from a phone: the QR link, the 6-digit code, and the confirm page.

The QR link works without a login and records nothing: it checks the code and gives
a ticket link, behind the login. Signing in is a POST from the ticket page.
"""

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..core.time import utcnow
from ..extensions import db, limiter
from . import attendance, signin
from .forms import CodeForm
from .models import AttendanceMethod, TrainingSession
from .signin import SigninRefused

bp = Blueprint("training", __name__)


def _refused(message: str, status: int = 400):
    return render_template("training/signin_refused.html", message=message), status


@bp.get("/t/<int:session_id>/<token>")
def scan(session_id, token):
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        return _refused(signin.INVALID)
    now = utcnow()
    try:
        signin.check_token(session, token, now)
    except SigninRefused as exc:
        return _refused(str(exc))
    ticket = signin.make_ticket(session, now, AttendanceMethod.QR)
    return redirect(url_for(".confirm", ticket=ticket))


def _ticket_session(ticket: str) -> tuple[TrainingSession, AttendanceMethod]:
    session_id, method = signin.check_ticket(ticket, utcnow())
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        raise SigninRefused(signin.INVALID)
    return session, method


@bp.get("/training/signin/<ticket>")
@login_required
def confirm(ticket):
    try:
        session, _ = _ticket_session(ticket)
        signin.ensure_open(session, utcnow())
    except SigninRefused as exc:
        return _refused(str(exc))
    existing = attendance.existing(session, current_user)
    return render_template(
        "training/signin.html",
        session=session,
        ticket=ticket,
        done=existing if existing is not None and existing.counted else None,
        expected=attendance.expected(session, current_user),
    )


@bp.post("/training/signin/<ticket>")
@login_required
def sign_in(ticket):
    try:
        session, method = _ticket_session(ticket)
        row, created = attendance.sign_in(session, current_user, method=method, now=utcnow())
    except SigninRefused as exc:
        db.session.rollback()
        return _refused(str(exc))
    db.session.commit()
    return render_template("training/signed_in.html", session=session, row=row, created=created)


def _code_limit() -> str:
    return current_app.config.get("SIGNIN_CODE_RATE_LIMIT", "10 per minute")


@bp.route("/training/code", methods=["GET", "POST"])
@login_required
# Per person, not per address: a meeting room's phones share one Wi-Fi address.
@limiter.limit(_code_limit, methods=["POST"], key_func=lambda: f"user:{current_user.id}")
def code():
    """签到码: for a phone that cannot scan. Rate-limited: a million codes, 10 tries."""
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        now = utcnow()
        try:
            session = signin.find_by_code(form.code.data, now)
        except SigninRefused as exc:
            error = str(exc)
        else:
            ticket = signin.make_ticket(session, now, AttendanceMethod.CODE)
            return redirect(url_for(".confirm", ticket=ticket))
    return render_template("training/code.html", form=form, error=error)
