"""HTTP-level safety: response headers and redirects that stay on this site."""

import secrets
from urllib.parse import urlsplit

from flask import Flask, request, session
from flask.sessions import SecureCookieSessionInterface


def new_token() -> str:
    """A random token for a URL or a cookie (a login session, a pending import)."""
    return secrets.token_urlsafe(32)


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)

# One year; no includeSubDomains: other hosts of the government's domain are not ours.
HSTS = "max-age=31536000"


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None.

    Browsers treat backslashes as slashes and drop tabs and newlines, so
    "/\\evil.com" and "//%09/evil.com" leave the site; such targets are refused.
    """
    if not target or len(target) > 2000:
        return None
    if any(ch == "\\" or ord(ch) < 0x21 or ord(ch) == 0x7F for ch in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def logged_in() -> bool:
    """Whether the request carries a login, for response headers only.

    Read from the signed session cookie, without loading the person: a request that
    never needed them (the autosave fast path, /ping) does not pay a database round
    trip for a header. A cookie whose login has ended also counts, so a header like
    ``no-store`` errs on the safe side.
    """
    return "_user_id" in session


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once per
    key set instead of on every request (a tenth of a trivial request's time), and
    nothing parsed or looked up for a request without cookies or a session left
    empty (a load balancer's /ping, a visitor's first page)."""

    _cached: tuple = ((), None)

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, *app.config["SECRET_KEY_FALLBACKS"])
        if self._cached[0] != keys:
            self._cached = (keys, super().get_signing_serializer(app))
        return self._cached[1]

    def open_session(self, app: Flask, request):
        if "HTTP_COOKIE" not in request.environ and app.secret_key:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session, response) -> None:
        if session or session.modified:
            super().save_session(app, session, response)
        elif session.accessed:
            response.vary.add("Cookie")


_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
)


# Probes of a load balancer or a monitor, often over plain HTTP on an internal port:
# they carry no cookie and answer nothing personal.
_PLAIN_HTTP_ENDPOINTS = frozenset({"ping", "healthz"})

HTTPS_ONLY = "本平台只接受 HTTPS 访问，请使用以 https:// 开头的地址。"
_HTTPS_ONLY_PAGE = (
    '<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    f"<title>请使用 HTTPS 访问</title><p>{HTTPS_ONLY}</p></html>"
)


def refuse_plain_http(app: Flask):
    """In production a plain-HTTP request is refused (a login's password or cookie
    would cross the network in clear), unless ALLOW_HTTP says so. Behind a proxy the
    scheme is the one it forwards (ProxyFix, PROXY_FIX_X_FOR)."""
    config = app.config
    if (
        not config["PRODUCTION"]
        or config["ALLOW_HTTP"]
        or request.is_secure
        or request.endpoint in _PLAIN_HTTP_ENDPOINTS
    ):
        return None
    # Not a redirect to https: that would hide that a form or cookie just went in clear,
    # and no link built from the client's Host header either.
    return _HTTPS_ONLY_PAGE, 400, {"Content-Type": "text/html; charset=utf-8"}


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    # First of all hooks: nothing (a CSRF check, a login) runs for a refused request.
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: refuse_plain_http(app))

    @app.after_request
    def _headers(response):
        headers = response.headers
        # A view's own value stays. Not Headers.setdefault: it raises and catches a
        # KeyError for each missing header, a tenth of a trivial request's time.
        present = {key.lower() for key, _value in headers}
        for name, value in _HEADERS:
            if name.lower() not in present:
                headers.add(name, value)
        if (app.config["HSTS"] or request.is_secure) and "strict-transport-security" not in present:
            headers.add("Strict-Transport-Security", HSTS)
        # WeChat's browser caches pages aggressively: never keep a logged-in page
        # (core.privacy extends this to every response of a logged-in person).
        return response
