"""The autosave fast path (one SELECT, one guarded UPDATE) refuses exactly what the
full path refuses: an ended login, a deactivated person, someone who must change
their password, someone else's attempt."""

from datetime import timedelta

import sqlalchemy as sa

from tests.exams.taking import begin, last_seen, post_answer, seen_at, snapshot
from yongxi_learn.auth.models import LoginSession
from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db


def saved(attempt_id):
    return snapshot(attempt_id)[2][0]


def assert_login_lost(response):
    """A lost login is said in JSON (401), which the page shows as 登录已失效; the
    login page's HTML instead read as a network failure, forever."""
    assert response.status_code == 401
    lost = {"ok": False, "reason": "login", "error": "登录已失效，请重新登录"}
    assert response.get_json() == lost


def test_an_answer_saves_through_the_fast_path(client, login, cadre, exam):
    login(cadre)
    attempt = begin(client, exam)
    response = post_answer(client, attempt.id, position=1, answer="B", base=0, age=0)
    assert response.json["applied"] is True
    assert response.json["remaining_seconds"] > 0
    assert saved(attempt.id)[1] == 1


def test_an_ended_login_saves_nothing(client, login, cadre, exam):
    login(cadre)
    attempt = begin(client, exam)
    db.session.execute(sa.update(LoginSession).values(ended_at=utcnow()))
    db.session.commit()
    response = post_answer(client, attempt.id, position=1, answer="B")
    assert_login_lost(response)
    assert saved(attempt.id) == ("", 0)


def test_a_deactivated_person_saves_nothing(client, login, cadre, exam):
    login(cadre)
    attempt = begin(client, exam)
    cadre.active = False
    db.session.commit()
    response = post_answer(client, attempt.id, position=1, answer="B")
    assert_login_lost(response)
    assert saved(attempt.id) == ("", 0)


def test_someone_who_must_change_their_password_saves_nothing(client, login, cadre, exam):
    """The page says its login is no longer good; opening the page again leads to
    the password form."""
    login(cadre)
    attempt = begin(client, exam)
    cadre.must_change_password = True
    db.session.commit()
    response = post_answer(client, attempt.id, position=1, answer="B")
    assert_login_lost(response)
    assert saved(attempt.id) == ("", 0)
    page = client.get(f"/exams/attempts/{attempt.id}")
    assert page.status_code == 302 and "/password" in page.headers["Location"]


def test_someone_elses_attempt_is_a_404_and_unchanged(app, login, cadre, other, exam):
    first, second = app.test_client(), app.test_client()
    login(cadre, client=first)
    attempt = begin(first, exam)
    login(other, client=second)
    response = post_answer(second, attempt.id, position=1, answer="B")
    assert response.status_code == 404
    assert saved(attempt.id) == ("", 0)


def test_a_save_counts_as_activity(client, login, cadre, exam):
    login(cadre)
    attempt = begin(client, exam)
    last_seen(minutes_ago=5)
    response = post_answer(client, attempt.id, position=1, answer="B")
    assert response.json["applied"] is True
    assert utcnow() - seen_at() < timedelta(minutes=1)


def test_a_learner_idle_longer_than_the_admin_timeout_still_saves(app, client, login, cadre, exam):
    login(cadre)
    attempt = begin(client, exam)
    last_seen(minutes_ago=app.config["SESSION_IDLE_ADMIN_MINUTES"] + 5)
    response = post_answer(client, attempt.id, position=1, answer="B")
    assert response.json["applied"] is True
    assert saved(attempt.id)[1] == 1
    assert utcnow() - seen_at() < timedelta(minutes=1)


def test_a_learner_idle_past_the_timeout_saves_nothing(app, client, login, cadre, exam):
    login(cadre)
    attempt = begin(client, exam)
    last_seen(minutes_ago=app.config["SESSION_IDLE_MINUTES"] + 1)
    response = post_answer(client, attempt.id, position=1, answer="B")
    assert_login_lost(response)
    assert saved(attempt.id) == ("", 0)


def test_a_version_beyond_the_database_is_refused(client, login, cadre, exam):
    login(cadre)
    attempt = begin(client, exam)
    response = post_answer(client, attempt.id, position=1, answer="B", base=2**31)
    assert response.status_code == 400
    assert saved(attempt.id) == ("", 0)
