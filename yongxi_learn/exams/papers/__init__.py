"""Setting exams: an exam's settings and its paper (``services``), who sits it
(``enrolment``), 补考 (``makeup``, ``makeup_roster``), whose eyes a key must not reach
(``keys``), the monitor and item analysis (``monitor``), answer-key fixes (``regrade``)
and the admin pages (``views``, ``people_views``: the ``exam_admin`` blueprint)."""

from flask import Flask


def register(app: Flask) -> None:
    from .views import bp

    app.register_blueprint(bp, url_prefix="/admin/exams")
