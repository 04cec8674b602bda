"""Exams: the question bank, papers and their enrolment, attempts, grading."""


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
