"""Login, logout, password change, profile."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from ..core.net import client_address
from ..core.security import safe_next
from ..extensions import db, limiter, login_manager
from ..org.names import InvalidValue
from . import services
from .forms import ChangePasswordForm, LoginForm
from .sessions import end_session, load_user

bp = Blueprint("auth", __name__)

# Endpoints a person who must change their password can still reach.
_OPEN_WHILE_PASSWORD_EXPIRED = {"auth.change_password", "auth.logout", "static", "healthz"}
# Endpoints that check the login session themselves without loading the user (the
# autosave hot path: its query refuses a person who must change their password).
_CHECKS_ITS_OWN_SESSION = {"take.answer"}


@login_manager.user_loader
def _load_user(token: str):
    return load_user(token, lifetime=current_app.config["PERMANENT_SESSION_LIFETIME"])


@bp.before_app_request
def _force_password_change():
    if request.endpoint in _CHECKS_ITS_OWN_SESSION:
        return None
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in _OPEN_WHILE_PASSWORD_EXPIRED
    ):
        return redirect(url_for("auth.change_password"))
    return None


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        try:
            login_session = services.authenticate(
                form.phone.data,
                form.password.data,
                address=client_address(),
                user_agent=request.headers.get("User-Agent", ""),
                lock_threshold=current_app.config["LOGIN_LOCK_THRESHOLD"],
                lock_minutes=current_app.config["LOGIN_LOCK_MINUTES"],
            )
        except services.LoginFailed as exc:
            db.session.commit()  # keep the failure count and the audit record
            flash(str(exc), "danger")
            return render_template("auth/login.html", form=form), 200
        target = safe_next(form.next.data)
        session.clear()  # nothing from before the login survives it
        session.permanent = True
        login_user(login_session.user)
        db.session.commit()
        return redirect(target or url_for("home.index"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        end_session(current_user.current_login)
        db.session.commit()
    logout_user()
    session.clear()
    flash("您已安全退出", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, current=form.current.data, new=form.new.data, address=client_address()
            )
        except InvalidValue as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash("密码已修改", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form)


@bp.get("/profile")
@login_required
def profile():
    return render_template("auth/profile.html")
