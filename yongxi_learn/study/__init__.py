from flask import Flask


def register(app: Flask) -> None:
    """Blueprints and CLI commands of the study feature."""
    _register_library(app)
    _register_study(app)


def _register_library(app: Flask) -> None:
    """The law library (法规库), and the questions that point at its laws."""
    from ..core.permissions import Perm
    from ..exams.models import Question, QuestionStatus
    from . import law_refs
    from .law_views import bp

    app.register_blueprint(bp, url_prefix="/laws")
    law_refs.register(
        law_refs.LawReference(
            label="试题",
            model=Question,
            describe=lambda question: question.stem[:60],
            endpoint="bank.edit",
            endpoint_arg="question_id",
            unit_column="owner_unit_id",
            perm=Perm.MANAGE_EXAMS,
            listed=lambda: Question.status == QuestionStatus.ACTIVE,
        )
    )


def _register_study(app: Flask) -> None:
    """Study lists (学习清单) and reading assignments (阅读任务)."""
