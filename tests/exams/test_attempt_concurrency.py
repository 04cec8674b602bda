"""Attempts under concurrent requests: one attempt, one graded result, no lost saves
and no "database is locked"."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, count_rows
from tests.exams.conftest import STANDARD_RULES
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams import attempts
from yongxi_learn.exams.grading import canonical_to_shown
from yongxi_learn.exams.models import Attempt, AttemptQuestion, AttemptStatus, Exam
from yongxi_learn.extensions import db
from yongxi_learn.org.models import User

THREADS = 10


def dialect() -> str:
    return db.engine.dialect.name


def run_in_threads(app, count, work) -> list:
    """Run ``work(i)`` in ``count`` threads at once, each in its own app context (and
    so its own database session); returns results or the exceptions raised."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        with app.app_context():
            barrier.wait()
            try:
                results[i] = work(i)
            except Exception as exc:  # collected and asserted on by the test
                db.session.rollback()
                results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def postgresql_only(app):
    if dialect() != "postgresql":
        pytest.skip("row locks and concurrent unique inserts: PostgreSQL only")


@pytest.fixture
def sqlite_only(app):
    if dialect() != "sqlite":
        pytest.skip("SQLite locking only")


def test_ten_concurrent_submits_produce_one_graded_result(app, postgresql_only, exam, cadre):
    start = utcnow()
    attempt = attempts.start_attempt(exam, cadre, start)
    db.session.commit()
    attempt_id, user_id = attempt.id, cadre.id

    def submit(i):
        user = db.session.get(User, user_id)
        locked = attempts.load_attempt(attempt_id, user, lock="update")
        # A distinct time per thread: a second grading would leave a different finish.
        done = attempts.submit_attempt(locked, user, start + timedelta(milliseconds=i + 1))
        db.session.commit()
        return (done.finished_at, done.score)

    results = run_in_threads(app, THREADS, submit)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 1
    db.session.expire_all()
    assert attempt.status is AttemptStatus.SUBMITTED
    assert (attempt.finished_at, attempt.score) == results[0]


def test_ten_concurrent_starts_of_a_one_try_exam_make_one_attempt(
    app, postgresql_only, exam, cadre
):
    exam_id, user_id = exam.id, cadre.id

    def begin(i):
        user = db.session.get(User, user_id)
        started = attempts.start_attempt(db.session.get(Exam, exam_id), user, utcnow())
        db.session.commit()
        return started.id

    results = run_in_threads(app, THREADS, begin)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 1
    assert count_rows(Attempt) == 1
    assert count_rows(AttemptQuestion) == 9


def log_in(app, user):
    client = app.test_client()
    response = client.post("/login", data={"phone": user.phone, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_fifty_concurrent_autosaves_on_sqlite_all_succeed(app, sqlite_only, exam, cadre):
    attempt = attempts.start_attempt(exam, cadre, utcnow())
    db.session.commit()
    attempt_id = attempt.id
    url = f"/exams/attempts/{attempt_id}/answer"
    per_thread, threads = 10, 5
    clients = [log_in(app, cadre) for _ in range(threads)]
    db.session.remove()  # the test's own session must not hold a read snapshot

    def save_many(i):
        statuses = []
        for k in range(per_thread):
            n = i * per_thread + k + 1
            position = n % 9 + 1
            letter = "AB"[n % 2]  # every question has A and B
            response = clients[i].post(url, json={"position": position, "answer": letter})
            statuses.append((response.status_code, response.get_json()))
        return statuses

    results = run_in_threads(app, threads, save_many)
    flat = [s for r in results for s in (r if isinstance(r, list) else [r])]
    assert len(flat) == threads * per_thread
    assert all(code == 200 and body["ok"] for code, body in flat), flat
    stored = {
        row.position: row
        for row in db.session.execute(
            sa.select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt_id)
        ).scalars()
    }
    for position, row in stored.items():
        replies = [body for _, body in flat if body["position"] == position]
        applied = [body for body in replies if body["applied"]]
        # Every save that applied moved the version on by one, none was lost, and the
        # answer kept is the one the newest version replied with.
        assert row.version == len(applied)
        newest = max(applied, key=lambda body: body["version"])
        assert canonical_to_shown(row.response, row.option_order) == newest["answer"]


def test_fifty_concurrent_autosaves_leave_no_database_locked_error(
    app, sqlite_only, make_exam, bank, make_user, tree
):
    # Fifty people saving at once, each on their own attempt, through the service.
    people = [make_user(f"村干部{i}", tree["village"]) for i in range(50)]
    exam = make_exam(rules=STANDARD_RULES, enrol=people)
    ids = []
    for person in people:
        ids.append((attempts.start_attempt(exam, person, utcnow()).id, person.id))
    db.session.commit()
    db.session.remove()

    def save(i):
        attempt_id, user_id = ids[i]
        user = db.session.get(User, user_id)
        attempt = attempts.load_attempt(attempt_id, user, lock="share")
        saved = attempts.save_answer(attempt, user, 1, "A", now=utcnow())
        db.session.commit()
        return saved.applied

    results = run_in_threads(app, 50, save)
    assert results == [True] * 50
