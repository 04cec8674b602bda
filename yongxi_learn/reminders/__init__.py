"""催办: for an exam, a study list, a reading, a training session or a course, who in the
viewer's subtree has not done it, a message to paste into the unit's WeChat work group, a
sheet for calling, and the log of the reminders sent. Nothing is pushed to anyone."""

from flask import Flask


def register(app: Flask) -> None:
    from .views import bp

    app.register_blueprint(bp, url_prefix="/admin/reminders")
