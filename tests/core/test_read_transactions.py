"""How a request's transaction ends: a read-only request that succeeded commits (on
PostgreSQL psycopg forgets its prepared statements on every ROLLBACK); anything that
failed, wrote, or left changes in the session rolls back, so nothing is kept by it.

Requests run in a thread of their own, as under gunicorn: each pushes and pops its
own app context, which closes its database session (the ``app`` fixture's context
would otherwise be shared by every request of a test)."""

import threading

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from yongxi_learn.extensions import db
from yongxi_learn.org.models import OrgUnit

ROUTES = ("/t-unflushed", "/t-flushed", "/t-core-update", "/t-flush-then-fail")


def plain_client(app) -> FlaskClient:
    """A client without conftest's clearing of ``g``: there is no ``g`` outside a request."""
    return FlaskClient(app, app.response_class, use_cookies=True)


def in_own_thread(fn):
    result, errors = [], []

    def run():
        try:
            result.append(fn())
        except Exception as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


@pytest.fixture
def writing_reads(app, tree):
    """GET routes that change a unit's name without committing, each its own way."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    unit_id = tree["village"].id

    def rename(how):
        def view():
            unit = db.session.get(OrgUnit, unit_id)
            if how == "core":
                db.session.execute(
                    sa.update(OrgUnit).where(OrgUnit.id == unit_id).values(name="改过")
                )
                return "ok"
            unit.name = "改过"
            if how in ("flush", "fail"):
                db.session.flush()
            if how == "fail":
                raise RuntimeError("a bug after the flush")
            return "ok"

        return view

    for path, how in zip(ROUTES, ("dirty", "flush", "core", "fail"), strict=True):
        app.add_url_rule(path, path.strip("/"), rename(how))
    return unit_id


@pytest.mark.fresh_app
def test_a_read_request_keeps_no_change_it_did_not_commit(app, writing_reads):
    client = plain_client(app)
    for path in ROUTES:
        db.session.rollback()  # this thread holds no snapshot while the request writes
        response = in_own_thread(lambda path=path: client.get(path))
        assert response.status_code == (500 if path == "/t-flush-then-fail" else 200), path
        assert db.session.get(OrgUnit, writing_reads).name == "石佛村", path


def test_read_pages_keep_their_prepared_statements(app, login, make_user, tree):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg's prepared statements")
    client = plain_client(app)
    login(make_user("学员", tree["village"]), client=client)
    db.session.remove()
    db.engine.dispose()  # from here the requests and the check share one connection

    def pages_then_prepared():
        for _ in range(6):  # psycopg prepares a statement on its fifth run
            assert client.get("/").status_code == 200
        with app.app_context():
            query = sa.text("SELECT statement FROM pg_prepared_statements")
            return db.session.scalars(query).all()

    prepared = in_own_thread(pages_then_prepared)
    assert any("login_session.token = " in statement for statement in prepared), prepared
