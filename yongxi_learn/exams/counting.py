"""How the exam figures count (DESIGN §3), as SQL: which attempts count for a formal
exam (its own and its 补考's), each enrolled person's best scores, and the counting
columns per group of the frozen enrolment. The exam feature keeps its tally with
them (``exam_tally``); the statistics read through them (``stats.exam_sql``).

A person has sat when they have a finished attempt (online or on paper) or an
imported result in an external sheet the exam counts (``CountedSheet``, 计入本考试).

Each person's best scores come from one grouped pass over the family's attempts and
counted results, joined to the enrolment on (person, exam): at district size (10 exams
x 20,000 people) a per-person lookup or a GROUP BY over the enrolment cost seconds. ``overdue``
(``overdue.Overdue``): attempts left open past their deadline count as the sweeper
will finalize them, without a write.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from ..extensions import db
from ..external.models import ExternalResult
from .models import (
    Attempt,
    AttemptMode,
    AttemptStatus,
    CountedSheet,
    Enrolment,
    Exam,
    ExamKind,
    ExamStatus,
)

FINISHED = (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED)


def families(formal_ids: Sequence[int]) -> dict[int, list[int]]:
    """{formal exam id: [its id, and those of its 补考 not cancelled]}: the attempts that
    count for it. Practice exams are never in a family."""
    families = {formal_id: [formal_id] for formal_id in formal_ids}
    makeups = db.session.execute(
        sa.select(Exam.parent_exam_id, Exam.id).where(
            Exam.parent_exam_id.in_(list(formal_ids)),
            Exam.kind == ExamKind.MAKEUP,
            Exam.status != ExamStatus.CANCELLED,
            Exam.personal.is_(False),
        )
    )
    for parent_id, exam_id in makeups:
        families[parent_id].append(exam_id)
    return families


def attempt_scores(formal_ids: Sequence[int], users=None, overdue=None, *, sheets=True):
    """A subquery with one row per (person, formal exam of ``formal_ids``) with a
    sitting that counts for it (``SCORE_COLUMNS``): user_id, formal_id, the best score
    at the first sitting (``first``) and overall (``best``, formal exam and make-ups),
    whether one of those sittings was on paper (``paper``: 1 or 0), and the person's
    imported results in the sheets the family counts (``imported_first``, ``imported``:
    ``IMPORTED_SAT`` or ``IMPORTED_PASSED``, None without one).

    One pass over the family's attempts (the attempt.exam_id index) and the results of
    its counted sheets, grouped by person: joined to the enrolment on (user_id,
    exam_id), it gives every enrolled person's best scores without a per-person lookup
    or a GROUP BY over the enrolment. ``users`` (a select of user ids) limits it to
    those people; ``overdue``: the overdue attempts, counted as finalized; ``sheets``
    False: the platform's own sittings only (the 学时 ledger, where an imported result
    carries its own credit)."""
    family = families(formal_ids)
    formal_of = _formal_of(family, Attempt.exam_id)
    finished, score = Attempt.status.in_(FINISHED), Attempt.score
    if overdue:
        finished, score = overdue.finished(), overdue.score()
    first = Attempt.exam_id == formal_of
    attempts = sa.select(
        formal_of.label("formal_id"),
        Attempt.user_id.label("user_id"),
        sa.case((first, score)).label("first"),
        score.label("best"),
        sa.case((Attempt.mode == AttemptMode.PAPER, 1), else_=0).label("paper"),
        NO_STANDING.label("imported_first"),
        NO_STANDING.label("imported"),
    ).where(Attempt.exam_id.in_([i for ids in family.values() for i in ids]), finished)
    imported = _imported_rows(family)
    if users is not None:
        attempts = attempts.where(Attempt.user_id.in_(users))
        imported = imported.where(ExternalResult.user_id.in_(users))
    rows = (sa.union_all(attempts, imported) if sheets else attempts).subquery("sittings")
    return (
        sa.select(
            rows.c.formal_id,
            rows.c.user_id,
            *(sa.func.max(rows.c[name]).label(name) for name in SCORE_COLUMNS),
        )
        .group_by(rows.c.formal_id, rows.c.user_id)
        .subquery("person_scores")
    )


SCORE_COLUMNS = ("first", "best", "paper", "imported_first", "imported")
# An imported result's standing, as ``imported``/``imported_first`` hold it (the
# greater wins): the person sat, or the import says they passed.
IMPORTED_SAT, IMPORTED_PASSED = 1, 2


# No imported result, typed (PostgreSQL reads an untyped NULL column as text).
NO_STANDING = sa.cast(sa.null(), sa.Integer)


def standing():
    return sa.case((ExternalResult.passed, IMPORTED_PASSED), else_=IMPORTED_SAT)


def _imported_rows(family: dict[int, list[int]]) -> sa.Select:
    """The results of the sheets counted by the family's exams, as ``attempt_scores``'
    rows: a sheet counted by the formal exam counts at the first sitting too."""
    formal_of = _formal_of(family, CountedSheet.exam_id)
    first = CountedSheet.exam_id == formal_of
    return (
        sa.select(
            formal_of.label("formal_id"),
            ExternalResult.user_id.label("user_id"),
            sa.case((first, ExternalResult.score)).label("first"),
            ExternalResult.score.label("best"),
            sa.literal_column("0").label("paper"),
            sa.case((first, standing())).label("imported_first"),
            standing().label("imported"),
        )
        .select_from(CountedSheet)
        .join(ExternalResult, ExternalResult.exam_id == CountedSheet.external_exam_id)
        .where(CountedSheet.exam_id.in_([i for ids in family.values() for i in ids]))
    )


def member_scores(formal_id: int, family: Sequence[int], member, *conditions, sheets=True):
    """``attempt_scores`` of the people of one formal exam's enrolment (``member``, an
    alias of Enrolment) that meet ``conditions`` (on ``member``), each person's maxima
    read from that person's own attempts (ix_attempt_user_id: a few dozen) and imported
    results (ix_external_result_user_id).

    For one group (a submit): the pass over the exam's attempts that
    ``attempt_scores`` makes is planned from the statistics, and an exam opened today
    has none yet. PostgreSQL then takes its attempts for one row and joins them to
    the group in a nested loop, rescanning the group per attempt, so every submit
    costs more than the last. Looked up by person, the work stays the group's size.
    ``exam_id + 0`` keeps the planner off the exam_id indexes, which the same missing
    statistics make look cheapest (one row) and which hold every attempt of the exam.
    ``sheets`` False: the family counts no imported sheet, so none is read (a submit)."""
    done = sa.and_(Attempt.user_id == member.user_id, Attempt.status.in_(FINISHED))
    exam = Attempt.exam_id + 0

    def best_of(attempts, exam_ids):
        """The greatest score of the person's finished attempts that meet ``attempts``
        and of their results in the sheets ``exam_ids`` count: one subquery, each
        source read once (an expression over two would read each up to three times)."""
        own = sa.select(Attempt.score.label("score")).where(attempts, done)
        if not sheets:
            return own.with_only_columns(sa.func.max(Attempt.score)).scalar_subquery()
        scores = sa.union_all(
            own.correlate(member),
            _results(ExternalResult.score, exam_ids, member.user_id).correlate(member),
        ).subquery("scores")
        return sa.select(sa.func.max(scores.c.score)).scalar_subquery()

    def standing_in(exam_ids):
        if not sheets:
            return NO_STANDING
        return imported_result(standing(), exam_ids, member.user_id)

    return (
        sa.select(
            sa.literal(formal_id).label("formal_id"),
            member.user_id.label("user_id"),
            best_of(exam == formal_id, [formal_id]).label("first"),
            best_of(exam.in_(list(family)), list(family)).label("best"),
            standing_in([formal_id]).label("imported_first"),
            standing_in(list(family)).label("imported"),
        )
        .where(member.exam_id == formal_id, *conditions)
        .subquery("person_scores")
    )


def _results(value, exam_ids: Sequence, user_id) -> sa.Select:
    """``value`` of the person's results in the sheets counted by ``exam_ids``, as rows."""
    return (
        sa.select(value.label("score"))
        .select_from(ExternalResult)
        .join(CountedSheet, CountedSheet.external_exam_id == ExternalResult.exam_id)
        .where(ExternalResult.user_id == user_id, CountedSheet.exam_id.in_(list(exam_ids)))
    )


