"""The report section: the cadre-training part of the annual 法治政府建设情况报告."""

from flask import Flask


def register(app: Flask) -> None:
    from .cli import report_cli
    from .views import bp

    app.register_blueprint(bp, url_prefix="/admin/reports")
    app.cli.add_command(report_cli)
