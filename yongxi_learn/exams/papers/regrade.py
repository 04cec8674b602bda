"""Fixing a wrong answer key, and regrading every finalized attempt that asked it."""

import sqlalchemy as sa

from ...extensions import db
from ...org.permissions import Perm, ensure
from ...org.services import Actor
from ...org.year_close import ensure_year_open
from .. import exam_tally, grading
from ..models import Attempt, AttemptQuestion, AttemptStatus, Exam, ExamKind, Question, QuestionType
from .base import ExamError, audit_exam

FINISHED = (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED)


def check_key(question: Question, answer: str) -> str:
    """The answer in canonical letters, if it fits the question's type and options."""
    key = grading.normalise_letters(ch for ch in (answer or "") if not ch.isspace())
    letters = grading.LETTERS[: len(question.options)]
    if not key or any(ch not in letters for ch in key):
        raise ExamError(f"答案只能是{letters[0]}到{letters[-1]}中的字母")
    if question.type is QuestionType.MULTI and len(key) < 2:
        raise ExamError("多选题的答案至少要有两个选项")
    if question.type is not QuestionType.MULTI and len(key) != 1:
        raise ExamError(f"{question.type.label}题的答案只能有一个选项")
    return key


def fix_answer_key(question: Question, new_answer: str, *, actor: Actor) -> int:
    """Change the key of this very question version (the attempts asked exactly it,
    so no new version) and regrade; returns how many attempts' scores changed."""
    if actor.user is not None:
        ensure(actor.user, Perm.MANAGE_EXAMS, question.owner_unit)
    key = check_key(question, new_answer)
    if key == question.answer:
        raise ExamError("新答案与原答案相同")
    _ensure_years_open(question)
    old, question.answer = question.answer, key
    db.session.flush()
    affected = _affected(question)
    changed = sum(_regrade(attempt) for attempt in affected)
    db.session.flush()
    exam_tally.attempts_changed(affected)
    audit_exam(
        actor,
        "question.fix_answer",
        question,
        detail=f"答案 {old} → {key}，{changed}份答卷成绩改变",
    )
    db.session.flush()
    return changed


def _ensure_years_open(question: Question) -> None:
    """A regrade reaching an answer sheet of a closed year is refused as a whole."""
    used = sa.select(AttemptQuestion.attempt_id).where(AttemptQuestion.question_id == question.id)
    exams = db.session.execute(
        sa.select(Exam.owner_unit_id, Exam.year)
        .join(Attempt, Attempt.exam_id == Exam.id)
        .where(Attempt.id.in_(used), Attempt.status.in_(FINISHED), Exam.kind != ExamKind.PRACTICE)
        .distinct()
    ).all()
    for unit_id, year in exams:
        ensure_year_open(unit_id, year, error=ExamError)


def _affected(question: Question) -> list[Attempt]:
    used = sa.select(AttemptQuestion.attempt_id).where(AttemptQuestion.question_id == question.id)
    return list(
        db.session.scalars(
            sa.select(Attempt)
            .where(Attempt.id.in_(used), Attempt.status.in_(FINISHED))
            .order_by(Attempt.id)
            .with_for_update()
        )
    )


def _regrade(attempt: Attempt) -> bool:
    """Grade the attempt again with the current keys; whether score or pass changed."""
    items = [
        grading.Item(aq.question.type, aq.question.answer, aq.response, aq.score)
        for aq in attempt.questions
    ]
    result = grading.grade(items, attempt.exam.pass_score)
    for aq, graded in zip(attempt.questions, result.items, strict=True):
        aq.correct, aq.awarded = graded.correct, graded.awarded
    changed = (attempt.score, attempt.passed) != (result.score, result.passed)
    attempt.score, attempt.max_score, attempt.passed = result.score, result.max_score, result.passed
    return changed
