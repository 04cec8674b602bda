"""The submit hot path: handing in an attempt in progress, in four statements.

One SELECT row-locks the person's attempt FOR UPDATE (concurrent submits queue on
it and find it finished, as with ``attempts.load_attempt(lock="update")``) and reads
its state; ``scoring.grade_stored`` reads the answers in a statement of its own and
writes every row's grade at once; one UPDATE closes the attempt with its total, only
while it is still in progress. No ORM object is loaded and nothing just written is
read back. An attempt already finished needs nothing (submitting again shows the
same result). Anything unusual (not the person's, overdue) returns False and the
view takes the full path, which gives the proper answer for each case.
"""

from datetime import datetime

import sqlalchemy as sa

from ..core.faults import pause_for_fault_tests
from ..extensions import db
from .attempts import GRACE
from .models import Attempt, AttemptStatus
from .scoring import grade_stored


def submit(attempt_id: int, user_id: int, now: datetime) -> bool:
    """Grade and close the person's attempt; False: take the full path."""
    row = db.session.execute(_LOCK, {"attempt_id": attempt_id, "user_id": user_id}).first()
    if row is None:
        return False  # not theirs, or no such attempt: the full path says 404
    if row.status is not AttemptStatus.IN_PROGRESS:
        return True
    if row.deadline is not None and now > row.deadline + GRACE:
        return False  # overdue: the full path finalizes it and says so
    result = grade_stored(attempt_id)
    pause_for_fault_tests()
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
    return True


# Built once: constructing a statement costs more Python than running it here.
_a = Attempt.__table__
_LOCK = (
    sa.select(_a.c.status, _a.c.deadline)
    .where(_a.c.id == sa.bindparam("attempt_id"), _a.c.user_id == sa.bindparam("user_id"))
    .with_for_update()
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
