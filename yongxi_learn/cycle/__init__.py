"""The yearly cycle (年度关账): closing a 区's or a 镇's year freezes its figures and its
report version as the record; reopening it is an audited correction. The guard every
service calls lives in ``org.year_close``; this package holds the close itself and its
page, reached from the report page and the statistics."""

from flask import Flask


def register(app: Flask) -> None:
    """The 年度关账 page: close, the frozen figures, reopen."""
    from . import views

    app.register_blueprint(views.bp, url_prefix="/admin/year")
