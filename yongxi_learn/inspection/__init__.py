"""The inspection 台账 pack: for a year and a unit, one ZIP with the report section,
the names behind each of its figures, the 签到表 of every session and what was done by
hand. Gathers from every package below it; the download sits on the report page."""

from flask import Flask


def register(app: Flask) -> None:
    from ..reports.cli import report_cli
    from .cli import pack
    from .views import bp

    app.register_blueprint(bp, url_prefix="/admin/reports")
    report_cli.add_command(pack)
