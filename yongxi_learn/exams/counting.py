"""How the exam figures count (DESIGN §3), as SQL: which attempts count for a formal
exam (its own and its 补考's), each enrolled person's best scores, and the counting
columns per group of the frozen enrolment. The exam feature keeps its tally with
them (``exam_tally``); the statistics read through them (``stats.exam_sql``).

Each person's best scores come from one grouped pass over the family's attempts,
joined to the enrolment on (person, exam): at district size (10 exams x 20,000 people)
a per-person lookup or a GROUP BY over the enrolment cost seconds. ``overdue``
(``overdue.Overdue``): attempts left open past their deadline count as the sweeper
will finalize them, without a write.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from ..extensions import db
from .models import Attempt, AttemptMode, AttemptStatus, Enrolment, Exam, ExamKind, ExamStatus

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


def attempt_scores(formal_ids: Sequence[int], users=None, overdue=None):
    """A subquery with one row per (person, formal exam of ``formal_ids``) with a
    finished attempt that counts for it: user_id, formal_id, the best score at the
    first sitting (``first``) and overall (``best``, formal exam and make-ups), and
    whether one of those sittings was on paper (``paper``: 1 or 0).

    One pass over the family's attempts (the attempt.exam_id index) grouped by person:
    joined to the enrolment on (user_id, exam_id), it gives every enrolled person's
    best scores without a per-person lookup or a GROUP BY over the enrolment.
    ``users`` (a select of user ids) limits it to those people; ``overdue``: the
    overdue attempts, counted as finalized."""
    family = families(formal_ids)
    formal_of = _formal_of(family)
    finished, score = Attempt.status.in_(FINISHED), Attempt.score
    if overdue:
        finished, score = overdue.finished(), overdue.score()
    query = (
        sa.select(
            formal_of.label("formal_id"),
            Attempt.user_id.label("user_id"),
            sa.func.max(sa.case((Attempt.exam_id == formal_of, score))).label("first"),
            sa.func.max(score).label("best"),
            # Whether one of the counted sittings was on paper (the lists' 备注).
            sa.func.max(sa.case((Attempt.mode == AttemptMode.PAPER, 1), else_=0)).label("paper"),
        )
        .where(
            Attempt.exam_id.in_([i for ids in family.values() for i in ids]),
            finished,
        )
        .group_by(formal_of, Attempt.user_id)
    )
    if users is not None:
        query = query.where(Attempt.user_id.in_(users))
    return query.subquery("person_scores")


def member_scores(formal_id: int, family: Sequence[int], member, *conditions):
    """``attempt_scores`` of the people of one formal exam's enrolment (``member``, an
    alias of Enrolment) that meet ``conditions`` (on ``member``), each person's two
    maxima read from that person's own attempts (ix_attempt_user_id: a few dozen).

    For one group (a submit): the pass over the exam's attempts that
    ``attempt_scores`` makes is planned from the statistics, and an exam opened today
    has none yet. PostgreSQL then takes its attempts for one row and joins them to
    the group in a nested loop, rescanning the group per attempt, so every submit
    costs more than the last. Looked up by person, the work stays the group's size.
    ``exam_id + 0`` keeps the planner off the exam_id indexes, which the same missing
    statistics make look cheapest (one row) and which hold every attempt of the exam."""
    done = sa.and_(Attempt.user_id == member.user_id, Attempt.status.in_(FINISHED))
    exam = Attempt.exam_id + 0
    first = sa.select(sa.func.max(Attempt.score)).where(exam == formal_id, done)
    best = sa.select(sa.func.max(Attempt.score)).where(exam.in_(list(family)), done)
    return (
        sa.select(
            sa.literal(formal_id).label("formal_id"),
            member.user_id.label("user_id"),
            first.scalar_subquery().label("first"),
            best.scalar_subquery().label("best"),
        )
        .where(member.exam_id == formal_id, *conditions)
        .subquery("person_scores")
    )


def _formal_of(family: dict[int, list[int]]):
    """The formal exam an attempt counts for: its own exam, or its 补考's parent."""
    makeups = {m: f for f, ids in family.items() for m in ids if m != f}
    if not makeups:
        return Attempt.exam_id
    return sa.case(makeups, value=Attempt.exam_id, else_=Attempt.exam_id)


def _counted(condition):
    return sa.func.count(sa.case((condition, 1)))


COUNTS = ("exempt", "enrolled", "sat", "passed", "sat_first", "passed_first", "scored")


def figure_columns(best, formal) -> list:
    """Per group of enrolments: the counts of COUNTS, the sum and the lowest of the
    best scores of those counted (the average is score_sum / scored, so groups add up)."""
    counted = ~Enrolment.exempt
    final = sa.case((counted, best.c.best))
    return [
        _counted(Enrolment.exempt).label("exempt"),
        _counted(counted).label("enrolled"),
        _counted(sa.and_(counted, best.c.best.is_not(None))).label("sat"),
        _counted(sa.and_(counted, best.c.best >= formal.pass_score)).label("passed"),
        _counted(sa.and_(counted, best.c.first.is_not(None))).label("sat_first"),
        _counted(sa.and_(counted, best.c.first >= formal.pass_score)).label("passed_first"),
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
