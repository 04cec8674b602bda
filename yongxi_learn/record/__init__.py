"""学法档案: each person's year of legal study, for themselves and their personnel file;
the 成绩证明 and printed 学法档案 that carry a code anyone can verify (/verify)."""

from flask import Flask


def register(app: Flask) -> None:
    """The 学法档案 pages."""
    from . import verify_views
    from .views import bp

    app.register_blueprint(bp)
    app.register_blueprint(verify_views.bp)
