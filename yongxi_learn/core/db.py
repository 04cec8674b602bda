"""Database engine set-up that Flask-SQLAlchemy does not do for us.

SQLite (the embedded default) runs in WAL mode with foreign keys on and a busy
timeout. Its default deferred transactions fail with "database is locked" when two
writers upgrade their read locks at once, so write transactions start with
BEGIN IMMEDIATE: the second writer waits (up to the busy timeout) instead of failing.
Writers queue for it on a lock of ours first (``WriterLock``), which hands over as
soon as a write ends, where SQLite's busy handler wakes its waiters late.
Read-only requests (GET/HEAD) keep plain deferred transactions, so readers never
queue behind writers.
"""

import fcntl
import os
import select
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import sqlalchemy as sa
from flask import Flask, request
from sqlalchemy import orm
from sqlalchemy.ext.compiler import compiles

from ..extensions import db

_read_only: ContextVar[bool] = ContextVar("read_only_transaction", default=False)

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def expect_writes() -> None:
    """Mark the current request as writing, for the rare GET that must write.

    Call it before the request's first query: the SQLite transaction is opened
    with BEGIN IMMEDIATE from then on.
    """
    _read_only.set(False)


def reads_only() -> None:
    """From here on the request only reads: after a download's audit row is committed,
    the file is read while it is built and sent (seconds, to a slow phone). SQLite
    transactions then open with a plain BEGIN, which never blocks a writer (WAL)."""
    _read_only.set(True)


@contextmanager
def reading_context(app: Flask) -> Iterator[None]:
    """An app context of its own, with its own session, that only reads: for a body
    built while it is sent, after its request's context has ended (a streamed
    download pushes one per piece it builds, never across a ``yield``)."""
    token = _read_only.set(True)
    try:
        with app.app_context():
            yield
    finally:
        _read_only.reset(token)


def read_alone(engine: sa.Engine, statement, params: dict) -> list[sa.Row]:
    """All rows of one read-only statement, run on a pooled connection of its own
    instead of in the request's session; on PostgreSQL outside any transaction.

    For a hot page whose whole work is one SELECT (the attempt page's fast path).
    psycopg opens a transaction with a BEGIN round trip of its own before the
    first statement, and the request ends it with another (COMMIT): three round
    trips and three statements for the server to run where one is enough, and a
    single statement sees one snapshot whether or not it is in a transaction.
    The ORM session's own bookkeeping (a transaction begun, committed, closed) is
    skipped too. Never for a statement that writes: autocommit would keep the
    write even if the request then failed. On SQLite it is the same SELECT in the
    request's kind of BEGIN (a local call, no round trip); not after the request's
    session has begun writing, since this second connection would then wait for
    the session's write lock."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT")
        return connection.execute(statement, params).all()


class GenericPlansFromHere(sa.sql.functions.FunctionElement):
    """A column to select (its value means nothing) that makes the rest of the
    transaction's prepared statements on PostgreSQL run their generic plan, instead
    of being planned again for each execution; on SQLite, NULL.

    psycopg prepares a statement the fifth time a connection runs it, so the server
    plans it once. But PostgreSQL then keeps making a custom plan for each execution
    whenever its estimate of the generic plan costs more, as it does for the
    exam_tally group refresh a submit ends with, where planning costs more than
    running the statement. ``plan_cache_mode`` is set for this transaction only
    (``set_config(..., true)``); nothing changes for a statement prepared fewer than
    five times, nor for any other transaction. For a hot path whose every statement
    is keyed by ids, where the generic plan is the custom plan."""

    type = sa.Text()
    name = "generic_plans_from_here"
    inherit_cache = True


@compiles(GenericPlansFromHere)
def _generic_plans_elsewhere(_element, _compiler, **_kw) -> str:
    return "NULL"


@compiles(GenericPlansFromHere, "postgresql")
def _generic_plans_on_postgresql(_element, _compiler, **_kw) -> str:
    return "set_config('plan_cache_mode', 'force_generic_plan', true)"


def analyze_after_bulk_insert(session, *tables: str) -> None:
    """PostgreSQL: refresh the planner's statistics of ``tables`` now, in this
    transaction, after a bulk insert (an exam published to a district).

    Autovacuum re-analyzes a table once a tenth of it has changed, so a district's
    20,000 new enrolments in a table of a million leave the planner believing the
    new exam has no row at all. Every plan for it is then a guess: on an exam
    evening the submits' group lookups walked the exam's whole enrolment. ANALYZE
    reads a fixed sample (~0.1 s); its lock blocks no read or write, only another
    ANALYZE or VACUUM of the table, which it waits for.
    SQLite's statistics (if any) are averages per index prefix, not per value."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("ANALYZE " + ", ".join(f'"{t}"' for t in tables)))


