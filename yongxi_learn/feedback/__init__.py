"""意见建议 (complaints and suggestions, the channel 国办函〔2026〕12号 requires of every
government app), 本平台的承诺 (what the platform does not do) and the 备案 information
sheet: the platform's duties to the people who use it and to those it is filed with."""

from flask import Flask


def register(app: Flask) -> None:
    """The 意见建议 pages, the 承诺 page and the 备案 sheet; their part of the retention purge."""
    from . import retention, views

    app.register_blueprint(views.bp)
    retention.connect()
