"""The exam figures as the statistics read them: the enrolment within a unit's subtree
and the viewer's scope, per unit, and the tally's rows (DESIGN §3); how they count is
the exam feature's (``exams.counting``).

The readers' functions take ``overdue`` (``exams.overdue.Overdue``): attempts left
open past their deadline count as the sweeper will finalize them, without a write.
The tally's own refresh (``exam_tally``) counts the rows as they are.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from ..exams.counting import COUNTS, attempt_scores, families, figure_columns, group_figures
from ..exams.models import (
    Enrolment,
    Exam,
    ExamTally,
)
from ..org.models import OrgUnit
from ..org.permissions import Perm, scope_filter
from ..org.subtrees import subtree


def enrolment_base(
    formal_ids: Sequence[int], unit: OrgUnit, categories=(), user=None, overdue=None
):
    """FROM enrolment ⋈ its frozen unit ⋈ the formal exam ⟕ the person's best scores,
    limited to ``unit``'s subtree, ``categories`` and ``user``'s VIEW_STATS scope.
    Returns (select, scores subquery with ``first`` and ``best``, formal exam alias)."""
    best = attempt_scores(formal_ids, overdue=overdue)
    formal = sa.orm.aliased(Exam, name="formal")
    query = (
        sa.select()
        .select_from(Enrolment)
        .join(OrgUnit, Enrolment.unit_id == OrgUnit.id)
        .join(formal, Enrolment.exam_id == formal.id)
        .outerjoin(
            best,
            sa.and_(best.c.user_id == Enrolment.user_id, best.c.formal_id == Enrolment.exam_id),
        )
        .where(Enrolment.exam_id.in_(list(formal_ids)), subtree(OrgUnit.path, unit))
    )
    if categories:
        query = query.where(Enrolment.category.in_(list(categories)))
    if user is not None:
        # The caller checked ``unit``; this keeps any other subtree out regardless.
        query = query.where(scope_filter(user, Perm.VIEW_STATS, OrgUnit.path))
    return query, best, formal


def live_per_unit(formal_ids: list[int], unit: OrgUnit, categories, user, overdue=None):
    """Per (exam, frozen unit): the figure columns, from the enrolment and attempts."""
    base, best, formal = enrolment_base(formal_ids, unit, categories, user, overdue)
    return (
        base.add_columns(Enrolment.exam_id, Enrolment.unit_id, *figure_columns(best, formal))
        .group_by(Enrolment.exam_id, Enrolment.unit_id)
        .subquery("per_unit")
    )


def tally_rows(formal_ids: list[int], categories, overdue=None):
    """The same from exam_tally: its (exam, unit, category) rows as they are, for the
    caller to sum per bucket of units. Summing them per unit here as well would make
    PostgreSQL aggregate every row twice (~20,000 rows at district size). The caller
    applies the subtree and the viewer's scope to the units.

    The groups of people with an ``overdue`` attempt are computed from the source rows
    instead (a few groups; the tally itself is only written with the finalization)."""
    query = sa.select(
        ExamTally.exam_id,
        ExamTally.unit_id,
        *(getattr(ExamTally, name) for name in (*COUNTS, "score_sum", "lowest")),
    ).where(ExamTally.exam_id.in_(formal_ids))
    if categories:
        query = query.where(ExamTally.category.in_(list(categories)))
    people = _overdue_people(formal_ids, overdue)
    if not people:
        return query.subquery("per_unit")
    member = sa.orm.aliased(Enrolment, name="member")
    groups = sa.select(member.exam_id, member.unit_id, member.category).where(
        sa.tuple_(member.exam_id, member.user_id).in_(people)
    )
    key = sa.tuple_(ExamTally.exam_id, ExamTally.unit_id, ExamTally.category)
    in_groups = sa.tuple_(Enrolment.exam_id, Enrolment.unit_id, Enrolment.category).in_(groups)
    conditions = [in_groups]
    if categories:
        conditions.append(Enrolment.category.in_(list(categories)))
    mates = sa.orm.aliased(Enrolment, name="mate")
    users = sa.select(mates.user_id).where(
        sa.tuple_(mates.exam_id, mates.unit_id, mates.category).in_(groups)
    )
    live = group_figures(formal_ids, *conditions, users=users, overdue=overdue).subquery()
    recomputed = sa.select(
        live.c.exam_id, live.c.unit_id, *(live.c[name] for name in (*COUNTS, "score_sum", "lowest"))
    )
    return sa.union_all(query.where(key.not_in(groups)), recomputed).subquery("per_unit")


def _overdue_people(formal_ids: Sequence[int], overdue) -> list[tuple[int, int]]:
    """(formal exam id, user id) of each overdue attempt that counts for these exams."""
    if not overdue:
        return []
    formal_of = {m: f for f, ids in families(formal_ids).items() for m in ids}
    return sorted({(formal_of[e.exam_id], e.user_id) for e in overdue.in_exams(formal_of)})
