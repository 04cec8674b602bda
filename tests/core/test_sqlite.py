"""The embedded SQLite under concurrent use: writers queue, readers never wait."""

import sqlite3
import threading

import pytest
import sqlalchemy as sa

from yongxi_learn.core.settings import SiteSetting, get_setting, set_setting
from yongxi_learn.extensions import db

THREADS = 6
TRANSACTIONS = 25


@pytest.fixture
def app_config():
    # Long enough for writers to queue behind each other, short enough that a reader
    # stuck behind a writer fails the test quickly.
    return {"SQLITE_BUSY_TIMEOUT_S": 3}


@pytest.fixture(autouse=True)
def _sqlite_only(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite locking only")


def increment_counter(app, errors: list) -> None:
    for _ in range(TRANSACTIONS):
        with app.app_context():
            try:
                # Read, then write: with a deferred BEGIN two such transactions
                # deadlock and one fails at once with "database is locked".
                value = int(get_setting("counter", "0"))
                set_setting("counter", str(value + 1))
                db.session.commit()
            except Exception as exc:  # collected and asserted on below
                errors.append(repr(exc))


def test_concurrent_write_transactions_all_succeed_in_turn(app):
    set_setting("counter", "0")
    db.session.commit()
    errors: list[str] = []
    threads = [
        threading.Thread(target=increment_counter, args=(app, errors)) for _ in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.expire_all()
    assert get_setting("counter") == str(THREADS * TRANSACTIONS)


def test_read_only_request_does_not_wait_for_a_writer(app, client):
    writer = sqlite3.connect(db.engine.url.database, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO site_setting (key, value) VALUES ('held', '1')")
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.get_json()["database"] == "ok"
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    db.session.remove()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SiteSetting)) == 0
