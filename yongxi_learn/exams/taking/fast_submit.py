"""The submit hot path: handing in an attempt in progress in four or five statements.
交卷 has two ways, this one and the full one in ``views`` (through the ORM, for
everything unusual), each in the request's one transaction.

One SELECT checks the login session as autosave's does, so the person is not loaded,
row-locks the person's attempt FOR UPDATE (concurrent submits queue on it and find it
finished, as with ``attempts.load_attempt(lock="update")``) and reads its state, the
person's group in the exam's figures and whether the exam has a 补考 (what
``exam_tally`` would look up in two more statements). A second reads the answers as stored now
(``scoring.stored_answers``); the answers the page's form carries, where they differ
from those stored, are written in one executemany, as ``attempts.save_form_answers``
would (each such row's version moves on); one UPDATE writes
every row's grade (``scoring.mark``) and one closes the attempt with its total, only
while it is still in progress. No ORM object is loaded and nothing just written is
read back. An attempt already finished needs nothing (submitting again shows the
same result). Anything unusual (not the person's, overdue, letters a question does
not have, an answer another page changed after this page saw it) returns False and
the view takes the full path, which answers each case.
"""

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType

import sqlalchemy as sa

from ...auth.models import LoginSession
from ...auth.sessions import TOUCH, TOUCH_INTERVAL, LoginCheck, live_login, seen_at
from ...core.db import GenericPlansFromHere
from ...extensions import db
from ...org.models import User
from .. import exam_tally
from ..answer_versions import form_conflicts
from ..attempts import GRACE, NOT_ON_PAPER, InvalidAnswer, record_login, to_canonical
from ..grading import parse_order
from ..models import (
    Attempt,
    AttemptLogin,
    AttemptQuestion,
    AttemptStatus,
    CountedSheet,
    Enrolment,
    Exam,
    ExamKind,
    ExamStatus,
    QuestionType,
)
from ..scoring import mark, stored_answers


def submit_for_login(
    token: str,
    check: LoginCheck,
    attempt_id: int,
    now: datetime,
    form: Mapping[int, str] | None,
    versions: Mapping[int, int] = MappingProxyType({}),
) -> bool:
    """Grade and close the attempt for the person of the login session ``token``,
    checked in the same query (``auth.sessions.live_login``), without loading the
    person; False: anything else, and the full path (``views``, through the ORM)
    answers. ``form``: every answer as the page's form shows it (a position missing
    was left blank), or None when the request carries no answers (they are all
    saved); ``versions``: the version of each answer the page saw. The login's last
    seen time is written when it is a minute old, as by every request, and the login
    is noted on the attempt (``attempts.record_login``) if it was not yet."""
    row = db.session.execute(
        _LOCK_BY_LOGIN,
        {"attempt_id": attempt_id, **check.params(token, password_age=False)},
    ).first()
    if row is None:
        return False
    if now - row.last_seen >= TOUCH_INTERVAL:
        db.session.execute(TOUCH, {"login_id": row.login_id, "now": now})
    if not _hand_in(row, attempt_id, now, form, versions):
        return False
    if not row.login_known:  # a page without JavaScript never said it opened
        record_login(attempt_id, row.login_id, now)
    return True


def _hand_in(
    row,
    attempt_id: int,
    now: datetime,
    form: Mapping[int, str] | None,
    versions: Mapping[int, int],
) -> bool:
    if row.status is not AttemptStatus.IN_PROGRESS:
        # Handed in already: the result stands; a form carrying other answers goes the
        # full way, which tells the person they did not count.
        return form is None
    if row.deadline is not None and now > row.deadline + GRACE:
        return False  # overdue: the full path finalizes it and says so
    pass_score, answers = stored_answers(attempt_id)
    try:
        changed = _form_changes(answers, form, versions)
    except (InvalidAnswer, _Conflict):
        return False  # the full path tells the person
    if changed:
        db.session.execute(
            _SAVE,
            [{"b_attempt": attempt_id, "b_position": p, "new": r, "now": now} for p, r in changed],
        )
    result = mark(attempt_id, answers, pass_score, dict(changed))
    # Handed in during the grace period: it still finished by the deadline.
    finished_at = min(now, row.deadline) if row.deadline else now
    db.session.execute(
        _CLOSE,
        {
            "b_id": attempt_id,
            "in_progress": AttemptStatus.IN_PROGRESS,
            "new_score": result.score,
            "new_max": result.max_score,
            "new_passed": result.passed,
            "new_status": AttemptStatus.SUBMITTED,
            "new_finished": finished_at,
        },
    )
    # The year's figures, in the same transaction (as attempts.submit_attempt does).
    formal_id = exam_tally.formal_id_of(row)
    if formal_id is not None and row.group_unit_id is not None:  # None: not enrolled
        family = None if row.has_makeup else (formal_id,)
        exam_tally.group_changed(
            formal_id, row.group_unit_id, row.group_category, family, sheets=row.has_sheets
        )
    return True