def imported_result(value, exam_ids: Sequence[int], user_id):
    """The greatest ``value`` (of ExternalResult: its score, or ``standing()``) among the
    person's results in the sheets counted by ``exam_ids``, as a scalar subquery
    correlated on ``user_id`` (ix_external_result_user_id)."""
    return (
        sa.select(sa.func.max(value))
        .select_from(ExternalResult)
        .join(CountedSheet, CountedSheet.external_exam_id == ExternalResult.exam_id)
        .where(ExternalResult.user_id == user_id, CountedSheet.exam_id.in_(list(exam_ids)))
        .scalar_subquery()
    )


def greater(a, b):
    """The greater of two values, either of which may be NULL (SQLite's max(a, b) and
    PostgreSQL's GREATEST disagree on NULL)."""
    return sa.case((a.is_(None), b), (b.is_(None), a), (a >= b, a), else_=b)


def _formal_of(family: dict[int, list[int]], exam_id):
    """The formal exam a sitting in ``exam_id`` counts for: its own exam, or its
    补考's parent."""
    makeups = {m: f for f, ids in family.items() for m in ids if m != f}
    if not makeups:
        return exam_id
    return sa.case(makeups, value=exam_id, else_=exam_id)


def _counted(condition):
    return sa.func.count(sa.case((condition, 1)))


