"""No GET handler writes: every GET route of ``app.url_map``, called by an admin, by a
learner whose attempt is overdue (left open past its deadline, never finalized) and
by a 审阅人, runs no INSERT, UPDATE or DELETE, apart from the infrastructure writes
any request may make (``INFRASTRUCTURE``).

The overdue attempt is what the pages used to finalize on a read: now they count it
as finalized (exams.overdue) and the sweeper or its owner's next POST writes it.
"""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.security.routes import TICKET, call, calls
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams import exam_tally
from yongxi_learn.exams.models import Attempt, AttemptQuestion, AttemptStatus, Exam, ExamStatus
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Role

# Written by any request, whatever its method, and no part of the app's data:
INFRASTRUCTURE = {
    "login_session",  # the login's last-seen touch (once a minute), which keeps it alive
    "rate_counter",  # the rate limiter's counters (PostgreSQL; a side file on SQLite)
    "audit_log",  # a download is audited before its file is sent
    "audit_chain_head",  # ... and the audit log's hash chain moves with it
}
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)


@pytest.fixture
def overdue(world):
    """B's examinee's attempt left open an hour past its deadline, with saved answers,
    in a published exam of 2024 (the year the sweep asks for)."""
    _make_overdue(world.ids["attempt_id"])
    return world.ids["attempt_id"]


def _make_overdue(attempt_id: int) -> None:
    attempt = db.session.get(Attempt, attempt_id)
    attempt.status, attempt.score, attempt.passed, attempt.finished_at = (
        AttemptStatus.IN_PROGRESS,
        None,
        None,
        None,
    )
    attempt.deadline = utcnow() - timedelta(hours=1)
    db.session.execute(
        sa.update(AttemptQuestion)
        .where(AttemptQuestion.attempt_id == attempt.id)
        .values(correct=None, awarded=None)
    )
    exam = db.session.get(Exam, attempt.exam_id)
    exam.status, exam.year = ExamStatus.PUBLISHED, 2024
    exam_tally.refresh_exam(exam.id)
    db.session.commit()


@pytest.fixture
def writes(app):
    """The tables each statement run from here writes, in order."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        match = _WRITE.match(statement)
        if match:
            seen.append(match.group(1).lower())

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", note)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", note)


def _get_writers(app, client, world, writes) -> list[tuple[str, list[str]]]:
    found = []
    for rule, method, url in calls(app, world.ids, skip=TICKET | {"auth.logout"}):
        if method != "GET":
            continue
        if not _still_overdue(world.ids["attempt_id"]):  # finalized by the last call
            _make_overdue(world.ids["attempt_id"])
        writes.clear()
        response = call(client, method, url, world.ids)
        assert response.status_code < 500, url
        tables = sorted(set(writes) - INFRASTRUCTURE)
        if tables:
            found.append((rule.endpoint, tables))
    return found


def _still_overdue(attempt_id) -> bool:
    db.session.expire_all()
    return db.session.get(Attempt, attempt_id).status is AttemptStatus.IN_PROGRESS


def test_no_get_writes_for_the_admin(app, client, world, overdue, writes, login):
    login(world.b_admin)
    assert _get_writers(app, client, world, writes) == []
    assert _still_overdue(overdue)


def test_no_get_writes_for_a_learner_with_an_overdue_attempt(
    app, client, world, overdue, writes, login
):
    login(world.b_person)
    assert _get_writers(app, client, world, writes) == []
    assert _still_overdue(overdue)


def test_no_get_writes_for_a_reviewer(app, client, world, overdue, writes, login, make_user, tree):
    auditor = make_user("区审阅人", tree["district"], roles=[(Role.REVIEWER, tree["district"])])
    login(auditor)
    assert _get_writers(app, client, world, writes) == []
    assert _still_overdue(overdue)
