"""The question bank: questions and their versions (``services``), what makes one
valid (``rules``, shared by the form and the import), their links to the law library
(``links``), the XLSX template and import (``template``, ``importing``) and the admin
pages (``views``, the ``bank`` blueprint)."""

from flask import Flask


def register(app: Flask) -> None:
    from .views import bp

    app.register_blueprint(bp, url_prefix="/admin/questions")
