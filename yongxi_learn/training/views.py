"""Signing in from a phone: the QR link, the 6-digit code, and the confirm page.

The QR link works without a login and records nothing: it checks the code and gives
a ticket link, behind the login. Signing in is a POST from the ticket page. Both the
link and the code leave a device cookie, which the ticket carries (see signin.py).
"""

from datetime import timedelta

from flask import Blueprint, current_app, redirect, render_template, request, url_for
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
    return _to_ticket(session, now, AttendanceMethod.QR)


def _to_ticket(session: TrainingSession, now, method: AttendanceMethod):
    """Redirect to a new ticket, bound to whoever is logged in, and keep the device
    cookie it names."""
    device = signin.device_id(request.cookies.get(signin.DEVICE_COOKIE))
    user_id = current_user.id if current_user.is_authenticated else None
    ticket = signin.make_ticket(session, now, method, device=device, user_id=user_id)
    response = redirect(url_for(".confirm", ticket=ticket))
    response.set_cookie(
        signin.DEVICE_COOKIE,
        device,
        max_age=int(timedelta(days=365).total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
    return response


def _ticket_session(ticket: str) -> tuple[TrainingSession, signin.Ticket]:
    checked = signin.check_ticket(ticket, utcnow())
    session = db.session.get(TrainingSession, checked.session_id)
    if session is None:
        raise SigninRefused(signin.INVALID)
    return session, checked


@bp.get("/training/signin/<ticket>")
@login_required
def confirm(ticket):
    try:
        session, checked = _ticket_session(ticket)
        existing = attendance.existing(session, current_user)
        if existing is None or not existing.counted:
            attendance.check_sign_in(session, current_user, checked, utcnow())
    except SigninRefused as exc:
        return _refused(str(exc))
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
        session, checked = _ticket_session(ticket)
        row, created = attendance.sign_in(
            session, current_user, method=checked.method, now=utcnow(), ticket=checked
        )
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
            return _to_ticket(session, now, AttendanceMethod.CODE)
    return render_template("training/code.html", form=form, error=error)
