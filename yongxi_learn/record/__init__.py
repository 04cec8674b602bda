"""学法档案: each person's year of legal study, for themselves and their personnel file."""

from flask import Flask


def register(app: Flask) -> None:
    """The 学法档案 pages."""
    from .views import bp

    app.register_blueprint(bp)
