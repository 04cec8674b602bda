"""Gunicorn settings for ``make run``: ``gunicorn -c gunicorn.conf.py wsgi:app``.

BIND (host:port) or PORT in the environment override the address; behind nginx keep
the default loopback address so the app is reachable only through the proxy.

Phones reach this server directly (no nginx in a pilot), so a client that sends its
request or reads its answer slowly must not hold a whole worker: the workers are
threaded (``gthread``). A sync worker serves one connection at a time, start to end,
so two phones stalled mid-request froze a two-worker server until the worker
timeout. An async worker (gevent) was not chosen: the app's work is blocking
(SQLite, psycopg, building XLSX files) and CPU-bound, and one greenlet waiting
on SQLite's write lock or building a file would stall every connection of its
worker, where a thread only stalls itself.
"""

import logging
import os
import socket
import struct

from gunicorn.workers.gthread import ThreadWorker

bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = 2
# Per worker. A stalled client holds one thread; the others keep serving. Each thread
# uses at most one pooled database connection at a time, under SQLAlchemy's default
# pool (5 + 10 overflow) per worker. SQLite writers of one process queue on its
# single write lock (BEGIN IMMEDIATE with a busy timeout), as those of two processes did.
threads = 8
# An export or a report download may take a while on a small machine.
timeout = 60
# A phone fetches the CSS and JS right after the page: keep its connection open for
# them. A kept-alive connection waits in the worker's poller, not in a thread.
keepalive = 5
accesslog = "-"
# Each worker builds its own app, so no database connection is shared across a fork.
preload_app = False
# Gunicorn 25+ opens a control socket in ~/.gunicorn, shared by every instance of the
# user; nothing here uses it (older versions ignore the setting).
control_socket_disable = True

# A client that sends nothing and takes nothing for this long while its request is
# being read or its answer written is gone (a phone that lost its signal never says
# so). Without a limit its thread would wait for it for ever: gthread's heartbeat
# comes from the worker's main loop, so the worker timeout never ends it.
CLIENT_STALL_TIMEOUT_S = 30


class StallBoundThreadWorker(ThreadWorker):
    """gthread, each connection's reads and writes bounded by CLIENT_STALL_TIMEOUT_S.

    The kernel's own per-call limits (SO_RCVTIMEO, SO_SNDTIMEO): they survive
    gunicorn switching the socket between blocking and non-blocking, and they
    limit each wait, not a whole download, so a slow phone still gets a big file."""

    def init_process(self):
        self.log.error_log.addFilter(_stalled_client_in_one_line)
        super().init_process()

    def enqueue_req(self, conn):
        if not getattr(conn, "stall_bound", False):
            limit = struct.pack("ll", CLIENT_STALL_TIMEOUT_S, 0)
            conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, limit)
            conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, limit)
            conn.stall_bound = True
        super().enqueue_req(conn)


def _stalled_client_in_one_line(record: logging.LogRecord) -> bool:
    """The limit above ends in gunicorn's "Socket error" with a traceback: one line is
    enough for a phone that went away."""
    if record.exc_info and isinstance(record.exc_info[1], BlockingIOError):
        record.msg, record.args = "closed a connection stalled for %s s", (CLIENT_STALL_TIMEOUT_S,)
        record.levelno, record.levelname = logging.INFO, "INFO"
        record.exc_info = record.exc_text = None
    return True


worker_class = StallBoundThreadWorker


def when_ready(server):
    for address in server.cfg.address:
        if isinstance(address, tuple):
            server.log.info("雍溪学法已启动：http://%s:%s （演示账号见上方）", *address)
