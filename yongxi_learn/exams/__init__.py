"""Exams, in three parts with a blueprint each: the question bank (``bank``), setting
exams (``papers``) and taking them (``taking``, the hot paths of an exam evening).
Below them, shared by all three: the models, grading and scoring, attempts (start,
save, submit, finalize), paper sittings (``paper_sittings``: printed papers typed
back in) and what may be counted (``exam_tally``, ``counting``, ``overdue``).

Words, one per thing:
- an **exam** (考试) is what an admin sets and publishes: its window, audience, pass
  mark and review policy, and its paper;
- an exam's **paper** (试卷) is its questions as set: fixed questions or draw rules,
  with their scores;
- an attempt's **sheet** (答卷) is the questions one person was given, drawn from the
  paper and frozen in AttemptQuestion rows, with their answers;
- a **practice** exam (练习) is an Exam of kind PRACTICE a person draws for themselves.
"""

from flask import Flask

from . import bank, papers, taking


def register(app: Flask) -> None:
    """Taking exams, setting them, the question bank, and the law links."""
    taking.register(app)
    papers.register(app)
    bank.register(app)
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
