"""The audit log's hash chain and its copy on the logger (see ``core.audit``).

Each audit row carries ``prev_hash`` (the ``row_hash`` of the row before it in id
order) and ``row_hash``, SHA-256 of its canonical content (``row_digest``). The
one-row ``audit_chain_head`` table holds the last row's id and hash, which every
append locks, and the anchor: the ``prev_hash`` the first row kept must carry
once older rows were pruned (``flask audit prune``). ``verify`` walks the chain.
"""

import hashlib
import json
import logging
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import click
import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from ..core.time import format_local
from ..extensions import db
from .audit import AuditLog, logger

GENESIS = "0" * 64
HEAD_ID = 1


class AuditChainHead(db.Model):
    """The chain's end (and its pruned start): one row, id 1."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_id: Mapped[int | None]
    last_hash: Mapped[str] = mapped_column(sa.String(64), default=GENESIS)
    anchor_hash: Mapped[str] = mapped_column(sa.String(64), default=GENESIS)


def row_digest(
    *,
    id: int,
    at: datetime,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: int | None,
    result: str,
    address: str,
    detail: str,
    prev_hash: str,
) -> str:
    """SHA-256 of a row's content as stored: a JSON array in a fixed order, time as
    UTC to the microsecond. The migration that chained the older rows keeps its own
    copy of this function: change neither."""
    content = [
        id,
        at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        actor_id,
        action,
        object_type,
        object_id,
        result,
        address,
        detail,
        prev_hash,
    ]
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


_FIELDS = (
    "id",
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "result",
    "address",
    "detail",
    "prev_hash",
)


def digest_of(row) -> str:
    """``row_digest`` of an AuditLog or a result row with the same columns."""
    return row_digest(**{name: getattr(row, name) for name in _FIELDS})


def log_line(entry: AuditLog) -> str:
    """One JSON object on one line (control characters are escaped by json)."""
    return json.dumps(
        {
            "id": entry.id,
            "time": entry.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor": entry.actor_id,
            "address": entry.address,
            "action": entry.action,
            "object": f"{entry.object_type}#{entry.object_id}" if entry.object_type else "",
            "result": entry.result,
            "detail": entry.detail,
            "prev": entry.prev_hash,
            "hash": entry.row_hash,
        },
        ensure_ascii=False,
    )


# ---------------------------------------------------------------- appending

# Session.info keys: rows held back until the commit, each with the savepoint it
# was flushed in (None: the outer transaction), and the lines to log once committed.
_PENDING = "audit_pending"
_TO_LOG = "audit_to_log"
_APPENDING = "audit_appending"


@sa.event.listens_for(orm.Session, "before_flush")
def _hold_back(session, _context=None, _instances=None) -> None:
    """Take new audit rows out of a flush: they are inserted at commit (_append)."""
    if session.info.get(_APPENDING):
        return
    new = [obj for obj in session.new if isinstance(obj, AuditLog)]
    if not new:
        return
    savepoint = session.get_nested_transaction()
    pending = session.info.setdefault(_PENDING, [])
    for entry in new:
        session.expunge(entry)
        pending.append((entry, savepoint))


@sa.event.listens_for(orm.Session, "before_commit")
def _append(session) -> None:
    if session.in_nested_transaction():  # a savepoint released: not yet
        return
    _hold_back(session)
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    entries = [entry for entry, _savepoint in pending]
    session.info[_APPENDING] = True
    try:
        # The transaction's other changes first: the head's lock is its last one.
        session.flush()
        last_id, prev = _lock_head(session)
        session.add_all(entries)
        session.flush()  # ids drawn under the lock: id order is chain order
        for entry in sorted(entries, key=lambda e: e.id):
            entry.prev_hash = prev
            entry.row_hash = prev = digest_of(entry)
            last_id = entry.id
        session.flush()
        session.execute(
            sa.update(AuditChainHead)
            .where(AuditChainHead.id == HEAD_ID)
            .values(last_id=last_id, last_hash=prev)
        )
    finally:
        session.info.pop(_APPENDING, None)
    session.info.setdefault(_TO_LOG, []).extend(log_line(e) for e in entries)


def _lock_head(session) -> tuple[int | None, str]:
    """The head's (last_id, last_hash), locked until the commit. SQLite has no row
    locks: an UPDATE takes the database's write lock before the head is read (a
    transaction begun with a plain BEGIN would otherwise read, then fail to write)."""
    head = AuditChainHead.__table__
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sa.update(head).where(head.c.id == HEAD_ID).values(id=head.c.id))
    select = sa.select(head.c.last_id, head.c.last_hash).where(head.c.id == HEAD_ID)
    row = session.execute(select.with_for_update()).one_or_none()
    if row is None:  # a database built by create_all (or emptied): start the chain
        _create_head(session)
        row = session.execute(select.with_for_update()).one()
    return row.last_id, row.last_hash


def _create_head(session) -> None:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    values = {"id": HEAD_ID, "last_id": None, "last_hash": GENESIS, "anchor_hash": GENESIS}
    head = AuditChainHead.__table__
    session.execute(insert(head).values(**values).on_conflict_do_nothing())


@sa.event.listens_for(orm.Session, "after_commit")
def _emit(session) -> None:
    if session.in_nested_transaction():
        return
    for line in session.info.pop(_TO_LOG, ()):
        logger.info(line)


@sa.event.listens_for(orm.Session, "after_soft_rollback")
def _forget(session, transaction) -> None:
    """Rows of a savepoint rolled back are gone with it; a rollback of the whole
    transaction leaves nothing to write or to log."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_TO_LOG, None)
        return
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [
            (entry, savepoint)
            for entry, savepoint in pending
            if not _within(savepoint, transaction)
        ]


