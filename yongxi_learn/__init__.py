"""yongxi-learn: legal education of a town's staff, and its rule-of-law report."""

import os
from pathlib import Path

from flask import Flask, render_template, request
from markupsafe import Markup
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as config_module
from .core import inputs, patches


class App(patches.FastPathsMixin, Flask):
    """Flask with the app's own request and URL classes (core/inputs.py: out-of-range
    numbers and over-deep JSON answer 400/404) and the speed-ups of core/patches.py."""

    url_map_class = inputs.UrlMap
    request_class = inputs.Request
    json_provider_class = inputs.JSONProvider


def create_app(test_config: dict | None = None) -> Flask:
    app = App(__name__, instance_relative_config=True)
    _configure(app, test_config)

    from . import models  # noqa: F401  (complete metadata for migrations)
    from .core import compression, errors, security, static
    from .core import db as core_db
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    core_db.init_app(app, db)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    patches.skip_idle_hooks(app, limiter)
    # Templates get Flask-Login's proxy below, loaded when a page first asks for the
    # person: its own context processor loads them for every page, even one that
    # checks the login session in its own query (the attempt page's fast path).
    login_manager.init_app(app, add_context_processor=False)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"  # not "strong": phones change IP mid-exam
    security.init_app(app)
    static.init_app(app)
    compression.init_app(app)
    errors.init_app(app)
    from .org import audit_chain

    audit_chain.init_app(app)  # audit lines to stdout

    _register_blueprints(app)
    _register_template_helpers(app)
    from .org import privacy

    privacy.init_app(app)

    from .cli import register_cli

    register_cli(app)
    return app


def _configure(app: Flask, test_config: dict | None) -> None:
    app.config.from_object(config_module.Config)
    # The database, its uploads and the generated secret key live here: owner only.
    os.makedirs(app.instance_path, mode=0o700, exist_ok=True)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(config_module.from_environment())
    else:
        app.config.update(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'yongxi_learn.sqlite3'}"
        )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from .core.db import sqlite_engine_options

        config_module.private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
        options = sqlite_engine_options(app.config["SQLITE_BUSY_TIMEOUT_S"])
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **options,
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        }
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config_module.load_secret_key(app.instance_path)
    minimum = config_module.MIN_SECRET_KEY_LENGTH
    if app.config["PRODUCTION"] and len(app.config["SECRET_KEY"]) < minimum:
        raise RuntimeError(f"SECRET_KEY is too short for production (need {minimum}+ chars)")
    warning = config_module.enforce_production(app.config)
    if warning:
        app.logger.warning(warning)
    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1, x_host=0
        )


def _register_blueprints(app: Flask) -> None:
    """Each part registers its own pages (``register(app)``), lowest layer first."""
    from . import (
        auth,
        courses,
        cycle,
        exams,
        external,
        feedback,
        home,
        inspection,
        laws,
        org,
        record,
        reminders,
        reports,
        stats,
        study,
        training,
    )

    parts = (auth, home, org, laws, training, exams, external, study, courses, stats, reports)
    parts = (*parts, record)
    for part in (*parts, feedback, inspection, cycle, reminders):
        part.register(app)


def _register_template_helpers(app: Flask) -> None:
    from flask_login import current_user

    from .core.formatting import format_score
    from .core.time import format_local
    from .org.permissions import Perm, can, held

    app.add_template_filter(format_local, "localtime")
    app.add_template_filter(format_score, "score")
    # A global, not only a context variable: macros imported without context see it.
    app.add_template_global(_in_wechat, "is_wechat")
    menus: dict[tuple, Markup] = {}

    def main_menu(user) -> Markup:
        # The menu depends only on the permissions held (and where the app is
        # mounted): rendered once per set of them, not on every page.
        key = (held(user), request.script_root)
        if key not in menus:
            # Rendered by Jinja with autoescaping: already safe HTML.
            menus[key] = Markup(render_template("_menu.html", held=key[0]))  # noqa: S704
        return menus[key]

    app.add_template_global(main_menu, "main_menu")

    @app.context_processor
    def _globals():
        return {
            "Perm": Perm,
            "can": can,
            "current_user": current_user,
            "demo_data": _is_demo(app),
        }


def _in_wechat() -> bool:
    # WeChat's in-app browser cannot download files; pages tell people what to do.
    return "MicroMessenger" in request.headers.get("User-Agent", "")


def _is_demo(app: Flask) -> bool:
    # Read once per process: demo data is loaded before the server starts.
    if "yongxi_demo" not in app.extensions:
        from .core.settings import get_setting
        from .org.seed import DEMO_FLAG

        app.extensions["yongxi_demo"] = get_setting(DEMO_FLAG) == "1"
    return app.extensions["yongxi_demo"]
