"""Exams: the question bank, papers and their enrolment, attempts, grading."""

from flask import Flask


def register(app: Flask) -> None:
    """Taking exams, their administration, the question bank, and the law links."""
    from .admin_views import bp as admin_bp
    from .bank_views import bp as bank_bp
    from .taking.views import bp as take_bp

    app.register_blueprint(take_bp, url_prefix="/exams")
    app.register_blueprint(admin_bp, url_prefix="/admin/exams")
    app.register_blueprint(bank_bp, url_prefix="/admin/questions")
    register_law_links()


def register_law_links() -> None:
    """Amending a law a question cites flags the question 待复核 (laws/references.py);
    only questions in use are listed for review."""
    from ..laws.references import LawReference, register
    from ..org.permissions import Perm
    from .models import Question, QuestionStatus

    register(
        LawReference(
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
