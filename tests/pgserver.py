"""A throwaway PostgreSQL server for the test suite.

    python tests/pgserver.py -- pytest -m "not e2e"

creates a temporary cluster (initdb), starts it on 127.0.0.1 and a free port with
durability switched off, creates the database ``yongxi_test``, runs the command with
``TEST_DATABASE_URL`` pointing at it, then stops the server, removes every file and
exits with the command's exit code.

PostgreSQL refuses to run as root, so under root the server runs as ``nobody``.
Binaries are looked up in ``$PG_BIN``, /usr/lib/postgresql/15/bin, ``pg_config
--bindir`` and PATH; when none is found the run is skipped (exit 0) with a loud
message, except under ``CI=true`` where a silent skip would hide a broken pipeline.

Importable too: ``with temporary_server() as server: server.url``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_BIN_DIR = Path("/usr/lib/postgresql/15/bin")
DATABASE = "yongxi_test"
SUPERUSER = "postgres"
# Used only when running as root; created on demand if the system lacks it.
UNPRIVILEGED_USERS = ("nobody", "yongxi-pg")
READY_TIMEOUT_S = 60
# Durability is worthless for a database that is deleted after the run.
FAST_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
}
NOT_FOUND = "*** PostgreSQL 15 server binaries not found: the PostgreSQL run is "
SKIPPED = NOT_FOUND + "SKIPPED ***"
FAILED_IN_CI = NOT_FOUND + "required when CI=true: FAILED ***"


class PgServerError(RuntimeError):
    """The server could not be set up; the message says which step failed."""


# ---------------------------------------------------------------- finding things


def find_bin_dir() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres, or None."""
    candidates: list[Path] = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]))
    candidates.append(DEFAULT_BIN_DIR)
    if shutil.which("pg_config"):
        result = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=False
        )
        if result.returncode == 0 and result.stdout.strip():
            candidates.append(Path(result.stdout.strip()))
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).parent)
    for directory in candidates:
        if all((directory / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return directory
    return None


def free_port() -> int:
    # The port may be taken again before postgres binds it; start() retries then.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unprivileged_user() -> pwd.struct_passwd | None:
    """The account to run the server as: None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in UNPRIVILEGED_USERS:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    name = UNPRIVILEGED_USERS[-1]
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        check=True,
    )
    return pwd.getpwnam(name)


# ---------------------------------------------------------------- the server


@dataclass
class PgServer:
    bin_dir: Path
    base_dir: Path
    user: pwd.struct_passwd | None = None
    port: int = 0

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "postgres.log"

    @property
    def url(self) -> str:
        return self.url_for(DATABASE)

    def url_for(self, database: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _run(self, tool: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
        as_user = {}
        if self.user is not None:
            as_user = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        # cwd: the unprivileged user may not be able to read the caller's directory.
        return subprocess.run(
            [str(self.bin_dir / tool), *args],
            cwd=self.base_dir,
            capture_output=True,
            text=True,
            check=False,
            **as_user,
            **kwargs,
        )

    def _check(self, result: subprocess.CompletedProcess, step: str) -> None:
        if result.returncode != 0:
            raise PgServerError(f"{step} failed:\n{result.stdout}{result.stderr}{self._log()}")

    def _log(self) -> str:
        with contextlib.suppress(OSError):
            return "\n--- postgres.log ---\n" + self.log_file.read_text(errors="replace")
        return ""

    def init(self) -> None:
        if self.user is not None:
            os.chown(self.base_dir, self.user.pw_uid, self.user.pw_gid)
        result = self._run(
            "initdb",
            "--pgdata",
            str(self.data_dir),
            "--no-locale",
            "--encoding",
            "UTF8",
            "--auth=trust",
            "--username",
            SUPERUSER,
            "--no-sync",
        )
        self._check(result, "initdb")
        settings = {
            **FAST_SETTINGS,
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.base_dir}'",
        }
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# yongxi-learn test server\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def _pg_ctl_start(self):
        # New session: a Ctrl-C in the terminal reaches the tests, and the
        # server is shut down by stop() afterwards rather than killed mid-way.
        return self._run(
            "pg_ctl",
            "start",
            "--pgdata",
            str(self.data_dir),
            "--log",
            str(self.log_file),
            "--wait",
            "--timeout",
            str(READY_TIMEOUT_S),
            "-o",
            f"-p {self.port}",
            start_new_session=True,
        )

    def start(self, attempts: int = 3) -> None:
        for attempt in range(1, attempts + 1):
            self.port = free_port()
            result = self._pg_ctl_start()
            if result.returncode == 0:
                self.wait_ready()
                return
            if attempt == attempts:
                self._check(result, "pg_ctl start")

    def start_again(self) -> None:
        """Start a stopped server on the port it had (for tests of a database outage)."""
        self._check(self._pg_ctl_start(), "pg_ctl start")
        self.wait_ready()

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        pg_isready = self.bin_dir / "pg_isready"
        if not pg_isready.is_file():
            return  # pg_ctl --wait has already waited for the server
        deadline = time.monotonic() + timeout
        while True:
            args = ["-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "-q"]
            if self._run("pg_isready", *args).returncode == 0:
                return
            if time.monotonic() > deadline:
                raise PgServerError(f"server not ready after {timeout}s{self._log()}")
            time.sleep(0.2)

    def create_database(self, name: str = DATABASE) -> None:
        args = ["-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, name]
        self._check(self._run("createdb", *args), "createdb")

    def stop(self) -> None:
        if not (self.data_dir / "postmaster.pid").exists():
            return
        result = self._run("pg_ctl", "stop", "--pgdata", str(self.data_dir), "-m", "fast", "-w")
        if result.returncode != 0:
            print(f"pg_ctl stop failed:\n{result.stderr}", file=sys.stderr)


@contextlib.contextmanager
def temporary_server(bin_dir: Path | None = None) -> Iterator[PgServer]:
    """Start a fresh server with the test database; stop it and delete it on exit."""
    bin_dir = bin_dir or find_bin_dir()
    if bin_dir is None:
        raise PgServerError("PostgreSQL server binaries not found")
    base_dir = Path(tempfile.mkdtemp(prefix="yongxi-pg-"))
    server = PgServer(bin_dir=bin_dir, base_dir=base_dir, user=unprivileged_user())
    try:
        server.init()
        server.start()
        server.create_database()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base_dir, ignore_errors=True)


# ---------------------------------------------------------------- command line


def _raise_on_sigterm(signum, frame):
    # Turn a polite kill into an exception, so the finally blocks stop the server.
    raise SystemExit(128 + signum)


def run_command(command: Sequence[str], env: dict[str, str]) -> int:
    try:
        process = subprocess.Popen(command, env=env)
    except FileNotFoundError:
        print(f"command not found: {command[0]}", file=sys.stderr)
        return 127
    try:
        return process.wait()
    except KeyboardInterrupt:
        # Ctrl-C reached the child through the terminal too; let it finish its own
        # teardown before the server goes away under it.
        _reap(process)
        raise
    except SystemExit:
        process.terminate()
        _reap(process)
        raise


def _reap(process: subprocess.Popen, grace_s: float = 30) -> None:
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace_s)
    if process.poll() is None:
        process.kill()
        process.wait()


def _ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run a command against a throwaway PostgreSQL server.",
        usage="%(prog)s -- COMMAND [ARG...]",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER)
    command = parser.parse_args(argv).command
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        parser.error("no command given")

    bin_dir = find_bin_dir()
    if bin_dir is None:
        print(f"\n{FAILED_IN_CI if _ci() else SKIPPED}\n", file=sys.stderr, flush=True)
        return 1 if _ci() else 0

    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    try:
        with temporary_server(bin_dir) as server:
            print(f"PostgreSQL ({bin_dir}) on 127.0.0.1:{server.port}", flush=True)
            env = {**os.environ, "TEST_DATABASE_URL": server.url}
            return run_command(command, env)
    except PgServerError as exc:
        print(f"*** PostgreSQL test server: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