@sa.event.listens_for(orm.Session, "after_transaction_end")
def _closed(session, transaction) -> None:
    if transaction.parent is None:  # committed (and logged), rolled back or closed
        session.info.pop(_PENDING, None)
        session.info.pop(_TO_LOG, None)


def _within(savepoint, transaction) -> bool:
    while savepoint is not None:
        if savepoint is transaction:
            return True
        savepoint = savepoint.parent
    return False


class _Stdout(logging.StreamHandler):
    """Writes to whatever sys.stdout is at the time (gunicorn's, a CLI's)."""

    def __init__(self):
        super().__init__()
        self.setFormatter(logging.Formatter("%(message)s"))

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value):
        pass


def init_app(app) -> None:
    """The served app's audit lines go to stdout: gunicorn's stdout is how they leave
    the machine (journald, syslog). Once per process, however many apps are built.
    Not in tests, nor under ``flask`` commands: seed-demo alone would print hundreds of
    lines over the demo logins (their records are in the chain all the same)."""
    if app.testing or click.get_current_context(silent=True) is not None:
        return
    if not any(isinstance(h, _Stdout) for h in logger.handlers):
        logger.setLevel(logging.INFO)
        logger.addHandler(_Stdout())


# ---------------------------------------------------------------- pruning


def move_anchor(session, last_deleted_id: int) -> None:
    """Before rows up to ``last_deleted_id`` (a prefix of the chain) are deleted: the
    first row kept must carry that row's hash. Locks the head until the commit."""
    _lock_head(session)
    anchor = session.scalar(sa.select(AuditLog.row_hash).where(AuditLog.id == last_deleted_id))
    session.execute(
        sa.update(AuditChainHead).where(AuditChainHead.id == HEAD_ID).values(anchor_hash=anchor)
    )


# ---------------------------------------------------------------- verifying


@dataclass(frozen=True)
class Break:
    """The first place the chain does not hold."""

    message: str


def verify(session, *, track: Callable[[Iterable, int], Iterable] | None = None):
    """Walk the chain in id order; returns (rows found whole, the first Break or None).

    Read the head and the rows in one snapshot (SQLite's read transaction; on
    PostgreSQL the caller asks for REPEATABLE READ): every row committed then is in
    the chain, so a row past the head's last id was inserted outside it."""
    head = session.execute(
        sa.select(AuditChainHead.last_id, AuditChainHead.last_hash, AuditChainHead.anchor_hash)
    ).one_or_none()
    last_id, last_hash, anchor = head if head is not None else (None, GENESIS, GENESIS)
    query = sa.select(*(getattr(AuditLog, name) for name in (*_FIELDS, "row_hash")))
    total = session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
    result = session.execute(query.order_by(AuditLog.id).execution_options(yield_per=2000))
    rows = track(result, total) if track is not None else result
    try:
        return _walk(rows, last_id, last_hash, anchor)
    finally:
        result.close()  # a server-side cursor on PostgreSQL, left early at a break


def _walk(rows: Iterable, last_id: int | None, last_hash: str, anchor: str):
    expected, previous, count = anchor, None, 0
    for row in rows:
        if last_id is None or row.id > last_id:
            return count, Break(
                f"编号 {row.id}（{_when(row)}）在链尾（编号 {last_id}）之后，是在链外插入的"
            )
        if row.prev_hash != expected:
            after = f"编号 {previous.id} 之后、" if previous is not None else ""
            return count, Break(
                f"链在编号 {row.id}（{_when(row)}）处断开：{after}它之前的记录被删除或改动，"
                "或它是在链外插入的"
            )
        if digest_of(row) != row.row_hash:
            return count, Break(f"编号 {row.id}（{_when(row)}）的记录在写入后被修改")
        expected, previous, count = row.row_hash, row, count + 1
    if expected != last_hash:
        if previous is None:
            return count, Break(f"链尾应为编号 {last_id}，但表中没有记录：记录被删除")
        return count, Break(
            f"编号 {previous.id}（{_when(previous)}）之后的记录被删除（链尾应为编号 {last_id}）"
        )
    return count, None


def _when(row) -> str:
    return format_local(row.at, "%Y-%m-%d %H:%M:%S")
