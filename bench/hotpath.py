"""The exam hot path measured in-process, in figures a shared, loaded machine does
not move: Python function calls and SQL statements per request, next to the bare
Flask route of bench/bare_app.py in the same process (and CPU time, which load does
move, for reference). Requests go through the WSGI app as gunicorn sends them.

Against a district database (``flask --app bench.app bench-data``), with
DATABASE_URL and SECRET_KEY set:

    python bench/hotpath.py prepare STATE.json   open exams, attempts, 300 sessions
    python bench/hotpath.py measure STATE.json [N] [KIND ...]

KIND: bare ping autosave attempt home shell shell_anon submit (default: all); shell is
the logged-in layout with nothing in it (bench/shell_app.py), the floor under home,
and shell_anon the same layout for nobody logged in.
``measure`` marks every prepared login as just seen (the steady state of an exam
evening: a login is touched once a minute) and opens a fresh exam for the submits, so
it writes to the database.
"""

import cProfile
import io
import json
import pstats
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bare_app import app as bare_app
from bench.shell_app import (
    ANON_PATH,
    app,  # the app, plus the empty page of kind "shell"
)
from bench.shell_app import PATH as SHELL_PATH
from yongxi_learn.extensions import db

PEOPLE = 300
KINDS = ("bare", "ping", "autosave", "attempt", "home", "shell", "shell_anon", "submit")


def prepare(app, state_path: Path) -> None:
    from bench.datagen import prepare as p
    from bench.inapp import _district, _people

    ids = _people(_district(), PEOPLE * 2)
    examinees = p.login_cookies(app, ids)
    exam = p.open_exam(_district(), "压测：作答与自动保存（进程内）", ids[:PEOPLE])
    started = p.start_attempts(exam, ids[:PEOPLE])
    p.note_logins(dict(zip(ids[:PEOPLE], started, strict=True)), examinees)
    db.session.commit()
    people = [
        {"cookie": e.cookie, "csrf": e.csrf, "user_id": e.user_id, "attempt": a}
        for e, a in zip(examinees, [*started, *[0] * PEOPLE], strict=True)
    ]
    state_path.write_text(json.dumps({"people": people[:PEOPLE], "submitters": people[PEOPLE:]}))


def environ(method: str, path: str, person: dict | None = None, body: bytes = b"", ctype=""):
    env = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        "body": body,
    }
    if person:
        env["HTTP_COOKIE"] = person["cookie"]
        env["HTTP_X_CSRFTOKEN"] = person["csrf"]
    if ctype:
        env["CONTENT_TYPE"] = ctype
    return env


def call(app, env: dict) -> str:
    env = dict(env)
    env["wsgi.input"] = io.BytesIO(env.pop("body"))
    status = []
    body = app(env, lambda s, headers, exc_info=None: status.append(s))
    try:
        for _ in body:
            pass
    finally:
        getattr(body, "close", lambda: None)()
    return status[0]


def requests(kind: str, state: dict, n: int) -> list[dict]:
    people, form = state["people"], "application/x-www-form-urlencoded"
    out = []
    for i in range(n):
        person = people[i % len(people)]
        if kind in ("bare", "ping"):
            out.append(environ("GET", "/" if kind == "bare" else "/ping"))
        elif kind == "autosave":
            body = json.dumps({"position": i % 20 + 1, "answer": "A", "base": -1, "age": 0})
            path = f"/exams/attempts/{person['attempt']}/answer"
            out.append(environ("POST", path, person, body.encode(), "application/json"))
        elif kind == "attempt":
            out.append(environ("GET", f"/exams/attempts/{person['attempt']}", person))
        elif kind == "home":
            out.append(environ("GET", "/", person))
        elif kind == "shell":
            out.append(environ("GET", SHELL_PATH, person))
        elif kind == "shell_anon":
            out.append(environ("GET", ANON_PATH))
        else:
            submitter = state["submitters"][i % len(state["submitters"])]
            path = f"/exams/attempts/{submitter['attempt']}/submit"
            out.append(environ("POST", path, submitter, b"", form))
    return out


def fresh_submits(state: dict) -> None:
    from bench.datagen import prepare as p
    from bench.inapp import _district
    from yongxi_learn.auth.models import LoginSession
    from yongxi_learn.core.time import utcnow
    from yongxi_learn.exams import attempts

    ids = [s["user_id"] for s in state["submitters"]]
    exam = p.open_exam(_district(), f"压测：交卷（进程内）{time.time():.0f}", ids)
    started = p.start_attempts(exam, ids)
    for s, attempt in zip(state["submitters"], started, strict=True):
        s["attempt"] = attempt
    # Started by 开始答题, which notes the login on the attempt (as bench/run.py's).
    logins = sa.select(LoginSession.user_id, LoginSession.id).where(LoginSession.user_id.in_(ids))
    login_of = {user_id: login_id for user_id, login_id in db.session.execute(logins)}
    for user_id, attempt in zip(ids, started, strict=True):
        attempts.record_login(attempt, login_of[user_id], utcnow())
    db.session.commit()


def all_seen_now() -> None:
    from yongxi_learn.auth.models import LoginSession
    from yongxi_learn.core.time import utcnow

    db.session.execute(sa.update(LoginSession).values(last_seen_at=utcnow()))
    db.session.commit()


def measure(app, state: dict, n: int, kinds: list[str]) -> None:
    statements = [0]

    def count(*_args):
        statements[0] += 1

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
        if "submit" in kinds:
            fresh_submits(state)
        all_seen_now()
    base = None
    for kind in kinds:
        target = bare_app if kind == "bare" else app
        envs = requests(kind, state, n + 3)
        for env in envs[:3]:  # warm-up: compiled templates and statements
            call(target, env)
        statements[0], profile = 0, cProfile.Profile()
        started = time.process_time()
        profile.enable()
        codes = [call(target, env)[:3] for env in envs[3:]]
        profile.disable()
        cpu_ms = (time.process_time() - started) * 1000 / n
        calls = pstats.Stats(profile).total_calls / n
        base = base or calls
        print(
            f"{kind:9s} {calls:7.0f} calls {statements[0] / n:4.1f} sql "
            f"{base / calls:6.3f} of bare  ({cpu_ms:6.2f} ms CPU profiled)  "
            f"{sorted(set(codes))}",
            flush=True,
        )


def main(argv: list[str]) -> None:
    state_path = Path(argv[1])
    if argv[0] == "prepare":
        with app.app_context():
            prepare(app, state_path)
        return
    n = int(argv[2]) if len(argv) > 2 else 200
    kinds = argv[3:] or list(KINDS)
    if kinds[0] != "bare":
        kinds.insert(0, "bare")
    measure(app, json.loads(state_path.read_text()), n, kinds)


if __name__ == "__main__":
    main(sys.argv[1:])
