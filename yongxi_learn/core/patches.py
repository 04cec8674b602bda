"""Every place the app reaches into Flask or an extension past their public API, in
one module. Each saves time on every request of an exam evening (docs/performance.md);
each can be switched off with ``FRAMEWORK_PATCHES = False`` (environment
``YONGXI_FRAMEWORK_PATCHES=0``), leaving the frameworks as they ship, should a new
release change what a patch relies on. ``missing_private_names`` lists what a patch
relies on and is gone: tests/core/test_patches.py fails loudly on it, before an
upgrade reaches a server.

- ``FastPathsMixin`` (Flask): asks whether a hook or view is ``async def`` once per
  function instead of on every call, and builds each URL of a request's links once
  per process (reads Flask's request context variable ``flask.globals._cv_request``).
- ``skip_idle_hooks`` (Flask-Limiter, Flask-WTF): their request hooks run only for the
  methods where they act (finds them by private names: ``Limiter._check_request_limit``,
  the ``csrf_protect`` hook, the limiter's after-request ``partial`` and teardown
  ``release``).
- ``forget_login`` (Flask-Login): sets the request's user to anonymous without asking
  the database (Flask-Login's per-request cache ``g._login_user``), for the error page
  shown when the database is down.
"""

import logging
from functools import partial, wraps

import flask.globals
from flask import Flask, current_app, g, request
from flask_limiter import Limiter

log = logging.getLogger(__name__)


def enabled(app: Flask) -> bool:
    return app.config.get("FRAMEWORK_PATCHES", True)


def missing_private_names() -> list[str]:
    """The private names the patches use that this release of a framework lacks."""
    checks = {
        "flask.globals._cv_request": hasattr(flask.globals, "_cv_request"),
        "flask_limiter.Limiter._check_request_limit": hasattr(Limiter, "_check_request_limit"),
        "flask_limiter.Limiter._Limiter__release_context": hasattr(
            Limiter, "_Limiter__release_context"
        ),
        "flask_limiter.Limiter._Limiter__inject_headers": hasattr(
            Limiter, "_Limiter__inject_headers"
        ),
    }
    return [name for name, present in checks.items() if not present]


# ---------------------------------------------------------------- Flask


class FastPathsMixin:
    """Mixed into the app's Flask class; see the module docstring."""

    BUILT_URLS_MAX = 4096

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._plain_functions: set = set()
        self._built_urls: dict[tuple, str] = {}

    def ensure_sync(self, func):
        if func in self._plain_functions:
            return func
        sync = super().ensure_sync(func)
        if sync is func and enabled(self):
            self._plain_functions.add(func)
        return sync

    def url_for(
        self, endpoint, /, *, _anchor=None, _method=None, _scheme=None, _external=None, **values
    ):
        """A path built in a request, remembered by what it is built from.

        Building a link is Werkzeug's rule lookup, converters and quoting, then our
        ``url_defaults``: a learner's home page has ~40 links, most the same on every
        page (the menu, the static files), and building them all is a visible share of
        the page. What a path depends on in a request is the endpoint, its values and
        the script root (no subdomains or hosts are matched); a static file's hashed
        name is its content's, which changes with a release, which restarts the
        process. Not kept: external URLs, anchors, methods, relative endpoints,
        unhashable values, and anything in debug mode (a static file edited under
        ``flask run``)."""
        ctx = flask.globals._cv_request.get(None)
        if (
            ctx is None
            or ctx.url_adapter is None
            or _anchor is not None
            or _method is not None
            or _scheme is not None
            or _external
            or self.debug
            or endpoint[:1] == "."
            or not enabled(self)
        ):
            return super().url_for(
                endpoint,
                _anchor=_anchor,
                _method=_method,
                _scheme=_scheme,
                _external=_external,
                **values,
            )
        key = (endpoint, ctx.url_adapter.script_name, *values.items())
        try:
            url = self._built_urls.get(key)
        except TypeError:  # a list of query values: built every time
            return super().url_for(endpoint, **values)
        if url is None:
            url = super().url_for(endpoint, **values)
            if len(self._built_urls) >= self.BUILT_URLS_MAX:
                self._built_urls.clear()
            self._built_urls[key] = url
        return url


# ---------------------------------------------------------------- Flask-Limiter, Flask-WTF


def skip_idle_hooks(app: Flask, limiter: Limiter) -> list[str]:
    """Run the limiter's and the CSRF check's request hooks only where they act;
    returns the names of the hooks expected and not found (then left as they are).

    Every limit in the app is on a POST (``extensions``' request filter), yet
    Flask-Limiter still resolves the endpoint's limits, builds its request context and
    releases it on every request; its hooks are wrapped to skip all of that for other
    methods. The before-request hook applies only app-wide limits (a route's own limit
    is checked by its decorator): without any configured it is dropped. Flask-WTF's
    check looks up the view's exemptions before it looks at the method: it runs only
    for the methods it protects (WTF_CSRF_METHODS), where it does exactly what it did.
    """
    if not enabled(app):
        return []
    app_wide = bool(app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"))
    protected = frozenset(app.config["WTF_CSRF_METHODS"])
    before = app.before_request_funcs.setdefault(None, [])
    hooks = (
        (
            "limiter check",
            before,
            lambda f: f == getattr(limiter, "_check_request_limit", None),
            {"POST"} if app_wide else None,
        ),
        (
            "csrf check",
            before,
            lambda f: getattr(f, "__name__", "") == "csrf_protect",
            protected,
        ),
        (
            "limiter after-request",
            app.after_request_funcs.setdefault(None, []),
            lambda f: isinstance(f, partial) and limiter in f.args,
            {"POST"},
        ),
        (
            "limiter release",
            app.teardown_request_funcs.setdefault(None, []),
            lambda f: getattr(f, "__self__", None) is limiter and "release" in f.__name__,
            {"POST"},
        ),
    )
    missing = []
    for name, funcs, matches, methods in hooks:
        if not any(matches(f) for f in funcs):
            missing.append(name)
            continue
        funcs[:] = [
            _on_methods(f, methods) if matches(f) else f
            for f in funcs
            if not (matches(f) and methods is None)
        ]
    if missing:
        log.warning("framework patches: hooks not found, left as they are: %s", missing)
    return missing


def _on_methods(hook, methods: frozenset | set):
    @wraps(hook)
    def wrapped(*args):
        if request.method in methods:
            return hook(*args)
        return args[0] if args else None  # after_request passes the response on

    return wrapped


# ---------------------------------------------------------------- Flask-Login


def forget_login(anonymous) -> None:
    """Make ``anonymous`` the request's user without loading anyone (the database is
    down); with the patches off, Flask-Login is left to find out for itself."""
    if enabled(current_app):
        g._login_user = anonymous
