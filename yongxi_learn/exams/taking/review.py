"""What the result page may show of a finished attempt, per its exam's review policy.

An attempt left open past its deadline shows as it will once finalized (EXPIRED at
its deadline, graded from its saved answers: ``overdue``); the page writes nothing."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ...org.models import User
from .. import grading, overdue
from ..attempts import AttemptError, ensure_own, is_overdue
from ..models import Attempt, AttemptQuestion, AttemptStatus, Exam, Question, ReviewPolicy
from ..papers import keys


@dataclass(frozen=True)
class Outcome:
    """The attempt's result as the page states it."""

    exam: Exam
    number: int
    status: AttemptStatus
    score: Decimal | None
    max_score: Decimal
    passed: bool | None
    finished_at: datetime | None


@dataclass(frozen=True)
class ReviewItem:
    position: int
    question: Question
    options: list[str]  # as shown
    response: str  # shown letters
    key: str | None  # shown letters; None when the policy hides it
    correct: bool | None
    awarded: Decimal | None

    @property
    def answered(self) -> bool:
        return bool(self.response)


@dataclass(frozen=True)
class Review:
    attempt: Attempt
    outcome: Outcome
    details_shown: bool
    hidden_until: datetime | None  # AFTER_CLOSE: when details appear
    items: list[ReviewItem]


def review(attempt: Attempt, user: User, now: datetime) -> Review:
    """What the result page may show: the score always; details per the policy."""
    ensure_own(attempt, user)
    expired = overdue.find(now, attempt_id=attempt.id).of(attempt.id)
    if expired is None and not attempt.status.finished:
        if is_overdue(attempt, now):  # finalized meanwhile by someone else
            raise AttemptError("成绩正在生成，请刷新页面")
        raise AttemptError("尚未交卷")
    exam = attempt.exam
    shown = details_allowed(exam, now)
    hidden_until = exam.closes_at if exam.review_policy is ReviewPolicy.AFTER_CLOSE else None
    if shown:
        # A practice exam drawn before an exam the person sits opened, or a formal
        # exam whose 补考 the person now sits, may hold questions of an exam still
        # open: their keys wait for it to close.
        questions = [aq.question for aq in attempt.questions]
        until = keys.withheld_until(user, questions, now, besides=None if exam.personal else exam)
        shown, hidden_until = until is None, until
    return Review(
        attempt,
        _outcome(attempt, expired),
        shown,
        None if shown else hidden_until,
        _review_items(attempt, shown, expired),
    )


def _outcome(attempt: Attempt, expired: overdue.Expired | None) -> Outcome:
    if expired is None:
        return Outcome(
            attempt.exam,
            attempt.number,
            attempt.status,
            attempt.score,
            attempt.max_score,
            attempt.passed,
            attempt.finished_at,
        )
    result = expired.result
    return Outcome(
        attempt.exam,
        attempt.number,
        AttemptStatus.EXPIRED,
        result.score,
        result.max_score,
        result.passed,
        expired.finished_at,
    )


def details_allowed(exam: Exam, now: datetime) -> bool:
    if exam.review_policy is ReviewPolicy.IMMEDIATE:
        return True
    if exam.review_policy is ReviewPolicy.AFTER_CLOSE:
        return exam.closes_at is not None and now >= exam.closes_at
    return False


def _review_items(
    attempt: Attempt, shown: bool, expired: overdue.Expired | None
) -> list[ReviewItem]:
    def correct(aq: AttemptQuestion) -> bool | None:
        return aq.correct if expired is None else expired.items[aq.position].correct

    def awarded(aq: AttemptQuestion) -> Decimal | None:
        return aq.awarded if expired is None else expired.items[aq.position].awarded

    return [
        ReviewItem(
            position=aq.position,
            question=aq.question,
            options=shown_options(aq),
            response=grading.canonical_to_shown(aq.response, aq.option_order),
            key=grading.canonical_to_shown(aq.question.answer, aq.option_order) if shown else None,
            correct=correct(aq) if shown else None,
            awarded=awarded(aq) if shown else None,
        )
        for aq in attempt.questions
    ]


def shown_options(aq: AttemptQuestion) -> list[str]:
    return [aq.question.options[i] for i in aq.option_order]
