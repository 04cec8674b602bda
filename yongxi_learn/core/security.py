"""HTTP-level safety: response headers and redirects that stay on this site."""

from urllib.parse import urlsplit

from flask import Flask, request
from flask_login import current_user

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


def init_app(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if request.is_secure or app.config["HSTS"]:
            headers.setdefault("Strict-Transport-Security", HSTS)
        # WeChat's browser caches pages aggressively: never keep a logged-in page.
        if response.mimetype == "text/html" and current_user.is_authenticated:
            headers["Cache-Control"] = "no-store"
        return response
