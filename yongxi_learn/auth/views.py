"""Login, logout, password change, profile."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from ..core.net import client_address
from ..core.security import safe_next
from ..core.time import utcnow
from ..extensions import db, limiter, login_manager
from ..org.names import InvalidValue
from . import elder, history, services
from .forms import ChangePasswordForm, LoginForm
from .sessions import Timeouts, end_session, gate_closed, load_user, start_session

bp = Blueprint("auth", __name__)

# Endpoints a person who must change their password can still reach.
_OPEN_WHILE_PASSWORD_EXPIRED = {
    "auth.change_password",
    "auth.logout",
    "auth.elder_mode",
    "static",
    "healthz",
    "home.favicon",
}
# A password that ages out (rotation) mid-exam must not cost the answers being saved.
_OPEN_WHILE_PASSWORD_AGED = {"take.answer", "take.submit"}
# Endpoints that check the login session themselves without loading the user (the
# hot paths of an exam: their queries refuse a person who must change their password,
# and the attempt page's one whose password has aged; their full paths call
# ``password_gate``).
_CHECKS_ITS_OWN_SESSION = {"take.answer", "take.attempt", "take.submit"}


@login_manager.user_loader
def _load_user(token: str):
    return load_user(token, timeouts=Timeouts.from_config(current_app.config))


@bp.before_app_request
def _force_password_change():
    # Without a login token in the cookie nobody can be logged in: no need to ask
    # Flask-Login (this app sets no remember-me cookie).
    if request.endpoint in _CHECKS_ITS_OWN_SESSION or "_user_id" not in session:
        return None
    return password_gate()


def password_gate():
    """The redirect to the password page that the logged-in person's request gets
    (a password to change, or one past its age), or None."""
    user = current_user._get_current_object()
    if not user.is_authenticated or request.endpoint in _OPEN_WHILE_PASSWORD_EXPIRED:
        return None
    max_age = current_app.config["PASSWORD_MAX_AGE_DAYS"]
    aged_counts = request.endpoint not in _OPEN_WHILE_PASSWORD_AGED
    if not gate_closed(user, utcnow(), max_age, password_age=aged_counts):
        return None
    if not user.must_change_password:
        flash(f"您的密码已超过{max_age}天未修改，请修改密码", "warning")
    return redirect(url_for("auth.change_password"))


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
                device_cookie=request.cookies.get(services.DEVICE_COOKIE, ""),
                policy=services.LockPolicy.from_config(current_app.config),
            )
        except services.LoginFailed as exc:
            db.session.commit()  # keep the failure count and the audit record
            flash(str(exc), "danger")
            return render_template("auth/login.html", form=form), 200
        target = safe_next(form.next.data)
        session.clear()  # nothing from before the login survives it
        session.permanent = True
        login_user(login_session.user)
        # The new CSRF token goes out with this response: pages loaded at once after
        # login (two tabs) would otherwise each mint one, and the last cookie wins.
        # Flask-WTF caches the old session's token in g; drop it so a new one is made.
        g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
        generate_csrf()
        db.session.commit()
        # Shown on whichever page the login lands on (the password page on a first login).
        flash(
            history.summary(login_session, now=utcnow()),
            "warning" if login_session.failures_before else "info",
        )
        response = redirect(target or url_for("home.index"))
        _remember_device(response, login_session.user.phone)
        # The mode follows the person: this browser shows what their account says.
        elder.set_cookie(response, login_session.user.elder_mode)
        return response
    return render_template("auth/login.html", form=form)


def _remember_device(response, phone: str) -> None:
    """This browser logged in with ``phone``: its later wrong passwords count on
    their own, and nobody else's can lock it out (services.authenticate)."""
    response.set_cookie(
        services.DEVICE_COOKIE,
        services.device_cookie_value(phone),
        max_age=services.DEVICE_COOKIE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


@bp.post("/elder-mode")
def elder_mode():
    """The 长辈模式 switch of every page's header: kept on the account of whoever is
    logged in and in this browser's cookie; back to the page it was used on."""
    value = request.form.get("elder")
    if value not in ("0", "1"):
        abort(400)
    on = value == "1"
    if current_user.is_authenticated:
        elder.set_elder_mode(current_user._get_current_object(), on)
        db.session.commit()
    response = redirect(safe_next(request.form.get("next")) or url_for("home.index"))
    elder.set_cookie(response, on)
    return response


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
        user = current_user._get_current_object()
        try:
            services.change_password(
                user,
                current=form.current.data,
                new=form.new.data,
                address=client_address(),
                history=current_app.config["PASSWORD_HISTORY"],
                device_cookie=request.cookies.get(services.DEVICE_COOKIE, ""),
                policy=services.LockPolicy.from_config(current_app.config),
            )
        except services.WrongCurrentPassword as exc:
            db.session.commit()  # keep the failure count (nothing else has changed)
            flash(str(exc), "danger")
        except InvalidValue as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            _continue_in_new_session(user)
            db.session.commit()
            flash("密码已修改", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form)


def _continue_in_new_session(user) -> None:
    """Every session of the person ended with the change, this one too (its cookie,
    replayed, finds nothing); this browser goes on in a fresh session."""
    previous = user.current_login.row()
    login_session = start_session(
        user, address=client_address(), user_agent=request.headers.get("User-Agent", "")
    )
    history.carry_over(previous, login_session)
    session.clear()
    session.permanent = True
    login_user(login_session.user)


@bp.get("/profile")
@login_required
def profile():
    login = current_user.current_login.row()
    return render_template(
        "auth/profile.html",
        previous_login=history.previous_login(login, now=utcnow()),
        failures_since=history.failures_since(login),
    )
