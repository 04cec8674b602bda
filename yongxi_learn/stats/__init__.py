"""The figures (统计口径, DESIGN §3): computed in one place, ``stats.queries``; the
dashboards, downloads and the ``stats export`` command show them."""

from flask import Flask


def register(app: Flask) -> None:
    """The dashboards' blueprint and the CLI."""
    from .cli import stats_cli
    from .views import bp

    app.register_blueprint(bp, url_prefix="/stats")
    app.cli.add_command(stats_cli)
