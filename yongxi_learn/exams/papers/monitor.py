"""The admin's view of an exam under way: who has not started, is in progress,
has passed or failed, and how each question fared (item analysis).

Everything is computed in SQL over the frozen enrolment, scoped by the enrolment's
unit to the viewer's VIEW_EXAMS subtrees. Attempts overdue at ``now`` count as
finalized (``overdue``): the pages read, they never write.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ...core.formatting import Rate
from ...core.labels import LabelledEnum
from ...extensions import db
from ...external.models import ExternalResult
from ...org.models import OrgUnit, User
from ...org.ordering import people_order
from ...org.permissions import Perm, scope_filter
from .. import counting, overdue
from ..models import (
    Attempt,
    AttemptLogin,
    AttemptMode,
    AttemptQuestion,
    AttemptStatus,
    Enrolment,
    Exam,
    Question,
)
from . import enrolment, keys


class Progress(LabelledEnum):
    NOT_STARTED = "not_started", "未开始"
    IN_PROGRESS = "in_progress", "进行中"
    PASSED = "passed", "通过"
    FAILED = "failed", "未通过"
    EXEMPT = "exempt", "免考"


FINISHED = (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED)


def _best(exam: Exam, late: overdue.Overdue):
    """The person's best score in this sitting's finished attempts."""
    return (
        sa.select(sa.func.max(late.score()))
        .where(
            Attempt.exam_id == exam.id,
            Attempt.user_id == Enrolment.user_id,
            late.finished(),
        )
        .scalar_subquery()
    )


def _imported(exam: Exam, value):
    """The person's results in the imported sheets this sitting counts (``counting``)."""
    return counting.imported_result(value, [exam.id], Enrolment.user_id)


def _status(exam: Exam, best, late: overdue.Overdue):
    open_attempt = (
        sa.select(Attempt.id)
        .where(
            Attempt.exam_id == exam.id,
            Attempt.user_id == Enrolment.user_id,
            late.in_progress(),
        )
        .exists()
    )
    imported = _imported(exam, counting.standing())
    passed = sa.or_(
        best >= exam.pass_score,
        _imported(exam, ExternalResult.score) >= exam.pass_score,
        imported == counting.IMPORTED_PASSED,
    )
    return sa.case(
        (Enrolment.exempt, sa.literal(Progress.EXEMPT.value)),
        (passed, sa.literal(Progress.PASSED.value)),
        (sa.or_(best.is_not(None), imported.is_not(None)), sa.literal(Progress.FAILED.value)),
        (open_attempt, sa.literal(Progress.IN_PROGRESS.value)),
        else_=sa.literal(Progress.NOT_STARTED.value),
    )


def _scoped(exam: Exam, user: User, unit: OrgUnit | None):
    query = (
        sa.select(Enrolment)
        .join(OrgUnit, Enrolment.unit_id == OrgUnit.id)
        .where(Enrolment.exam_id == exam.id, scope_filter(user, Perm.VIEW_EXAMS))
    )
    if unit is not None:
        query = query.where(OrgUnit.path.startswith(unit.path, autoescape=True))
    return query


@dataclass(frozen=True)
class Counts:
    by_status: dict[Progress, int]

    @property
    def enrolled(self) -> int:
        """应考人数: enrolled and not exempted."""
        return sum(n for s, n in self.by_status.items() if s is not Progress.EXEMPT)

    @property
    def submitted(self) -> int:
        """本场参考人数: with at least one finalized attempt in this exam alone (the
        statistics' 参考人数 also counts its 补考: a different label)."""
        return self.by_status[Progress.PASSED] + self.by_status[Progress.FAILED]


def progress_counts(
    exam: Exam, user: User, unit: OrgUnit | None = None, *, now: datetime
) -> Counts:
    late = overdue.find(now)
    status = _status(exam, _best(exam, late), late).label("status")
    inner = _scoped(exam, user, unit).with_only_columns(status).subquery()
    rows = db.session.execute(
        sa.select(inner.c.status, sa.func.count()).group_by(inner.c.status)
    ).all()
    counts = {p: 0 for p in Progress}
    counts.update({Progress(s): n for s, n in rows})
    return Counts(counts)


def _several_logins(exam: Exam):
    """Whether one of the person's attempts was opened or answered by more than one
    login (another phone or PC, or a new login): a sign the admin may ask about."""
    return (
        sa.select(AttemptLogin.attempt_id)
        .join(Attempt, Attempt.id == AttemptLogin.attempt_id)
        .where(Attempt.exam_id == exam.id, Attempt.user_id == Enrolment.user_id)
        .group_by(AttemptLogin.attempt_id)
        .having(sa.func.count() > 1)
        .exists()
    )


def _on_paper(exam: Exam):
    """Whether the person sits this exam on paper (printed, typed in or not yet)."""
    return (
        sa.select(Attempt.id)
        .where(
            Attempt.exam_id == exam.id,
            Attempt.user_id == Enrolment.user_id,
            Attempt.mode == AttemptMode.PAPER,
        )
        .exists()
    )