class _Conflict(Exception):
    """The form changes an answer another page changed after this page saw it."""


def _form_changes(
    answers, form: Mapping[int, str] | None, versions: Mapping[int, int]
) -> list[tuple[int, str]]:
    """(position, canonical letters) of the form's answers that differ from those stored."""
    if form is None:
        return []
    changed = []
    for row in answers:
        canonical = to_canonical(
            form.get(row.position, ""), QuestionType(row.type), parse_order(row.option_order)
        )
        if canonical != row.response:
            if form_conflicts(row.version, versions.get(row.position)):
                raise _Conflict()
            changed.append((row.position, canonical))
    return changed


# Built once: constructing a statement costs more Python than running it here.
_a, _aq, _exam = Attempt.__table__, AttemptQuestion.__table__, Exam.__table__
_login, _user = LoginSession.__table__, User.__table__
_seen_by = AttemptLogin.__table__
_own = Enrolment.__table__.alias("own_enrolment")
_makeup = Exam.__table__.alias("makeup")
_counted, _family_exam = CountedSheet.__table__, Exam.__table__.alias("family_exam")
# The formal exam whose figures the attempt counts for, when it counts for one
# (``exam_tally.formal_id_of``): a 补考's parent, else the exam itself.
_formal = sa.case((_exam.c.kind == ExamKind.MAKEUP, _exam.c.parent_exam_id), else_=_exam.c.id)
_LOCK_COLUMNS = (
    _a.c.status,
    _a.c.deadline,
    _exam.c.id,
    _exam.c.kind,
    _exam.c.personal,
    _exam.c.parent_exam_id,
    # The person's group in the formal exam's frozen enrolment (None: not enrolled),
    # and whether a 补考 of it counts (``counting.families``).
    _own.c.unit_id.label("group_unit_id"),
    _own.c.category.label("group_category"),
    sa.exists()
    .where(
        _makeup.c.parent_exam_id == _formal,
        _makeup.c.kind == ExamKind.MAKEUP,
        _makeup.c.status != ExamStatus.CANCELLED,
        _makeup.c.personal.is_(False),
    )
    .label("has_makeup"),
    # Whether the formal exam or one of its 补考 counts an imported sheet (计入本考试):
    # without one, the tally's refresh reads no imported results.
    sa.exists()
    .where(
        _counted.c.exam_id == _family_exam.c.id,
        sa.or_(_family_exam.c.id == _formal, _family_exam.c.parent_exam_id == _formal),
    )
    .label("has_sheets"),
    # The statements that follow (the tally's refresh above all) are planned once.
    GenericPlansFromHere().label("generic_plans"),
)
_LOCKED = _a.join(_exam, _exam.c.id == _a.c.exam_id).outerjoin(
    _own, sa.and_(_own.c.exam_id == _formal, _own.c.user_id == _a.c.user_id)
)
_seen = seen_at(_login)
_LOCK_BY_LOGIN = (
    sa.select(
        *_LOCK_COLUMNS,
        _login.c.id.label("login_id"),
        _seen.label("last_seen"),
        sa.exists()
        .where(_seen_by.c.attempt_id == _a.c.id, _seen_by.c.login_id == _login.c.id)
        .label("login_known"),
    )
    .select_from(
        _LOCKED.join(_login, _login.c.user_id == _a.c.user_id).join(
            _user, _user.c.id == _a.c.user_id
        )
    )
    .where(
        _a.c.id == sa.bindparam("attempt_id"),
        NOT_ON_PAPER,  # a printed paper is typed in by an admin
        # An aged password does not stop 交卷 (auth.views.password_gate).
        *live_login(_login, _user, password_age=False),
    )
    .with_for_update(of=_a)
)
_SAVE = (
    sa.update(_aq)
    .where(
        _aq.c.attempt_id == sa.bindparam("b_attempt"),
        _aq.c.position == sa.bindparam("b_position"),
    )
    .values(
        response=sa.bindparam("new"), version=_aq.c.version + 1, answered_at=sa.bindparam("now")
    )
)
_CLOSE = (
    sa.update(_a)
    .where(_a.c.id == sa.bindparam("b_id"), _a.c.status == sa.bindparam("in_progress"))
    .values(
        score=sa.bindparam("new_score"),
        max_score=sa.bindparam("new_max"),
        passed=sa.bindparam("new_passed"),
        status=sa.bindparam("new_status"),
        finished_at=sa.bindparam("new_finished"),
    )
)
