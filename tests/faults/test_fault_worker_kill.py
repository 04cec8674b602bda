"""``kill -9`` of the gunicorn worker in the middle of grading a submit: the attempt
is either fully submitted or fully in progress — here, in progress with every saved
answer — and submitting again on the respawned worker grades it once."""

import os
import re
import signal
import threading
import time

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD
from tests.exams import conftest as exam_fixtures
from tests.gunicorn_server import GUNICORN, Browser, running_gunicorn
from yongxi_learn.exams.models import Attempt, AttemptQuestion, AttemptStatus
from yongxi_learn.extensions import db

pytestmark = pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed")

make_question, bank, make_exam = (
    exam_fixtures.make_question,
    exam_fixtures.bank,
    exam_fixtures.make_exam,
)
cadre, other, exam = exam_fixtures.cadre, exam_fixtures.other, exam_fixtures.exam


@pytest.fixture(scope="module")
def pause_file(tmp_path_factory):
    return tmp_path_factory.mktemp("pause") / "grading.pid"


@pytest.fixture(scope="module")
def server(db_url, tmp_path_factory, pause_file):
    # The grader's pause is patched in by the served app, never in production code.
    with running_gunicorn(
        db_url,
        tmp_path_factory.mktemp("gunicorn"),
        app="tests.faults.grading_pause_wsgi:app",
        FAULT_GRADING_PAUSE_FILE=str(pause_file),
    ) as running:
        yield running


def wait_for(path, timeout=20.0) -> int:
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_text().strip()):
        assert time.monotonic() < deadline, "the grader never reached the pause"
        time.sleep(0.05)
    return int(path.read_text())


def state(attempt_id: int):
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    rows = db.session.execute(
        sa.select(AttemptQuestion.response, AttemptQuestion.version, AttemptQuestion.awarded)
        .where(AttemptQuestion.attempt_id == attempt_id)
        .order_by(AttemptQuestion.position)
    ).all()
    return attempt, rows


def test_kill_9_during_submit_leaves_the_attempt_whole(app, server, pause_file, cadre, exam):
    phone, exam_id = cadre.phone, exam.id
    # Under SQLite even a read here opens a write transaction (BEGIN IMMEDIATE): the
    # test ends each of its own before the server must write.
    db.session.commit()
    browser = Browser(server.url)
    assert browser.log_in(phone, PASSWORD).status == 302
    browser.get(f"/exams/{exam_id}/start")  # the 考试须知, with this session's CSRF token
    started = browser.post(f"/exams/{exam_id}/start", form={})
    attempt_id = int(re.search(r"/attempts/(\d+)$", started.location).group(1))
    browser.get(f"/exams/attempts/{attempt_id}")
    for position in range(1, 10):
        body = {"position": position, "answer": "A"}
        assert browser.post(f"/exams/attempts/{attempt_id}/answer", json_body=body).status == 200
    _, before = state(attempt_id)
    db.session.commit()

    outcome = {}

    def submit():
        try:
            outcome["reply"] = browser.post(f"/exams/attempts/{attempt_id}/submit", form={})
        except OSError as exc:  # the worker died under the request
            outcome["error"] = exc

    thread = threading.Thread(target=submit)
    thread.start()
    worker = wait_for(pause_file)
    assert worker in server.worker_pids()
    os.kill(worker, signal.SIGKILL)
    thread.join(timeout=30)
    assert "error" in outcome or outcome["reply"].status >= 500

    attempt, after = state(attempt_id)
    assert attempt.status == AttemptStatus.IN_PROGRESS and attempt.score is None
    assert after == before and all(row.awarded is None for row in after)
    db.session.commit()

    server.wait_for_workers(2)
    again = browser.post(f"/exams/attempts/{attempt_id}/submit", form={})
    assert again.status == 302 and again.location.endswith(f"/attempts/{attempt_id}/result")
    attempt, graded = state(attempt_id)
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score is not None
    assert [r.response for r in graded] == [r.response for r in before]
    assert all(row.awarded is not None for row in graded)
    db.session.commit()
