"""``exam_tally``: the exam figures of each group of a formal exam's frozen enrolment
(exam, unit, category), kept by the exam services in the same transaction as the
rows they change. The year overview and ``exam_report`` sum these few thousand rows
instead of grouping every enrolment and attempt (200,000 and 150,000 at district
size); ``stats.exams`` can still compute the same figures from the source rows
(``live=True``), which is what the tests compare them with.

A change recomputes the groups it touches from the source rows with the one
definition (``exam_sql.group_figures``), never by adding or subtracting one: a
regrade, a cancelled 补考 and the lowest score cannot be kept by increments.
- an attempt finalized (handed in, or at its deadline) or regraded: the person's group;
- 免考, 取消免考, 补录: the person's group;
- publishing (the enrolment is frozen), cancelling a 补考: every group of the exam.

On PostgreSQL the groups' rows are first claimed (inserted, or locked with a no-op
update, in key order) and then recomputed by a second statement, whose snapshot
holds every transaction that had them before: two people of one unit handing in at
the same moment cannot leave a stale row. SQLite has one writer at a time (BEGIN
IMMEDIATE), so one statement does.
"""

from collections.abc import Iterable
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from .counting import COUNTS, families, group_figures, member_scores
from .models import Attempt, Enrolment, Exam, ExamKind, ExamTally

KEY = ("exam_id", "unit_id", "category")
VALUES = (*COUNTS, "score_sum", "lowest")
# Above this many people or groups in one change, recompute the whole exam: one pass
# over its enrolment and attempts costs less than a long list of groups.
MANY_PEOPLE = 500
MANY_GROUPS = 40


def formal_id_of(exam: Exam) -> int | None:
    """The formal exam whose figures ``exam``'s attempts count for; None for practice."""
    if exam.personal or exam.kind is ExamKind.PRACTICE:
        return None
    return exam.parent_exam_id if exam.kind is ExamKind.MAKEUP else exam.id


def attempts_changed(attempts: Iterable[Attempt]) -> None:
    """Attempts were finalized or regraded: recompute their people's groups."""
    people: dict[int, set[int]] = {}
    for attempt in attempts:
        formal_id = formal_id_of(attempt.exam)
        if formal_id is not None:
            people.setdefault(formal_id, set()).add(attempt.user_id)
    for formal_id in sorted(people):
        people_changed(formal_id, people[formal_id])


def enrolment_changed(entry: Enrolment) -> None:
    """An enrolment row was added or (un)exempted."""
    exam = entry.exam
    if exam.kind is ExamKind.FORMAL and not exam.personal:
        people_changed(exam.id, {entry.user_id})


def people_changed(formal_id: int, user_ids: set[int]) -> None:
    if len(user_ids) > MANY_PEOPLE:
        refresh_exam(formal_id)
        return
    groups = db.session.execute(
        sa.select(Enrolment.unit_id, Enrolment.category)
        .where(Enrolment.exam_id == formal_id, Enrolment.user_id.in_(sorted(user_ids)))
        .distinct()
    ).all()
    if len(groups) > MANY_GROUPS:
        refresh_exam(formal_id)
    elif len(groups) == 1:  # one person handing in: the usual change, statements cached
        _refresh_one(formal_id, *groups[0])
    elif groups:
        _refresh(formal_id, sorted((unit_id, category) for unit_id, category in groups))


def group_changed(
    formal_id: int,
    unit_id: int,
    category,
    family: tuple[int, ...] | None = None,
    *,
    sheets: bool = True,
) -> None:
    """One person's group changed (a submit, whose lookup found the group and, when
    the exam has no 补考, its family: ``family`` None looks it up; ``sheets`` False
    when it found that the family counts no imported sheet)."""
    _refresh_one(formal_id, unit_id, category, family, sheets)


def refresh_exam(formal_id: int) -> None:
    """Recompute every group of a formal exam (publishing, a 补考 cancelled)."""
    _refresh(formal_id, None)


def rebuild(formal_ids: Iterable[int]) -> None:
    """Recompute the tally of these formal exams (bulk-loaded data, repairs)."""
    for formal_id in sorted(formal_ids):
        refresh_exam(formal_id)


def _refresh(formal_id: int, groups: list[tuple] | None) -> None:
    conditions, users = [], None
    if groups is not None:
        conditions.append(sa.tuple_(Enrolment.unit_id, Enrolment.category).in_(groups))
        users = sa.select(Enrolment.user_id).where(Enrolment.exam_id == formal_id, *conditions)
    insert = _insert_for_dialect()
    if insert is postgresql.insert:
        _claim(formal_id, conditions)
    figures = group_figures([formal_id], *conditions, users=users)
    stmt = insert(ExamTally).from_select([*KEY, *VALUES], figures)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(KEY), set_={name: stmt.excluded[name] for name in VALUES}
    )
    db.session.execute(stmt)


def _refresh_one(formal_id: int, unit_id: int, category, family=None, sheets=True) -> None:
    if family is None:
        family = tuple(families([formal_id])[formal_id])
    dialect = db.session.get_bind().dialect.name
    params = {"unit_id": unit_id, "category": category}
    # Core execution: through the ORM session, parameters to an INSERT mean a bulk insert.
    connection = db.session.connection()
    for statement in _one_group(dialect, formal_id, family, sheets):
        connection.execute(statement, params)


@lru_cache(maxsize=128)
def _one_group(dialect: str, formal_id: int, family: tuple[int, ...], sheets: bool = True) -> tuple:
    """``_refresh`` of one group (bound ``unit_id`` and ``category``) of a formal exam
    whose attempts count from the exams ``family`` (its own and its 补考's): built once
    per family, since building these statements costs several times running them.
    ``sheets`` False: the family counts no imported sheet (a submit's lookup saw)."""
    member = sa.orm.aliased(Enrolment, name="member")
    best = member_scores(formal_id, family, member, *_in_group(member), sheets=sheets)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    conditions = _in_group(Enrolment)
    figures = group_figures([formal_id], *conditions, best=best)
    stmt = insert(ExamTally).from_select([*KEY, *VALUES], figures)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(KEY), set_={name: stmt.excluded[name] for name in VALUES}
    )
    if dialect == "postgresql":
        return (_claim_statement(formal_id, conditions), stmt)
    return (stmt,)


def _in_group(enrolment) -> list:
    """The bound group (``unit_id``, ``category``) on Enrolment or an alias of it."""
    return [
        enrolment.unit_id == sa.bindparam("unit_id"),
        enrolment.category == sa.bindparam("category"),
    ]


def _claim(formal_id: int, conditions: list) -> None:
    """PostgreSQL: insert the groups' rows that are missing and lock those that are
    not, in key order, so that the recomputation that follows sees the work of every
    transaction that held them."""
    db.session.execute(_claim_statement(formal_id, conditions))


def _claim_statement(formal_id: int, conditions: list):
    keys = (
        sa.select(Enrolment.exam_id, Enrolment.unit_id, Enrolment.category)
        .where(Enrolment.exam_id == formal_id, *conditions)
        .distinct()
        .order_by(Enrolment.exam_id, Enrolment.unit_id, Enrolment.category)
    )
    stmt = postgresql.insert(ExamTally).from_select(list(KEY), keys)
    return stmt.on_conflict_do_update(
        index_elements=list(KEY), set_={"exam_id": stmt.excluded.exam_id}
    )


def _insert_for_dialect():
    name = db.session.get_bind().dialect.name
    return postgresql.insert if name == "postgresql" else sqlite.insert
