"""Login by phone and password, login sessions, lockout, password changes."""

from flask import Flask


def register(app: Flask) -> None:
    """The login, logout and password pages."""
    from .elder import template_globals
    from .views import bp

    app.register_blueprint(bp)
    app.context_processor(template_globals)
