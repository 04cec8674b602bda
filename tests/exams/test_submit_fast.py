"""The submit fast path (the login checked in the attempt's locking query, the person not
loaded, the person's group and the exam's family read in the same query) hands in
what the full path hands in, and nothing the full path would refuse: an ended, idle
or expired login, a deactivated person, a password to change, someone else's attempt.
An overdue attempt goes to the full path, which finalizes it."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.exams.taking import (
    LOGIN_ENDINGS,
    begin,
    end_login,
    hand_in_fast,
    key_shown,
    last_seen,
    login_token,
    post_answer,
    seen_at,
    snapshot,
)
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams.models import Attempt, AttemptStatus
from yongxi_learn.extensions import db


@pytest.fixture
def started(client, login, cadre, exam):
    """The cadre's attempt with its first question answered right."""
    login(cadre)
    attempt = begin(client, exam)
    post_answer(client, attempt.id, position=1, answer=key_shown(attempt.questions[0]))
    return attempt


def _statements():
    """A list, and a ``before_cursor_execute`` listener that appends to it each
    statement the app sends while it is listening."""
    sent = []

    def before(_conn, _cursor, statement, _params, _context, _many):
        sent.append(" ".join(statement.split()))

    return sent, before


def test_a_usual_submit_is_graded_without_loading_the_person(client, started):
    sent, before = _statements()
    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        response = client.post(f"/exams/attempts/{started.id}/submit")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
    assert response.headers["Location"] == f"/exams/attempts/{started.id}/result"
    status, score, _answers = snapshot(started.id)
    assert status is AttemptStatus.SUBMITTED and score == started.questions[0].score
    # Neither the login's own lookup (the person with their grants) nor the figures'
    # separate lookups of the person's group and the exam's 补考.
    assert not [s for s in sent if s.startswith("SELECT login_session.id, login_session.token")]
    assert not [s for s in sent if s.startswith("SELECT DISTINCT enrolment.unit_id")], sent
    assert not [s for s in sent if s.startswith("SELECT exam.parent_exam_id, exam.id")], sent
    writes = [s.split()[0] for s in sent if not s.startswith(("SELECT", "BEGIN"))]
    assert writes.count("UPDATE") == 2  # the grades, the close: the login was seen just now


def test_a_submit_counts_as_activity(client, started):
    last_seen(minutes_ago=5)
    client.post(f"/exams/attempts/{started.id}/submit")
    assert utcnow() - seen_at() < timedelta(minutes=1)
    assert snapshot(started.id)[0] is AttemptStatus.SUBMITTED


def test_a_learner_idle_longer_than_the_admin_timeout_still_hands_in(app, client, started):
    last_seen(minutes_ago=app.config["SESSION_IDLE_ADMIN_MINUTES"] + 5)
    response = client.post(f"/exams/attempts/{started.id}/submit")
    assert response.headers["Location"] == f"/exams/attempts/{started.id}/result"
    assert snapshot(started.id)[0] is AttemptStatus.SUBMITTED


@pytest.mark.parametrize("change", LOGIN_ENDINGS)
def test_a_login_that_no_longer_holds_hands_in_nothing(app, client, cadre, started, change):
    end_login(app, cadre, change)
    response = client.post(f"/exams/attempts/{started.id}/submit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert snapshot(started.id)[0] is AttemptStatus.IN_PROGRESS


def test_a_password_to_change_leads_to_the_password_page(client, cadre, started):
    cadre.must_change_password = True
    db.session.commit()
    response = client.post(f"/exams/attempts/{started.id}/submit")
    assert response.status_code == 302 and "/password" in response.headers["Location"]
    assert snapshot(started.id)[0] is AttemptStatus.IN_PROGRESS


def test_a_password_past_its_age_still_hands_in(app, client, cadre, started):
    """Rotation must not cost an exam being handed in (auth.views), as on the full path."""
    app.config["PASSWORD_MAX_AGE_DAYS"] = 90
    cadre.password_changed_at = utcnow() - timedelta(days=91)
    db.session.commit()
    response = client.post(f"/exams/attempts/{started.id}/submit")
    assert response.headers["Location"] == f"/exams/attempts/{started.id}/result"
    assert snapshot(started.id)[0] is AttemptStatus.SUBMITTED


def test_someone_elses_attempt_is_a_404_and_stays_open(app, login, cadre, other, exam):
    first, second = app.test_client(), app.test_client()
    login(cadre, client=first)
    attempt = begin(first, exam)
    login(other, client=second)
    assert second.post(f"/exams/attempts/{attempt.id}/submit").status_code == 404
    assert snapshot(attempt.id)[0] is AttemptStatus.IN_PROGRESS


def test_without_a_login_the_submit_goes_to_the_login_page(app, started):
    response = app.test_client().post(f"/exams/attempts/{started.id}/submit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert snapshot(started.id)[0] is AttemptStatus.IN_PROGRESS


def test_an_overdue_attempt_is_finalized_at_its_deadline(client, started):
    row = db.session.get(Attempt, started.id)
    row.deadline = utcnow() - timedelta(minutes=5)  # past the grace period too
    db.session.commit()
    response = client.post(f"/exams/attempts/{started.id}/submit")
    assert response.headers["Location"] == f"/exams/attempts/{started.id}/result"
    assert snapshot(started.id)[0] is AttemptStatus.EXPIRED


def test_the_submits_statements_run_generic_plans_in_its_transaction_only(app, cadre, exam):
    """PostgreSQL would plan the tally's refresh again at every submit (costing more than
    running it): the locking query sets plan_cache_mode for its transaction, and the
    setting ends with it."""
    from yongxi_learn.exams import attempts

    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's plan cache")

    def mode():
        return db.session.execute(sa.text("SHOW plan_cache_mode")).scalar()

    assert mode() == "auto"
    attempt = attempts.start_attempt(exam, cadre, utcnow())
    db.session.commit()
    assert hand_in_fast(app, login_token(cadre), attempt.id, utcnow())
    assert mode() == "force_generic_plan"
    db.session.commit()
    assert mode() == "auto"
    assert snapshot(attempt.id)[0] is AttemptStatus.SUBMITTED
