"""The attempt page's fast path (the login checked in the paper's query, the person not
loaded) shows the same page as the full path, and answers nothing the full path would
refuse: an ended or idle login, a deactivated person, a password to change or past its
age, someone else's attempt, a finished or overdue attempt."""

import re
from contextlib import contextmanager
from datetime import timedelta

import psycopg
import pytest
import sqlalchemy as sa

from tests.exams.taking import LOGIN_ENDINGS, begin, end_login, last_seen, seen_at
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams.models import Attempt, AttemptStatus
from yongxi_learn.extensions import db


def _page(html: str) -> str:
    """The page without its per-request parts (the CSRF token, the seconds left)."""
    html = re.sub(r'name="csrf_token" value="[^"]*"', "", html)
    return re.sub(r'data-remaining="\d+"|<strong id="exam-remaining"[^<]*<', "", html)


def test_the_fast_and_the_full_path_show_the_same_page(client, login, cadre, exam):
    login(cadre)
    attempt = begin(client, exam)
    url = f"/exams/attempts/{attempt.id}"
    last_seen(minutes_ago=5)  # the full path: it touches the login
    full = client.get(url)
    assert utcnow() - seen_at() < timedelta(minutes=1)
    fast = client.get(url)  # seen just now: the fast path
    assert full.status_code == fast.status_code == 200
    assert _page(fast.text) == _page(full.text)
    assert 'id="exam-form"' in fast.text and "返回我的考试" in fast.text
    assert "学法档案" not in fast.text  # the whole menu is not on the exam page


@pytest.mark.parametrize("change", LOGIN_ENDINGS)
def test_a_login_that_no_longer_holds_gets_the_login_page(app, client, login, cadre, exam, change):
    login(cadre)
    attempt = begin(client, exam)
    end_login(app, cadre, change)
    response = client.get(f"/exams/attempts/{attempt.id}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_password_to_change_leads_to_the_password_page(client, login, cadre, exam):
    login(cadre)
    attempt = begin(client, exam)
    cadre.must_change_password = True
    db.session.commit()
    response = client.get(f"/exams/attempts/{attempt.id}")
    assert response.status_code == 302
    assert "/password" in response.headers["Location"]


def test_a_password_past_its_age_leads_to_the_password_page(app, client, login, cadre, exam):
    login(cadre)
    attempt = begin(client, exam)
    app.config["PASSWORD_MAX_AGE_DAYS"] = 90
    cadre.password_changed_at = utcnow() - timedelta(days=91)
    db.session.commit()
    response = client.get(f"/exams/attempts/{attempt.id}")
    assert response.status_code == 302
    assert "/password" in response.headers["Location"]
    cadre.password_changed_at = utcnow() - timedelta(days=89)
    db.session.commit()
    assert client.get(f"/exams/attempts/{attempt.id}").status_code == 200


def test_someone_elses_attempt_is_a_404(app, login, cadre, other, exam):
    first, second = app.test_client(), app.test_client()
    login(cadre, client=first)
    attempt = begin(first, exam)
    login(other, client=second)
    assert second.get(f"/exams/attempts/{attempt.id}").status_code == 404
    assert first.get(f"/exams/attempts/{attempt.id}").status_code == 200


def test_a_finished_or_overdue_attempt_leads_to_its_result(client, login, cadre, exam):
    login(cadre)
    attempt = begin(client, exam)
    row = db.session.get(Attempt, attempt.id)
    row.deadline = utcnow() - timedelta(minutes=5)  # past the grace period too
    db.session.commit()
    response = client.get(f"/exams/attempts/{attempt.id}")
    assert response.status_code == 302
    assert f"/exams/attempts/{attempt.id}/result" in response.headers["Location"]
    assert "按保存的答案自动交卷" in client.get(response.headers["Location"]).text
    db.session.expire_all()  # shown as finalized; the sweeper or a POST writes it
    assert db.session.get(Attempt, attempt.id).status is AttemptStatus.IN_PROGRESS


@contextmanager
def _sent_to_postgresql(tmp_path):
    """The messages the app sends PostgreSQL in the block (libpq's protocol trace of
    every pooled connection checked out), and each connection's autocommit as it went
    back to the pool."""
    trace, sent, returned = tmp_path / "libpq.trace", [], []
    with trace.open("w") as out:

        def checkout(dbapi_conn, _record, _proxy):
            dbapi_conn.pgconn.trace(out.fileno())
            dbapi_conn.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)

        def checkin(dbapi_conn, _record):
            dbapi_conn.pgconn.untrace()
            returned.append(dbapi_conn.autocommit)

        sa.event.listen(db.engine, "checkout", checkout)
        sa.event.listen(db.engine, "checkin", checkin)
        try:
            yield sent, returned
        finally:
            sa.event.remove(db.engine, "checkout", checkout)
            sa.event.remove(db.engine, "checkin", checkin)
    for line in trace.read_text().splitlines():  # a statement's text may span lines
        if line.startswith("F\t"):
            _direction, _length, message, *rest = line.split("\t")
            sent.append(f"{message} {' '.join(rest)}".strip())


def test_the_fast_path_is_one_round_trip_to_postgresql(client, login, cadre, exam, tmp_path):
    """No BEGIN before the paper's one SELECT and no COMMIT after it (two round trips
    and two statements for the server, a third of the page's database time), and the
    connection goes back to the pool as every other request wants it: in a
    transaction from its first statement."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("round trips to a PostgreSQL server")
    login(cadre)
    url = f"/exams/attempts/{begin(client, exam).id}"
    client.get(url)  # the questions' texts are cached now
    db.session.remove()  # as a request's session is in production: nothing held
    with _sent_to_postgresql(tmp_path) as (sent, returned):
        response = client.get(url)
    assert response.status_code == 200 and 'id="exam-form"' in response.text
    assert not [m for m in sent if m.startswith("Query")], sent  # BEGIN, COMMIT, ROLLBACK
    assert [m for m in sent if m == "Sync"] == ["Sync"], sent  # one extended-query round trip
    assert returned and not any(returned)
