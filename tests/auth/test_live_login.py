"""A live login has one definition, written twice: in SQL for the exam's hot paths
(``live_login``) and in Python for every other request (``is_live``, then the
password gate's ``gate_closed``). For every kind of login, both say the same."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from yongxi_learn.auth.models import LoginSession
from yongxi_learn.auth.sessions import (
    LoginCheck,
    Timeouts,
    gate_closed,
    is_live,
    live_login,
    start_session,
)
from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Role, User

NOW = utcnow().replace(microsecond=0)
HOUR, MINUTE = timedelta(hours=1), timedelta(minutes=1)


def _fresh(login, user, cfg):
    """Started an hour ago, seen a minute ago."""


def _ended(login, user, cfg):
    login.ended_at = NOW - MINUTE


def _past_lifetime(login, user, cfg):
    login.created_at = NOW - cfg["PERMANENT_SESSION_LIFETIME"] - MINUTE
    login.last_seen_at = NOW - MINUTE


def _idle_past_learner_timeout(login, user, cfg):
    login.last_seen_at = NOW - timedelta(minutes=cfg["SESSION_IDLE_MINUTES"] + 1)


def _idle_between_the_timeouts(login, user, cfg):
    # Past an admin's idle timeout, within a learner's.
    login.last_seen_at = NOW - timedelta(minutes=cfg["SESSION_IDLE_ADMIN_MINUTES"] + 1)


def _never_seen_since_start(login, user, cfg):
    login.last_seen_at = None
    login.created_at = NOW - 2 * MINUTE


def _deactivated(login, user, cfg):
    user.active = False


def _must_change_password(login, user, cfg):
    user.must_change_password = True


def _password_aged(login, user, cfg):
    user.password_changed_at = NOW - timedelta(days=cfg["PASSWORD_MAX_AGE_DAYS"] + 1)


def _password_recent(login, user, cfg):
    user.password_changed_at = NOW - timedelta(days=1)


STATES = [
    _fresh,
    _ended,
    _past_lifetime,
    _idle_past_learner_timeout,
    _idle_between_the_timeouts,
    _never_seen_since_start,
    _deactivated,
    _must_change_password,
    _password_aged,
    _password_recent,
]


@pytest.fixture
def app_config():
    return {"PASSWORD_MAX_AGE_DAYS": 90}


def sql_says(token: str, check: LoginCheck, *, password_age: bool) -> bool:
    login, user = LoginSession.__table__, User.__table__
    query = (
        sa.select(sa.func.count())
        .select_from(login)
        .join(user, user.c.id == login.c.user_id)
        .where(*live_login(login, user, password_age=password_age))
    )
    return db.session.scalar(query, check.params(token, password_age=password_age)) == 1


@pytest.mark.parametrize("admin_role", [False, True], ids=["learner", "admin"])
@pytest.mark.parametrize("password_age", [True, False], ids=["page", "exam-save"])
@pytest.mark.parametrize("state", STATES, ids=[s.__name__.strip("_") for s in STATES])
def test_the_sql_and_the_python_definitions_agree(
    app, make_user, tree, state, password_age, admin_role
):
    roles = [(Role.ADMIN, tree["town"])] if admin_role else []
    user = make_user("甲", tree["office"], roles=roles)
    login = start_session(user, address="127.0.0.1", user_agent="test")
    login.created_at, login.last_seen_at = NOW - HOUR, NOW - MINUTE
    state(login, user, app.config)
    db.session.commit()
    timeouts = Timeouts.from_config(app.config)

    python = is_live(login, user, NOW, timeouts) and not gate_closed(
        user, NOW, app.config["PASSWORD_MAX_AGE_DAYS"], password_age=password_age
    )
    # Bound with this person's own idle timeout, the SQL says exactly what Python does.
    exact = LoginCheck.at(app.config, NOW, idle=timeouts.idle_for(user))
    assert sql_says(login.token, exact, password_age=password_age) is python
    # The hot paths bind the shorter timeout: they never let by what Python refuses,
    # and send the rest (idle between the two timeouts) to the full path.
    hot = sql_says(login.token, LoginCheck.at(app.config, NOW), password_age=password_age)
    assert not hot or python
    if state is _idle_between_the_timeouts and not admin_role:
        assert python and not hot
