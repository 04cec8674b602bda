"""Helpers for the tests that take an exam (start, answer, submit, a login that ends),
imported by name; fixtures stay in conftest.py."""

import re
from datetime import timedelta

import sqlalchemy as sa

from yongxi_learn.auth.models import LoginSession
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams.grading import canonical_to_shown
from yongxi_learn.exams.models import Attempt, Exam
from yongxi_learn.exams.taking import views as take_views
from yongxi_learn.extensions import db


def text(response) -> str:
    return response.get_data(as_text=True)


def begin(client, exam) -> Attempt:
    response = client.post(f"/exams/{exam.id}/start")
    assert response.status_code == 302
    attempt_id = int(re.search(r"/attempts/(\d+)$", response.headers["Location"]).group(1))
    return db.session.get(Attempt, attempt_id)


def key_shown(aq) -> str:
    return canonical_to_shown(aq.question.answer, aq.option_order)


def snapshot(attempt_id):
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    return (
        attempt.status,
        attempt.score,
        [(aq.response, aq.version) for aq in attempt.questions],
    )


def clock(monkeypatch, when):
    monkeypatch.setattr(take_views, "utcnow", lambda: when)


def post_answer(client, attempt_id, **payload):
    return client.post(f"/exams/attempts/{attempt_id}/answer", json=payload)


def saved_answer(attempt_id, position=1):
    db.session.expire_all()
    aq = db.session.get(Attempt, attempt_id).questions[position - 1]
    return canonical_to_shown(aq.response, aq.option_order), aq.version


def close(exam) -> None:
    """The exam's window closes: its keys may now reach its examinees (exams.keys)."""
    db.session.get(Exam, exam.id).closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def last_seen(minutes_ago: int) -> None:
    db.session.execute(
        sa.update(LoginSession).values(last_seen_at=utcnow() - timedelta(minutes=minutes_ago))
    )
    db.session.commit()


def seen_at():
    return db.session.scalar(sa.select(LoginSession.last_seen_at))


LOGIN_ENDINGS = ["ended", "idle", "lifetime", "inactive"]


def end_login(app, person, change: str) -> None:
    """End the person's login one way of ``LOGIN_ENDINGS``: ended, idle past the
    timeout, past its lifetime, or the person deactivated."""
    if change == "ended":
        db.session.execute(sa.update(LoginSession).values(ended_at=utcnow()))
    elif change == "idle":
        idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
        db.session.execute(sa.update(LoginSession).values(last_seen_at=utcnow() - idle))
    elif change == "lifetime":
        born = utcnow() - app.config["PERMANENT_SESSION_LIFETIME"] - timedelta(minutes=1)
        db.session.execute(sa.update(LoginSession).values(created_at=born, last_seen_at=utcnow()))
    else:
        person.active = False
    db.session.commit()


def login_token(person) -> str:
    """A live login of ``person`` (as the login form starts one), its token committed."""
    from yongxi_learn.auth.sessions import start_session

    login = start_session(person, address="127.0.0.1", user_agent="test")
    db.session.commit()
    return login.token


def hand_in_fast(app, token: str, attempt_id: int, when) -> bool:
    """The submit hot path as the view takes it, for the login ``token`` at ``when``."""
    from yongxi_learn.auth.sessions import LoginCheck
    from yongxi_learn.exams.taking import fast_submit

    check = LoginCheck.at(app.config, when)
    return fast_submit.submit_for_login(token, check, attempt_id, when, None)
