"""The embedded SQLite under concurrent use: writers queue, readers never wait."""

import sqlite3
import subprocess
import sys
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


def write_in_own_thread(app, key: str) -> list:
    """Write a setting and commit in a thread of its own (as a gunicorn thread would);
    returns the exception it raised, if any."""
    raised: list = []

    def run():
        with app.app_context():
            try:
                set_setting(key, "1")
                db.session.commit()
            except Exception as exc:  # collected and asserted on by the test
                raised.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return raised


def test_a_writer_that_found_the_database_locked_leaves_the_next_writer_free(app):
    db.session.commit()
    other = sqlite3.connect(db.engine.url.database, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        [refused] = write_in_own_thread(app, "first")
        assert "database is locked" in str(refused)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert write_in_own_thread(app, "second") == []
    db.session.expire_all()
    assert (get_setting("first", "never written"), get_setting("second")) == ("never written", "1")


def test_a_writer_waits_for_a_writer_of_another_process(app):
    db.session.commit()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITER_LOCK, f"{db.engine.url.database}-writer"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        assert write_in_own_thread(app, "after") == []
        # The write could only begin once the other process had let go, at its exit.
        assert holder.poll() is not None
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    db.session.expire_all()
    assert get_setting("after") == "1"


# Another process's writer: takes the lock file beside the database, says so, keeps
# it for a second and exits.
HOLD_WRITER_LOCK = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(1)
"""
