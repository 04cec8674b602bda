"""The public page that checks a 成绩证明's or 学法档案's code (no login: the QR code on
the paper points here). It shows what the certificate shows, masked, and no more."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from ..core.time import utcnow
from ..extensions import limiter
from . import certificates

bp = Blueprint("verify", __name__)


@bp.after_request
def _never_cached(response):
    """A certificate valid today may be void tomorrow: no cache keeps the old answer."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


# Per address; these GETs are let through the limiter's filter (extensions.LIMITED_GETS).
@bp.get("/verify")
@limiter.limit(_limit)
def form():
    """A code typed from the paper: ``?code=…`` goes to its page."""
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for("verify.show", code=code[:64]))
    return render_template("record/verify.html", verdict=None, error=None, code="")


@bp.get("/verify/<code>")
@limiter.limit(_limit)
def show(code):
    try:
        verdict = certificates.verify(code[:64], now=utcnow())
    except certificates.CertificateError as exc:
        page = render_template("record/verify.html", verdict=None, error=str(exc), code=code[:64])
        return page, 404
    return render_template("record/verify.html", verdict=verdict, error=None, code=code)
