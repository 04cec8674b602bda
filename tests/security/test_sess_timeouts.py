"""Idle timeout (shorter for admins, kept alive by an exam's autosaves) and the
absolute lifetime of a login."""

from datetime import timedelta

import pytest

from tests.exams import conftest as exam_fixtures
from tests.security.sess_helpers import age_login, live_login, shows_login_page
from yongxi_learn.extensions import db

# The exam fixtures (a bank, a published exam, its two enrolled cadres).
make_question, bank, make_exam = (
    exam_fixtures.make_question,
    exam_fixtures.bank,
    exam_fixtures.make_exam,
)
cadre, other, exam = exam_fixtures.cadre, exam_fixtures.other, exam_fixtures.exam


@pytest.fixture
def app_config():
    # A learner's idle timeout as short as an admin's: autosaves alone keep them in.
    return {"SESSION_IDLE_MINUTES": 30, "SESSION_IDLE_ADMIN_MINUTES": 30}


def test_admin_idle_for_31_minutes_gets_the_login_page(client, login, admin):
    login(admin)
    age_login(admin, idle=timedelta(minutes=31))
    assert shows_login_page(client.get("/admin/people"))
    assert live_login(admin) is None  # ended for good: the cookie is dead


def test_admin_idle_for_29_minutes_stays_logged_in(client, login, admin):
    login(admin)
    age_login(admin, idle=timedelta(minutes=29))
    assert client.get("/admin/people").status_code == 200


def test_any_request_refreshes_last_seen(client, login, admin):
    login(admin)
    age_login(admin, idle=timedelta(minutes=20))
    client.get("/")
    age_login(admin, idle=timedelta(minutes=20), since_login=timedelta(minutes=40))
    assert client.get("/admin/people").status_code == 200


def test_learner_who_keeps_autosaving_for_two_hours_is_never_logged_out(client, login, cadre, exam):
    login(cadre)
    response = client.post(f"/exams/{exam.id}/start")
    attempt_url = response.headers["Location"]
    for seq in range(1, 6):  # a save every 25 minutes, 125 minutes in all
        age_login(cadre, idle=timedelta(minutes=25), since_login=timedelta(minutes=25 * seq))
        saved = client.post(f"{attempt_url}/answer", json={"position": 1, "answer": "A"})
        assert saved.status_code == 200 and saved.get_json()["applied"]
    assert client.get(attempt_url).status_code == 200


def test_learner_who_stops_for_31_minutes_must_log_in_again(client, login, cadre, exam):
    login(cadre)
    attempt_url = client.post(f"/exams/{exam.id}/start").headers["Location"]
    age_login(cadre, idle=timedelta(minutes=31))
    saved = client.post(f"{attempt_url}/answer", json={"position": 1, "answer": "A"})
    assert saved.status_code in (302, 401)


def test_admins_have_their_own_idle_timeout(app, client, login, admin, learner):
    app.config.update(SESSION_IDLE_MINUTES=120, SESSION_IDLE_ADMIN_MINUTES=30)
    login(learner)
    age_login(learner, idle=timedelta(minutes=60))
    assert client.get("/").status_code == 200
    admin_client = app.test_client()
    login(admin, client=admin_client)
    age_login(admin, idle=timedelta(minutes=60))
    assert shows_login_page(admin_client.get("/"))


def test_login_older_than_the_absolute_lifetime_ends_even_when_active(client, login, admin):
    login(admin)
    age_login(admin, idle=timedelta(minutes=1), since_login=timedelta(hours=12, minutes=1))
    assert shows_login_page(client.get("/"))


def test_absolute_lifetime_is_configurable(app, client, login, admin):
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=2)
    login(admin)
    age_login(admin, idle=timedelta(minutes=1), since_login=timedelta(hours=2, minutes=1))
    assert shows_login_page(client.get("/"))
    db.session.rollback()