def progress_select(
    exam: Exam,
    user: User,
    *,
    now: datetime,
    status: Progress | None = None,
    unit: OrgUnit | None = None,
) -> sa.Select:
    """Rows of (Enrolment, best score, status, several_logins, on_paper, imported: 1
    with a result in a sheet this sitting counts), by unit then name."""
    late = overdue.find(now)
    best = _best(exam, late)
    status_col = _status(exam, best, late)
    query = (
        _scoped(exam, user, unit)
        .add_columns(
            counting.greater(best, _imported(exam, ExternalResult.score)).label("best"),
            status_col.label("status"),
            _several_logins(exam).label("several_logins"),
            _on_paper(exam).label("on_paper"),
            _imported(exam, sa.literal_column("1")).label("imported"),
        )
        .join(Enrolment.user)
        .options(*enrolment.WITH_PERSON_AND_UNIT)
        .order_by(*people_order(Enrolment.unit_id))
    )
    if status is not None:
        query = query.where(status_col == status.value)
    return query


def exam_progress(exam: Exam, user: User, now: datetime) -> tuple[Counts, list]:
    """Every visible enrolment with its status, and the counts."""
    rows = db.session.execute(progress_select(exam, user, now=now)).all()
    return progress_counts(exam, user, now=now), rows


# ---------------------------------------------------------------- item analysis


@dataclass(frozen=True)
class ItemStats:
    question: Question
    shown: int  # in how many finalized attempts it was asked
    answered: int
    correct: int
    top_wrong: str  # the most chosen wrong response (canonical letters), "" if none
    top_wrong_count: int

    @property
    def correct_rate(self) -> Rate:
        """正确率 = 答对人次 / 作答人次, printed as every other rate is."""
        return Rate(self.correct, self.answered)


def _item_base(exam_ids, user: User | None, perm: Perm, unit: OrgUnit | None, categories, late):
    query = (
        sa.select()
        .select_from(AttemptQuestion)
        .join(Attempt, AttemptQuestion.attempt_id == Attempt.id)
        .join(
            Enrolment,
            sa.and_(Enrolment.exam_id == Attempt.exam_id, Enrolment.user_id == Attempt.user_id),
        )
        .join(OrgUnit, Enrolment.unit_id == OrgUnit.id)
        .where(Attempt.exam_id.in_(exam_ids), late.finished())
    )
    # No user: the system (a CLI export), which sees everything.
    if user is not None:
        query = query.where(scope_filter(user, perm))
    if unit is not None:
        query = query.where(OrgUnit.path.startswith(unit.path, autoescape=True))
    if categories:
        query = query.where(Enrolment.category.in_(list(categories)))
    return query


def item_analysis(
    exam: Exam,
    user: User | None,
    *,
    now: datetime,
    perm: Perm = Perm.VIEW_EXAMS,
    exam_ids=None,
    unit: OrgUnit | None = None,
    categories=(),
) -> list[ItemStats]:
    """Per question asked in the exam's finalized attempts (or those of ``exam_ids``,
    e.g. with its make-ups): answered, correct rate and the most chosen wrong answer;
    hardest first. Limited to the viewer's ``perm`` subtrees, ``unit`` and ``categories``
    by the frozen enrolment.

    Attempts overdue at ``now`` count as finalized, graded from their saved answers,
    so every page and download counts the same answers. Questions whose key ``user``
    may not see yet (``keys.hidden_from``: an exam still open they sit) are left out."""
    late = overdue.find(now)
    answered = AttemptQuestion.response != ""
    right = late.correct()
    if late:  # a CASE: "IS TRUE" of a column only
        right = sa.func.coalesce(right, sa.false())
    base = _item_base(exam_ids or [exam.id], user, perm, unit, categories, late)
    totals = db.session.execute(
        base.add_columns(
            AttemptQuestion.question_id,
            sa.func.count(),
            sa.func.count(sa.case((answered, 1))),
            sa.func.count(sa.case((right.is_(True), 1))),
        ).group_by(AttemptQuestion.question_id)
    ).all()
    wrong = db.session.execute(
        base.add_columns(AttemptQuestion.question_id, AttemptQuestion.response, sa.func.count())
        .where(answered, right.is_not(True))
        .group_by(AttemptQuestion.question_id, AttemptQuestion.response)
    ).all()
    top: dict[int, tuple[str, int]] = {}
    for qid, response, n in wrong:
        if n > top.get(qid, ("", 0))[1] or (n == top[qid][1] and response < top[qid][0]):
            top[qid] = (response, n)
    questions = {
        q.id: q
        for q in db.session.scalars(
            sa.select(Question).where(Question.id.in_([row[0] for row in totals]))
        )
    }
    hidden = keys.hidden_from(user, now) if user is not None else frozenset()
    stats = [
        ItemStats(questions[qid], shown, n_answered, n_correct, *top.get(qid, ("", 0)))
        for qid, shown, n_answered, n_correct in totals
        if keys.root_of(questions[qid]) not in hidden
    ]
    return sorted(stats, key=_hardest_first)


def _hardest_first(item: ItemStats) -> tuple:
    rate = item.correct_rate.value  # the exact fraction, not the rounded text
    return (rate is None, rate or 0, item.question.id)
