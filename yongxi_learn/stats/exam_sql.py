"""The SQL the exam figures share: which attempts count for a formal exam (its own and
its 补考's), each enrolled person's best scores, and the counting columns (DESIGN §3).

Attempts are found per enrolled person (the attempt.user_id index), so a village's
figures cost a village's rows, not the whole district's.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from ..core.permissions import Perm, scope_filter
from ..exams.models import Attempt, AttemptStatus, Enrolment, Exam, ExamKind, ExamStatus
from ..extensions import db
from ..org.models import OrgUnit
from .common import subtree

FINISHED = (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED)


def families(formal_ids: Sequence[int]) -> dict[int, list[int]]:
    """{formal exam id: [its id, and those of its 补考 not cancelled]}: the attempts that
    count for it. Practice papers are never in a family."""
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


def person_scores(formal_ids: Sequence[int], unit: OrgUnit, categories=(), user=None):
    """A subquery with one row per enrolment of ``formal_ids`` in ``unit``'s subtree:
    enrolment_id, the best finished score at the first sitting (``first``) and overall
    (``best``, formal exam and make-ups). Attempts are found per enrolled person, so
    the work grows with the subtree, not with the whole exam."""
    counts = _counts_for(families(formal_ids))
    query = (
        sa.select(
            Enrolment.id.label("enrolment_id"),
            sa.func.max(sa.case((Attempt.exam_id == Enrolment.exam_id, Attempt.score))).label(
                "first"
            ),
            sa.func.max(Attempt.score).label("best"),
        )
        .select_from(Enrolment)
        .join(OrgUnit, Enrolment.unit_id == OrgUnit.id)
        .outerjoin(
            Attempt,
            sa.and_(Attempt.user_id == Enrolment.user_id, Attempt.status.in_(FINISHED), counts),
        )
        .where(Enrolment.exam_id.in_(list(formal_ids)), subtree(OrgUnit.path, unit))
        .group_by(Enrolment.id)
    )
    if categories:
        query = query.where(Enrolment.category.in_(list(categories)))
    if user is not None:
        # The caller checked ``unit``; this keeps any other subtree out regardless.
        query = query.where(scope_filter(user, Perm.VIEW_STATS, OrgUnit.path))
    return query.subquery("person_scores")


def _counts_for(family: dict[int, list[int]]):
    """The join condition "this attempt counts for this enrolment's exam": its own
    exam, or one of its 补考. One equality for the formal exams (not one OR branch per
    exam: at 10 exams x 20,000 people that made the year overview 90x slower than one
    exam), plus one branch per make-up."""
    makeups = [
        sa.and_(Attempt.exam_id == makeup_id, Enrolment.exam_id == formal_id)
        for formal_id, exam_ids in family.items()
        for makeup_id in exam_ids
        if makeup_id != formal_id
    ]
    return sa.or_(Attempt.exam_id == Enrolment.exam_id, *makeups)


def enrolment_base(formal_ids: Sequence[int], unit: OrgUnit, categories=(), user=None):
    """FROM the per-person scores ⋈ enrolment ⋈ its frozen unit ⋈ the formal exam,
    limited to ``unit``'s subtree, ``categories`` and ``user``'s VIEW_STATS scope.
    Returns (select, scores subquery with ``first`` and ``best``, formal exam alias)."""
    best = person_scores(formal_ids, unit, categories, user)
    formal = sa.orm.aliased(Exam, name="formal")
    query = (
        sa.select()
        .select_from(best)
        .join(Enrolment, Enrolment.id == best.c.enrolment_id)
        .join(OrgUnit, Enrolment.unit_id == OrgUnit.id)
        .join(formal, Enrolment.exam_id == formal.id)
    )
    return query, best, formal


def _counted(condition):
    return sa.func.count(sa.case((condition, 1)))


def figure_columns(best, formal) -> list:
    counted = ~Enrolment.exempt
    final = sa.case((counted, best.c.best))
    return [
        _counted(Enrolment.exempt).label("exempt"),
        _counted(counted).label("enrolled"),
        _counted(sa.and_(counted, best.c.best.is_not(None))).label("sat"),
        _counted(sa.and_(counted, best.c.best >= formal.pass_score)).label("passed"),
        _counted(sa.and_(counted, best.c.first.is_not(None))).label("sat_first"),
        _counted(sa.and_(counted, best.c.first >= formal.pass_score)).label("passed_first"),
        sa.func.avg(final).label("average"),
        sa.func.min(final).label("lowest"),
    ]
