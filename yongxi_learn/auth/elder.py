"""长辈模式 (DESIGN §0, 适老化): large text, high contrast, fingertip-sized targets, one
question per screen. The person's choice is kept on their account (``User.elder_mode``)
so it follows them to another device, and mirrored in a cookie that pages read
without loading the person: the attempt page's fast path renders the layout with
no user at all (tests/exams/test_attempt_page_fast.py).

The cookie is set from the account at login and whenever the switch is used; a
browser nobody is logged in on keeps only the cookie (the login page can be large
too). A test switches the mode by setting ``ELDER_COOKIE`` to ``ON``.
"""

from urllib.parse import urlencode

from flask import current_app, request

from ..core.security import safe_next
from ..extensions import db
from ..org.models import User

ELDER_COOKIE = "yongxi_elder"
ON = "1"
# Browsers keep a cookie at most 400 days; logging in sets it again.
_COOKIE_DAYS = 400


def elder_mode() -> bool:
    """Whether this request's pages show 长辈模式 (the cookie only: no database)."""
    return request.cookies.get(ELDER_COOKIE) == ON


def set_elder_mode(user: User, on: bool) -> None:
    """The person's own choice, kept on their account."""
    user.elder_mode = on
    db.session.flush()


def set_cookie(response, on: bool) -> None:
    """Mirror the mode into this browser's cookie (removed when off)."""
    if not on:
        response.delete_cookie(ELDER_COOKIE)
        return
    response.set_cookie(
        ELDER_COOKIE,
        ON,
        max_age=_COOKIE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


def _here() -> str:
    """This page's path and query: where the switch comes back to. A ``next`` that
    leaves the site (the login page's) is left out, as the login page leaves it out."""
    if not request.query_string:
        return request.path
    args = [
        (key, value)
        for key, value in request.args.items(multi=True)
        if key != "next" or safe_next(value)
    ]
    return f"{request.path}?{urlencode(args)}" if args else request.path


def template_globals() -> dict:
    return {"elder_mode": elder_mode(), "elder_return": _here()}