COUNTS = ("exempt", "enrolled", "sat", "passed", "sat_first", "passed_first", "scored")


def sat(best, *, first: bool = False):
    """The person (a row of ``attempt_scores``, outer-joined) sat: a finished attempt or
    an imported result that counts (at the first sitting: in the formal exam itself)."""
    if first:
        return sa.or_(best.c.first.is_not(None), best.c.imported_first.is_not(None))
    return sa.or_(best.c.best.is_not(None), best.c.imported.is_not(None))


def passed(best, formal, *, first: bool = False):
    """The person passed: their best score (online, on paper or imported) reaches the
    exam's pass mark, or an imported result says 通过 (the other platform's verdict on
    its own paper stands, with or without a score). Never NULL, so ``~passed`` is the
    未通过 of those who sat."""
    score, imported = (
        (best.c.first, best.c.imported_first) if first else (best.c.best, best.c.imported)
    )
    return sa.or_(
        sa.and_(score.is_not(None), score >= formal.pass_score),
        sa.func.coalesce(imported, 0) == IMPORTED_PASSED,
    )


def figure_columns(best, formal) -> list:
    """Per group of enrolments: the counts of COUNTS, the sum and the lowest of the
    best scores of those counted (the average is score_sum / scored, so groups add up;
    an imported result without a score counts as sat, and in no score figure)."""
    counted = ~Enrolment.exempt
    final = sa.case((counted, best.c.best))
    return [
        _counted(Enrolment.exempt).label("exempt"),
        _counted(counted).label("enrolled"),
        _counted(sa.and_(counted, sat(best))).label("sat"),
        _counted(sa.and_(counted, passed(best, formal))).label("passed"),
        _counted(sa.and_(counted, sat(best, first=True))).label("sat_first"),
        _counted(sa.and_(counted, passed(best, formal, first=True))).label("passed_first"),
        sa.func.count(final).label("scored"),
        sa.func.sum(final).label("score_sum"),
        sa.func.min(final).label("lowest"),
    ]


def group_figures(
    formal_ids: Sequence[int], *conditions, users=None, best=None, overdue=None
) -> sa.Select:
    """From the source rows (enrolment and attempts): the figure columns per group of
    the enrolment (formal exam, frozen unit, frozen category), for the groups that
    meet ``conditions`` (on Enrolment); ``users`` (a select of user ids) must hold
    every person of those groups. What ``exam_tally`` keeps, and what it is checked
    against. ``best``: the people's scores as ``attempt_scores`` gives them, when the
    caller has them another way (``member_scores``)."""
    if best is None:
        best = attempt_scores(formal_ids, users, overdue)
    formal = sa.orm.aliased(Exam, name="formal")
    return (
        sa.select(
            Enrolment.exam_id, Enrolment.unit_id, Enrolment.category, *figure_columns(best, formal)
        )
        .select_from(Enrolment)
        .join(formal, Enrolment.exam_id == formal.id)
        .outerjoin(
            best,
            sa.and_(best.c.user_id == Enrolment.user_id, best.c.formal_id == Enrolment.exam_id),
        )
        .where(Enrolment.exam_id.in_(list(formal_ids)), *conditions)
        .group_by(Enrolment.exam_id, Enrolment.unit_id, Enrolment.category)
    )
