"""A real gunicorn (2 sync workers) on loopback for the tests that need several
worker processes: ``with running_gunicorn(db_url, tmp_path, **env) as server``;
``running_gunicorn(..., project_config=True)`` runs ``gunicorn.conf.py``'s settings
instead (its workers, threads and timeouts), as ``make run`` does; ``app=`` serves
another WSGI app than ``wsgi:app`` (a fault test's wrapper that patches the app).

The server reads its configuration from the environment, as in production; it
serves the test database, so data made by the usual fixtures (and committed) is
what it sees. ``Browser`` is a tiny cookie-keeping HTTP client with CSRF tokens; like a browser it
asks for gzip and unpacks what comes gzipped, so every test through gunicorn also
goes through the app's compression.
"""

from __future__ import annotations

import contextlib
import gzip
import http.cookiejar
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.response
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).parent / "gunicorn"
SECRET = "gunicorn-test-secret-key-long-enough-0123456789"
READY_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path

    def worker_pids(self) -> set[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()}

    def wait_for_workers(self, count: int = 2, timeout: float = READY_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while len(self.worker_pids()) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn has fewer than {count} workers\n{self.output()}")
            time.sleep(0.1)

    def answered_by(self, method: str, path: str) -> set[int]:
        """The pids of the workers that answered ``method path`` (from the access log)."""
        pattern = rf"^ACCESS <(\d+)> {method} {re.escape(path)} \d+$"
        return {int(pid) for pid in re.findall(pattern, self.output(), re.MULTILINE)}

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@contextlib.contextmanager
def running_gunicorn(
    database_url: str,
    tmp_path: Path,
    *,
    project_config: bool = False,
    app: str = "wsgi:app",
    **env: str,
) -> Iterator[Server]:
    port = free_port()
    log = tmp_path / "gunicorn.log"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "PYTHONPATH": str(ROOT),
        **env,
    }
    args = [str(GUNICORN)]
    if project_config:
        args += ["-c", str(ROOT / "gunicorn.conf.py")]
    else:
        # gunicorn also reads ./gunicorn.conf.py by itself (after --chdir): these win.
        args += ["-w", "2", "-k", "sync", "--threads", "1", "--timeout", "60"]
    args += ["-b", f"127.0.0.1:{port}"]
    args += ["--graceful-timeout", "2", "--chdir", str(ROOT), app]
    # Which worker answered what: "ACCESS <pid> <method> <path> <status>" lines.
    args += ["--access-logfile", "-", "--access-logformat", "ACCESS %(p)s %(m)s %(U)s %(s)s"]
    with log.open("w") as out:
        process = subprocess.Popen(args, env=environment, stdout=out, stderr=out)
    server = Server(process=process, url=f"http://127.0.0.1:{port}", log=log)
    try:
        _wait_healthy(server)
        server.wait_for_workers()
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_healthy(server: Server) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        health = server.url + "/healthz"  # always http://127.0.0.1
        with contextlib.suppress(OSError), urllib.request.urlopen(health, timeout=2) as response:  # noqa: S310
            if response.status == 200:
                return
        if server.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not become healthy\n{server.output()}")
        time.sleep(0.2)


class _Gzip(urllib.request.BaseHandler):
    """``Accept-Encoding: gzip`` on every request, and a gzipped body unpacked (its
    headers kept, so a test can see it came compressed)."""

    def http_request(self, request):
        if not request.has_header("Accept-encoding"):
            request.add_unredirected_header("Accept-Encoding", "gzip")
        return request

    def http_response(self, request, response):
        if response.headers.get("Content-Encoding") != "gzip":
            return response
        body = gzip.decompress(response.read())
        response.close()
        unpacked = urllib.response.addinfourl(
            io.BytesIO(body), response.headers, response.url, response.status
        )
        unpacked.msg = response.msg  # read by urllib's HTTPError for a 4xx or 5xx
        return unpacked


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Reply:
    status: int
    text: str
    location: str = ""
    headers: Message | None = None  # case-insensitive ``headers.get(name)``


class Browser:
    """Cookies, the CSRF token of the last page, no automatic redirects."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None, *, tls=None):
        """``tls``: an ``ssl.SSLContext`` for an https ``base_url`` (a test certificate)."""
        self.base_url = base_url
        self.headers = headers or {}
        self.cookies = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect(), _Gzip()]
        if tls is not None:
            handlers.append(urllib.request.HTTPSHandler(context=tls))
        self.opener = urllib.request.build_opener(*handlers)
        self.csrf = ""

    def request(self, method, path, *, form=None, json_body=None, timeout=30) -> Reply:
        headers = {**self.headers, **({"X-CSRFToken": self.csrf} if self.csrf else {})}
        data = None
        if form is not None:
            # A list is one field sent several times (checkboxes), as a browser sends it.
            fields = {"csrf_token": self.csrf, **form}
            data = urllib.parse.urlencode(fields, doseq=True).encode()
        elif json_body is not None:
            data = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
            headers["Accept"] = "application/json"  # as exam.js asks
        req = urllib.request.Request(self.base_url + path, data, headers, method=method)  # noqa: S310
        try:
            with self.opener.open(req, timeout=timeout) as response:
                reply = Reply(response.status, response.read().decode(), "", response.headers)
        except urllib.error.HTTPError as exc:
            location = exc.headers.get("Location", "")
            reply = Reply(exc.code, exc.read().decode(), location, exc.headers)
        token = re.search(r'name="csrf-token" content="([^"]+)"', reply.text) or re.search(
            r'name="csrf_token"[^>]*value="([^"]+)"', reply.text
        )
        if token:
            self.csrf = token.group(1)
        return reply

    def get(self, path, **kw) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path, **kw) -> Reply:
        return self.request("POST", path, **kw)

    def log_in(self, phone: str, password: str) -> Reply:
        self.get("/login")
        return self.post("/login", form={"phone": phone, "password": password})


REDIS_SERVER = Path("/usr/bin/redis-server")


@contextlib.contextmanager
def running_redis(port: int | None = None) -> Iterator[str]:
    """A throwaway Redis on loopback, nothing saved to disk; yields its storage URI.
    ``port``: the one of a Redis stopped before (a test of an outage starts it again)."""
    port = port or free_port()
    args = [str(REDIS_SERVER), "--port", str(port), "--bind", "127.0.0.1"]
    args += ["--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        _wait_redis(port, process)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_redis(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1) as s:
            s.sendall(b"PING\r\n")
            if s.recv(16).startswith(b"+PONG"):
                return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("redis-server did not start")
        time.sleep(0.1)
