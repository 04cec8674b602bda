"""Taking an exam, the hot paths of an exam evening: 我的考试 and the 考试须知
(``my_exams``), the attempt page (written in Python, ``page``), each answer's autosave
(``autosave``, by ``exams.answer_versions``' rule), 交卷 (``fast_submit``, else the ORM
path in ``views``), the result page (``review``) and practice (``practice``): the
``take`` blueprint. tests/exams/test_attempt_markup.py
holds the page's markup to what static/js/exam.js looks up."""

from flask import Flask


def register(app: Flask) -> None:
    from .views import bp

    app.register_blueprint(bp, url_prefix="/exams")