def init_app(app: Flask, db) -> None:
    @app.before_request
    def _choose_transaction_mode():
        _read_only.set(request.method in READ_ONLY_METHODS)

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_S"])
        elif engine.dialect.name == "postgresql":
            sa.event.listen(engine, "checkout", _drop_if_server_hung_up)
            app.teardown_request(lambda exc: _end_reads_with_commit(db, exc))


def _end_reads_with_commit(db, exc: BaseException | None) -> None:
    """End a read-only request's PostgreSQL transaction with COMMIT, not ROLLBACK.

    psycopg prepares a statement the fifth time a connection runs it, so the server
    stops planning it again (planning the login's join costs several times what
    running it does), but it forgets every prepared statement on ROLLBACK. Closing
    the session rolls back, so without this no statement ever reached its fifth run.
    Anything else rolls back: a request that failed, one marked as writing
    (``expect_writes``), and one whose session wrote or holds changes since it last
    committed (nothing should be left there, and it is not kept by accident).
    """
    if exc is not None or not _read_only.get() or not db.session.registry.has():
        return
    session = db.session()
    if not session.in_transaction() or session.info.get(_WROTE):
        return
    if session.new or session.dirty or session.deleted:
        return
    try:
        session.commit()
    except sa.exc.SQLAlchemyError:  # an aborted transaction: the close rolls it back
        session.rollback()


# Set in ``Session.info`` when the session writes (a flush, or an INSERT, UPDATE or
# DELETE it executes) and cleared when it commits.
_WROTE = "wrote_since_commit"


@sa.event.listens_for(orm.Session, "after_flush")
def _flushed(session, _context) -> None:
    session.info[_WROTE] = True


@sa.event.listens_for(orm.Session, "do_orm_execute")
def _executed(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@sa.event.listens_for(orm.Session, "after_commit")
def _committed(session) -> None:
    session.info.pop(_WROTE, None)


def _drop_if_server_hung_up(dbapi_conn, _record, _proxy) -> None:
    """Discard a pooled PostgreSQL connection the server has closed, before use.

    An idle connection receives nothing from the server unless it is going away
    (a restart or an administrator's terminate: an error message, then end of file),
    so a readable socket at checkout means a dead connection; raising
    DisconnectionError makes the pool replace it with a fresh one. This costs a
    ``select()`` instead of SQLAlchemy's ``pool_pre_ping``, a ``SELECT 1`` round trip
    on every request. A connection that dies without a word (a network cut) is
    caught by the first statement: the 503 handler drops it and the pool renews
    every older connection (core.errors).
    """
    if dbapi_conn.closed:
        raise sa.exc.DisconnectionError("connection closed")
    readable, _w, _x = select.select([dbapi_conn.pgconn.socket], [], [], 0)
    if readable:
        raise sa.exc.DisconnectionError("the server closed the connection")


def _configure_sqlite(engine: sa.Engine, busy_timeout_s: int) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        cur.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    writer = _writer_lock(engine.url.database)

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn):
        if _read_only.get():
            conn.exec_driver_sql("BEGIN")
            return
        writer.acquire(busy_timeout_s)
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            writer.release()
            raise
        conn.info[_WRITING] = True

    @sa.event.listens_for(engine, "commit")
    @sa.event.listens_for(engine, "rollback")
    def _on_end(conn):
        if conn.info.pop(_WRITING, False):
            writer.release()

    @sa.event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn, record):
        # A connection back in the pool whose write never ended through SQLAlchemy
        # (the pool rolls it back itself) gives the lock back too.
        if record.info.pop(_WRITING, False):
            writer.release()


