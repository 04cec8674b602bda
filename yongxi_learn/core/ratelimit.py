"""A rate-limit store shared by every worker without a server of its own.

Flask-Limiter's ``memory://`` counts in each worker's memory: with gunicorn's workers
(and threads) an address got a multiple of its allowance. ``yongxi-db://`` (the
default) keeps fixed-window counters in a table: on PostgreSQL in the app's own
database (every app server shares it), on SQLite in a file of its own beside the
database file (``….sqlite3-ratelimit``), so counting never waits for the write lock
a request holds on the main file. A district may still point
``RATELIMIT_STORAGE_URI`` at Redis.
"""

import os
import secrets
import threading
import time
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, has_app_context
from limits.storage import Storage
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db

SCHEME = "yongxi-db"
_PRUNE_ONE_IN = 500

rate_counter = sa.Table(
    "rate_counter",
    db.metadata,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
    # Seconds since the epoch, as Flask-Limiter's storages report them.
    sa.Column("expires_at", sa.Float, nullable=False),
)

_side_engines: dict[str, sa.Engine] = {}
_side_lock = threading.Lock()


def _side_engine(database: str) -> sa.Engine:
    """The SQLite file of counters beside the database file ``database``."""
    path = database + "-ratelimit"
    with _side_lock:
        engine = _side_engines.get(path)
        if engine is None:
            if not Path(path).exists():
                # Created 0600 like the database itself: it holds client addresses.
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            engine = sa.create_engine(
                f"sqlite:///{path}",
                connect_args={"timeout": 10, "check_same_thread": False},
            )

            @sa.event.listens_for(engine, "connect")
            def _on_connect(dbapi_conn, _record):
                dbapi_conn.isolation_level = None
                dbapi_conn.execute("PRAGMA journal_mode = WAL")
                dbapi_conn.execute("PRAGMA synchronous = NORMAL")

            @sa.event.listens_for(engine, "begin")
            def _on_begin(conn):
                # Take the write lock at once: a read then a write would deadlock.
                conn.exec_driver_sql("BEGIN IMMEDIATE")

            rate_counter.create(engine, checkfirst=True)
            _side_engines[path] = engine
    return engine


def _engine() -> sa.Engine:
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return engine
    database = engine.url.database
    if database in (None, "", ":memory:"):
        return engine  # an in-memory test database: nothing else to share it with
    return _side_engine(database)


class DatabaseStorage(Storage):
    """Fixed-window counters in the ``rate_counter`` table (see the module's doc)."""

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012 (limits' registry reads a list)

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **_):
        super().__init__(uri, wrap_exceptions=wrap_exceptions)

    @property
    def base_exceptions(self):
        return sa.exc.SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        engine = _engine()
        insert = (postgresql if engine.dialect.name == "postgresql" else sqlite).insert
        table = rate_counter
        expired = table.c.expires_at <= now
        statement = (
            insert(table)
            .values(key=key, count=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "count": sa.case((expired, amount), else_=table.c.count + amount),
                    "expires_at": sa.case((expired, now + expiry), else_=table.c.expires_at),
                },
            )
            .returning(table.c.count)
        )
        with engine.begin() as conn:
            count = conn.execute(statement).scalar_one()
            if secrets.randbelow(_PRUNE_ONE_IN) == 0:  # old addresses' rows go now and then
                conn.execute(rate_counter.delete().where(rate_counter.c.expires_at <= now))
            return count

    def _row(self, key: str):
        with _engine().connect() as conn:
            row = conn.execute(
                sa.select(rate_counter.c.count, rate_counter.c.expires_at).where(
                    rate_counter.c.key == key, rate_counter.c.expires_at > time.time()
                )
            ).first()
            conn.rollback()
        return row

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.count if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row else time.time()

    def check(self) -> bool:
        try:
            self.get("check")
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        if not has_app_context() or not current_app.extensions.get("sqlalchemy"):
            return None  # nothing to reset outside an app (the tests' fixture order)
        with _engine().begin() as conn:
            return conn.execute(rate_counter.delete()).rowcount

    def clear(self, key: str) -> None:
        with _engine().begin() as conn:
            conn.execute(rate_counter.delete().where(rate_counter.c.key == key))
