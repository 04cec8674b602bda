"""The autosave hot path: at the last evening of a district exam most requests are
answer saves, so the common case costs one SELECT and one guarded UPDATE.

The SELECT checks in its WHERE clause that the login session is live (within its
lifetime, and seen recently enough that no idle timeout can have struck), the person
active and the attempt theirs, and reads the attempt's state and the question's
option order, the sum of the attempt's versions and whether this login has been
seen on the attempt (row-locking the attempt FOR SHARE on PostgreSQL, so a concurrent
submit waits for this save, as ``attempts.save_answer`` does). The UPDATE applies
the answer by ``answer_versions``' rule; a save that loses reads the answer kept
(one more SELECT, the rare case). Like every request of the person,
the save counts as activity: the login's last_seen_at is written when it is a minute
old (``auth.sessions.TOUCH_INTERVAL``), in the same transaction. Anything unusual (no
session, not the person's attempt, finished or overdue, a bad position, a login new
to the attempt) returns None and the view takes the full path, which gives the
proper answer for each case.
"""

from datetime import datetime

import sqlalchemy as sa

from ...auth.models import LoginSession
from ...auth.sessions import TOUCH, TOUCH_INTERVAL, LoginCheck, live_login, seen_at
from ...extensions import db
from ...org.models import User
from .. import answer_versions
from ..answer_versions import NO_PAGE, PageOrder, Saved
from ..attempts import GRACE, NOT_ON_PAPER, to_canonical
from ..grading import canonical_to_shown
from ..models import Attempt, AttemptLogin, AttemptQuestion, AttemptStatus, Question, QuestionType


def save(
    token: str,
    check: LoginCheck,
    attempt_id: int,
    position: int,
    shown: str,
    base: int,
    age_ms: int | None,
    now: datetime,
    page: PageOrder = NO_PAGE,
) -> Saved | None:
    """Save one answer for the person of ``token``; None: take the full path.

    Raises ``attempts.InvalidAnswer`` for letters the question does not have.
    """
    connection = db.session.connection()
    row = connection.execute(
        _STATE,
        {
            **check.params(token, password_age=False),
            "attempt_id": attempt_id,
            "position": position,
        },
    ).first()
    if row is None or row.status != AttemptStatus.IN_PROGRESS.value or not row.login_known:
        return None
    if row.deadline is not None and now > row.deadline + GRACE:
        return None  # overdue: the full path finalizes it
    canonical = to_canonical(shown, QuestionType(row.type), row.option_order)
    if now - row.last_seen >= TOUCH_INTERVAL:
        connection.execute(TOUCH, {"login_id": row.login_id, "now": now})
    where = {"b_attempt": attempt_id, "b_position": position}
    version = connection.execute(
        answer_versions.SAVE,
        {
            **where,
            "base": base,
            "given": answer_versions.given_at(now, age_ms),
            "new_response": canonical,
            **page.params(),
        },
    ).scalar()
    applied = version is not None
    if not applied:
        canonical, version = connection.execute(answer_versions.CURRENT, where).one()
    remaining = None
    if row.deadline is not None:
        remaining = max(0, int((row.deadline - now).total_seconds()))
    letters = canonical_to_shown(canonical, row.option_order) if canonical else ""
    return Saved(applied, letters, version, row.total + applied, remaining)


# Built once: constructing a statement costs more Python than running it here.
_attempt, _aq = Attempt.__table__, AttemptQuestion.__table__
_question, _login, _user = Question.__table__, LoginSession.__table__, User.__table__
_seen_by = AttemptLogin.__table__
_seen = seen_at(_login)
_STATE = (
    sa.select(
        _attempt.c.status,
        _attempt.c.deadline,
        _aq.c.option_order,
        _question.c.type,
        _login.c.id.label("login_id"),
        _seen.label("last_seen"),
        answer_versions.total_of(_attempt.c.id).label("total"),
        sa.exists()
        .where(_seen_by.c.attempt_id == _attempt.c.id, _seen_by.c.login_id == _login.c.id)
        .label("login_known"),
    )
    .select_from(_attempt)
    .join(_login, _login.c.user_id == _attempt.c.user_id)
    .join(_user, _user.c.id == _attempt.c.user_id)
    .join(_aq, _aq.c.attempt_id == _attempt.c.id)
    .join(_question, _question.c.id == _aq.c.question_id)
    .where(
        _attempt.c.id == sa.bindparam("attempt_id"),
        NOT_ON_PAPER,  # a printed paper is typed in by an admin
        # An aged password does not stop an exam's saves (auth.views.password_gate).
        *live_login(_login, _user, password_age=False),
        _aq.c.position == sa.bindparam("position"),
    )
    .with_for_update(read=True, of=_attempt)
)