class WriterLock:
    """SQLite's writers queue here before they BEGIN IMMEDIATE: the threads of a
    process on a reentrant lock, the processes (gunicorn's workers, a CLI command)
    on an advisory lock of a file beside the database. A writer waiting in SQLite's
    own busy handler sleeps in growing steps (up to 100 ms) and wakes long after the
    lock is free: with two workers of eight threads, one answer's save waited up to
    0.9 s (p99) where, queued here, the next writer starts as soon as the last ends
    (p99 under 0.2 s; docs/performance.md). Waiting ends with "database is locked"
    after the busy timeout, as SQLite's would. Reentrant: a thread may open a second
    write transaction while in its first."""

    def __init__(self, database: str | None):
        self._threads = threading.RLock()
        self._depth = 0
        self._fd = None
        if database not in (None, "", ":memory:"):
            self._fd = os.open(f"{database}-writer", os.O_RDWR | os.O_CREAT, 0o600)

    def acquire(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        if not self._threads.acquire(timeout=timeout_s):
            raise _locked()
        self._depth += 1
        if self._depth == 1 and self._fd is not None:
            try:
                self._lock_file(deadline)
            except BaseException:
                self._depth -= 1
                self._threads.release()
                raise

    def _lock_file(self, deadline: float) -> None:
        # One thread per process gets here (the others wait on the RLock), so the
        # poll costs little; its pause stays under 4 ms, far below SQLite's.
        pause = 0.0005
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _locked() from None
                time.sleep(pause)
                pause = min(pause * 2, 0.004)

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()


def _locked() -> sa.exc.OperationalError:
    return sa.exc.OperationalError("BEGIN IMMEDIATE", {}, TimeoutError("database is locked"))


_writer_locks: dict[str, WriterLock] = {}
_writer_locks_guard = threading.Lock()


def _writer_lock(database: str | None) -> WriterLock:
    """One lock per database file and process, whatever the engines: two apps of one
    process on the same file (the tests) share it, so a thread writing through both
    re-enters it instead of waiting on itself."""
    if database in (None, "", ":memory:"):
        return WriterLock(None)
    key = os.path.realpath(database)
    with _writer_locks_guard:
        if key not in _writer_locks:
            _writer_locks[key] = WriterLock(key)
        return _writer_locks[key]


# Set in a SQLite connection's info while its write transaction holds the writer lock.
_WRITING = "holds_writer_lock"


def sqlite_engine_options(busy_timeout_s: int) -> dict:
    return {"connect_args": {"timeout": busy_timeout_s, "check_same_thread": False}}


def str_enum(cls) -> sa.Enum:
    """A Python enum stored as its short string values with a CHECK constraint.

    Never a native PostgreSQL enum, so adding a value later is a plain migration
    on both databases.
    """
    return sa.Enum(
        cls,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda e: [m.value for m in e],
        name=cls.__name__.lower(),
    )


_LOCK_PEOPLE = sa.text(
    "SELECT pg_advisory_xact_lock(:space, id) FROM "
    "(SELECT unnest(CAST(:ids AS integer[])) AS id ORDER BY 1) AS people"
)


def lock_people(space: int, user_ids: list[int]) -> None:
    """PostgreSQL: a transaction-level advisory lock per person (``space`` names the
    table it guards), taken in id order, so a summary recomputed after it sees the
    work of every transaction that held it before. SQLite has one writer at a time."""
    if not user_ids or db.session.get_bind().dialect.name != "postgresql":
        return
    db.session.execute(_LOCK_PEOPLE, {"space": space, "ids": sorted(set(user_ids))}).all()
