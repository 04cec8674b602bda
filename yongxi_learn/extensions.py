"""Flask extensions, created unbound and initialised in create_app."""

from functools import partial, wraps

import sqlalchemy as sa
from flask import Flask, request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

from .core.net import client_address

# Constraint names are stable and identical on SQLite and PostgreSQL, so
# migrations can drop and alter them (and batch mode on SQLite works).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=client_address, default_limits=[])


@limiter.request_filter
def _only_posts_are_limited() -> bool:
    """Every limit in the app is on a POST (login, the sign-in code): skip the
    limiter's per-request bookkeeping for the rest (15% of a trivial request's time).
    A limit on a GET would need this filter changed."""
    return request.method != "POST"


def skip_idle_hooks(app: Flask) -> None:
    """Run the limiter's and the CSRF check's request hooks only where they act.

    With the filter above a GET is never limited, yet Flask-Limiter still resolves
    the endpoint's limits, builds its request context and releases it on every
    request; its hooks are wrapped to skip all of that for other methods. The
    before-request hook applies only app-wide limits (a route's own limit is checked
    by its decorator): without any configured it is dropped. Flask-WTF's check looks
    up the view's exemptions before it looks at the method: it runs only for the
    methods it protects (WTF_CSRF_METHODS), where it does exactly what it did.
    """
    app_wide = bool(app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"))
    protected = frozenset(app.config["WTF_CSRF_METHODS"])
    before = app.before_request_funcs.setdefault(None, [])
    hooks = (
        (before, lambda f: f == limiter._check_request_limit, {"POST"} if app_wide else None),
        (before, lambda f: getattr(f, "__name__", "") == "csrf_protect", protected),
        (
            app.after_request_funcs.setdefault(None, []),
            lambda f: isinstance(f, partial) and limiter in f.args,
            {"POST"},
        ),
        (
            app.teardown_request_funcs.setdefault(None, []),
            lambda f: getattr(f, "__self__", None) is limiter and "release" in f.__name__,
            {"POST"},
        ),
    )
    for funcs, matches, methods in hooks:
        funcs[:] = [
            _on_methods(f, methods) if matches(f) else f
            for f in funcs
            if not (matches(f) and methods is None)
        ]


def _on_methods(hook, methods: frozenset | set):
    @wraps(hook)
    def wrapped(*args):
        if request.method in methods:
            return hook(*args)
        return args[0] if args else None  # after_request passes the response on

    return wrapped
