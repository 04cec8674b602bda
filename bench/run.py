"""``make bench``: the exam hot path against a bare Flask route, figures and exports at
district size, page weights and reliability, in one bounded run on this machine.

Prints one ``name value unit`` line per figure and writes them to bench/last.json.
Every server listens on 127.0.0.1 only, except the reliability step's, which listens
on a private address (10.237.x.x) of a network namespace link the bench makes and
removes (bench/netem.py); every load run is bounded in time.
Options (environment): BENCH_SECONDS (per load figure and side, in 6 slices,
default 10), BENCH_PEOPLE (district size, default 20000), BENCH_SKIP_PG=1, BENCH_NET_DELAY_MS (the
reliability link's delay each way, default 200), BENCH_NET_LOSS (its loss each way,
default 0.01), BENCH_ONLY=reliability (only the data, ``prepare`` and the
reliability step, on PostgreSQL, or SQLite with BENCH_SKIP_PG=1; with a small
district, e.g. BENCH_PEOPLE=1000, it takes a few minutes).
"""

import contextlib
import gzip
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from email.message import Message
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

import reliability_step  # noqa: E402 (bench/, on the path just above)

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
PEOPLE = int(os.environ.get("BENCH_PEOPLE", "20000"))
CONNECTIONS = 32
EXAMINEES = 600
ONLY = os.environ.get("BENCH_ONLY", "")
STEP_TIMEOUT = 900
# Every load figure is measured head to head with what it is compared with (the bare
# route, or another request: autosave_vs_naive, login_share, home_vs_shell): SLICES
# alternating slices of SLICE_SECONDS each, one ratio per adjacent pair of slices, the
# median of them. This machine's bare route moved by a factor of three from one 10-s
# run to the next, so rates measured minutes, or even seconds, apart compared the
# moments they were taken as much as the requests.
# An even number: as many pairs run first-then-second as second-then-first.
SLICES = 6
SLICE_SECONDS = max(1, round(SECONDS / SLICES))
figures: dict[str, float] = {}
units: dict[str, str] = {}


def say(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def record(name: str, value: float, unit: str = "") -> None:
    figures[name] = round(value, 4) if isinstance(value, float) else value
    units[name] = unit


def ensure_wrk() -> str:
    return ensure_tool("wrk", "wrk")


def ensure_tool(tool: str, package: str) -> str:
    found = shutil.which(tool)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say(f"{tool} not found: installing the Debian package {package}")
        subprocess.run(["apt-get", "install", "-y", "-q", package], check=True, timeout=600)
        return shutil.which(tool)
    sys.exit(f"make bench needs {tool} (Debian: apt-get install {package}) — run as root")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def json_of(output: str) -> dict:
    for line in output.splitlines():
        if line.startswith("BENCHJSON "):
            return json.loads(line[len("BENCHJSON ") :])
    raise RuntimeError("no result in:\n" + output[-3000:])


def run_json(args: list[str], env: dict, timeout: int = STEP_TIMEOUT) -> dict:
    done = subprocess.run(
        args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{args} failed:\n{done.stderr[-3000:]}")
    return json_of(done.stdout)


def flask(env: dict, *args: str, timeout: int = STEP_TIMEOUT) -> None:
    # bench.app: the app plus the benchmark's own bench-data command.
    cmd = [str(BIN / "flask"), "--app", "bench.app", *args]
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, timeout=timeout)


# ---------------------------------------------------------------- servers


@contextlib.contextmanager
def gunicorn(app: str, env: dict, log: Path, host: str = "127.0.0.1"):
    port = free_port()
    env = {**env, "BIND": f"{host}:{port}"}
    cmd = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", app]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_up(f"http://{host}:{port}", proc)
            yield f"http://{host}:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def wait_up(base: str, proc) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{base}: the server exited")
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"{base}/", timeout=2)
            return
        with contextlib.suppress(Exception):
            urllib.request.urlopen(f"{base}/ping", timeout=2)
            return
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


def wrk(base: str, mode: str, env: dict, data: Path, seconds: int = SECONDS, **extra: str) -> dict:
    wrk_env = {**env, "BENCH_MODE": mode, "BENCH_DATA": str(data)}
    wrk_env.update({f"BENCH_{k.upper()}": v for k, v in extra.items()})
    cmd = [ensure_wrk(), "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s"]
    cmd += ["-s", str(ROOT / "bench/lua/rotate.lua"), base]
    done = subprocess.run(
        cmd, env=wrk_env, capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    result = json_of(done.stdout)
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


# ---------------------------------------------------------------- steps


def load_data(env: dict, label: str) -> None:
    say(f"{label}: migrating and generating district data ({PEOPLE} people)")
    flask(env, "db", "upgrade")
    attempts = PEOPLE * 15 // 2
    flask(env, "bench-data", "--people", str(PEOPLE), "--attempts", str(attempts), "--quiet")


def http_phase(env: dict, label: str, work: Path) -> tuple[dict, list[float]]:
    """The load runs against the app, each head to head with the bare route
    (``head_to_head``), then the pairs of requests compared with each other."""
    prep = run_json(
        [str(BIN / "python"), "bench/inapp.py", "prepare", str(work), str(EXAMINEES)], env
    )
    data = work / "examinees.lua"
    none = work / "none.lua"
    none.write_text("return {{c='', t='', a=0, s=0}}\n")
    plan = [
        ("ping", "app", "get", {"path": "/ping"}),
        ("autosave", "app", "autosave", {}),
        # The anchor beside it: the same saves by a straightforward Flask app
        # (bench/naive_app.py), for autosave_vs_naive.
        ("naive_autosave", "naive", "autosave", {}),
        ("attempt_page", "app", "attempt", {}),
        ("home", "app", "home", {}),
        # The floor under home_ratio: a logged-in page with nothing of its own
        # (bench/shell_app.py's PATH).
        ("shell", "shell", "page", {"path": "/bench/shell"}),
        # The same layout for nobody logged in: what the login costs every page.
        ("shell_anon", "shell", "get", {"path": "/bench/shell-anon"}),
        ("start", "app", "start", {"exam": str(prep["start_exam"])}),
        ("submit", "app", "submit", {}),
    ]
    results = {}
    logs = {name: work / f"gunicorn-{name}-{label}.log" for name in ("app", "shell", "naive")}
    with (
        gunicorn("bench.bare_app:app", env, work / "gunicorn-bare.log") as bare_url,
        gunicorn("wsgi:app", env, logs["app"]) as app_url,
        gunicorn("bench.shell_app:app", env, logs["shell"]) as shell_url,
        gunicorn("bench.naive_app:app", env, logs["naive"]) as naive_url,
    ):
        servers = {"app": app_url, "shell": shell_url, "naive": naive_url}
        runs = {name: (servers[server], mode, data, extra) for name, server, mode, extra in plan}
        runs["bare"] = (bare_url, "get", none, {"path": "/"})
        for name, *_ in plan:
            results[name], results[f"bare/{name}"] = head_to_head(label, name, "bare", runs, env)
        for first, second in PAIRS.values():
            results[f"{first}/{second}"], _ = head_to_head(label, first, second, runs, env)
    bare = [rate for name, r in results.items() if name.startswith("bare/") for rate in r["rates"]]
    if label == "pg":
        with gunicorn("wsgi:app", env, work / "gunicorn-pages.log") as base:
            weigh_pages(base, prep["pages"], work)
        reliability_step.reliability(env, prep, work, sys.modules[__name__])
    results["locked"] = sum(
        log.read_text(errors="replace").count("database is locked") for log in logs.values()
    )
    for name, r in results.items():
        if name != "locked" and "/" not in name:
            say(
                f"{label} {name}: {r['rps']:.0f} req/s, p50 {r['p50_us'] / 1000:.1f} ms, "
                f"p99 {r['p99_us'] / 1000:.1f} ms, ratio {r['ratio']:.3f}"
            )
    return results, bare


def record_http(results: dict, bare: list[float], suffix: str) -> int:
    record("baseline_rps" + suffix, sum(bare) / len(bare), "req/s")
    record("baseline_min_rps" + suffix, min(bare), "req/s")
    record("baseline_max_rps" + suffix, max(bare), "req/s")
    for name, r in results.items():
        if name == "locked" or "/" in name:  # a head-to-head pair: its ratio alone
            continue
        record(f"{name}_rps{suffix}", r["rps"], "req/s")
        record(f"{name}_p50_ms{suffix}", r["p50_us"] / 1000, "ms")
        record(f"{name}_p99_ms{suffix}", r["p99_us"] / 1000, "ms")
    ratio = {n: r["ratio"] for n, r in results.items() if n != "locked" and "ratio" in r}
    record("autosave_ratio" + suffix, ratio["autosave"], "x")
    head = {figure: ratio["/".join(pair)] for figure, pair in PAIRS.items()}
    record("autosave_vs_naive" + suffix, head["autosave_vs_naive"], "x")
    if not suffix:
        record("autosave_p99_ms", results["autosave"]["p99_us"] / 1000, "ms")
    record("app_overhead_ratio" + suffix, ratio["ping"], "x")
    record("home_ratio" + suffix, ratio["home"], "x")
    record("shell_ratio" + suffix, ratio["shell"], "x")
    record("shell_anon_ratio" + suffix, ratio["shell_anon"], "x")
    # The share of a logged-in empty page's time spent on the login (loading the
    # person, their unit and grants; the navigation by permission): 1 - t_anon / t_shell.
    record("login_share" + suffix, 1 - head["login_share"], "x")
    record("home_vs_shell" + suffix, head["home_vs_shell"], "x")
    record("attempt_page_ratio" + suffix, ratio["attempt_page"], "x")
    record("start_ratio" + suffix, ratio["start"], "x")
    record("submit_ratio" + suffix, ratio["submit"], "x")
    record("database_locked" + suffix, results["locked"], "lines")
    return sum(r["errors"] + r["status_errors"] for n, r in results.items() if n != "locked")


# figure: (request, request), each over the other head to head (``head_to_head``).
PAIRS = {
    "autosave_vs_naive": ("autosave", "naive_autosave"),
    "login_share": ("shell", "shell_anon"),
    "home_vs_shell": ("home", "shell"),
}


def head_to_head(label: str, first: str, second: str, runs: dict, env: dict) -> tuple[dict, dict]:
    """``first`` against ``second`` (``runs``: name -> server, mode, data, extra), in
    SLICES alternating slices (first, second, second, first, first, ...: a drift that
    is steady over a few seconds cancels in each pair). Each side's requests a second
    over all its slices, the median of its slices' p50, the worst of their p99, and
    ``ratio``: the median of the pairs' ratios of first over second."""
    say(f"{label}: {first} against {second}, {SLICES} slices of {SLICE_SECONDS}s each")
    slices = {first: [], second: []}
    for turn in range(SLICES):
        for name in (first, second) if turn % 2 == 0 else (second, first):
            base, mode, data, extra = runs[name]
            slices[name].append(wrk(base, mode, env, data, seconds=SLICE_SECONDS, **extra))
    sides = {name: _over_slices(results) for name, results in slices.items()}
    ratios = [a / b for a, b in zip(sides[first]["rates"], sides[second]["rates"], strict=True)]
    sides[first]["ratio"] = statistics.median(ratios)
    say(f"{label}: {first}/{second} " + ", ".join(f"{r:.3f}" for r in ratios))
    return sides[first], sides[second]


def _over_slices(results: list[dict]) -> dict:
    return {
        "rps": sum(r["requests"] for r in results) / (sum(r["duration_us"] for r in results) / 1e6),
        "rates": [r["rps"] for r in results],
        "p50_us": statistics.median(r["p50_us"] for r in results),
        "p99_us": max(r["p99_us"] for r in results),
        "errors": sum(r["errors"] for r in results),
        "status_errors": sum(r["status_errors"] for r in results),
    }


def stats_phase(env: dict, suffix: str) -> None:
    say(f"stats{suffix}: district year overview and one exam by unit")
    result = run_json([str(BIN / "python"), "bench/inapp.py", "stats"], env)
    record("stats_year_s" + suffix, result["stats_year_s"], "s")
    record("stats_exam_s" + suffix, result["stats_exam_s"], "s")


def export_phase(env: dict) -> None:
    py = [str(BIN / "python"), "bench/inapp.py", "export"]
    for rows, tag in ((2000, "2k"), (20000, "20k")):
        say(f"export: {rows} rows, xlsx and csv")
        # Best of three processes, as the stats take the best of five: one run moved
        # by a quarter with the machine's load.
        runs = [run_json([*py, str(rows), "xlsx"], env) for _ in range(3)]
        timed = min(runs, key=lambda r: r["seconds"])
        traced = run_json([*py, str(rows), "xlsx", "trace"], env)
        csv = run_json([*py, str(rows), "csv"], env)
        record(f"xlsx_{tag}_s", timed["seconds"], "s")
        record(f"xlsx_peak_mb_{tag}", traced["peak_mb"], "MB")
        record(f"xlsx_rss_growth_mb_{tag}", timed["rss_growth_mb"], "MB")
        record(f"csv_{tag}_s", csv["seconds"], "s")
    # The floor under xlsx_20k_s: XlsxWriter alone writing the same cells (best of 3),
    # in the constant-memory mode of the download and in its in-memory mode, whose
    # peak grows with the rows (2,000 and 20,000, traced in a run of its own).
    writer = [*py[:-1], "xlsx-writer-only"]
    floor = [run_json([*writer, "20000"], env) for _ in range(3)]
    record("xlsx_writer_only_20k_s", min(r["seconds"] for r in floor), "s")
    record("xlsx_cells_20k", floor[0]["cells"], "cells")
    in_memory = [run_json([*writer, "20000", "in-memory"], env) for _ in range(3)]
    record("xlsx_writer_in_memory_20k_s", min(r["seconds"] for r in in_memory), "s")
    for rows, tag in ((2000, "2k"), (20000, "20k")):
        traced = run_json([*writer, str(rows), "in-memory", "trace"], env)
        record(f"xlsx_writer_in_memory_peak_mb_{tag}", traced["peak_mb"], "MB")
    # The restated targets: the download over XlsxWriter's own time for its cells,
    # and its memory from 2,000 to 20,000 rows.
    record("xlsx_vs_writer_20k", figures["xlsx_20k_s"] / figures["xlsx_writer_only_20k_s"], "x")
    record("xlsx_peak_growth", figures["xlsx_peak_mb_20k"] / figures["xlsx_peak_mb_2k"], "x")


def weigh_pages(base: str, pages: list[str], work: Path) -> None:
    """HTML of each learner page, gzip; first load = the heaviest page + its CSS and JS."""
    person = json.loads((work / "examinees.json").read_text())[0]
    attempt_page = f"/exams/attempts/{person['attempt_id']}"
    heaviest, first_load, requests = 0.0, 0.0, 0
    for page in [*pages, attempt_page]:
        html, kind = fetch(base + page, person["cookie"])
        # A GET route without arguments is not always a page: /favicon.ico answers an
        # image, whose bytes are no text (it broke the run decoding them as UTF-8).
        if html is None or kind.get_content_type() != "text/html":
            continue
        text = html.decode(kind.get_content_charset() or "utf-8")
        assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', text)
        asset_kb = sum(gz_kb(fetch(base + a, "")[0] or b"") for a in set(assets))
        page_kb = gz_kb(html)
        heaviest = max(heaviest, page_kb)
        if page_kb + asset_kb > first_load:
            first_load, requests = page_kb + asset_kb, 1 + len(set(assets))
        say(f"page {page}: {page_kb:.1f} KB gz HTML, {asset_kb:.1f} KB gz assets")
    record("learner_page_max_kb_gz", heaviest, "KB")
    record("learner_first_load_kb_gz", first_load, "KB")
    record("learner_first_load_requests", requests, "requests")


def fetch(url: str, cookie: str) -> tuple[bytes | None, Message]:
    """The body of a 200 answer (else None) and its headers (Content-Type ...)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read() if response.status == 200 else None
            return body, response.headers
    except OSError:
        return None, Message()


def gz_kb(body: bytes) -> float:
    return len(gzip.compress(body, 6)) / 1024


def reliability_only(env: dict, work: Path) -> None:
    """BENCH_ONLY=reliability: data, ``prepare`` and the reliability step alone."""
    import pgserver

    with contextlib.ExitStack() as stack:
        if os.environ.get("BENCH_SKIP_PG") or pgserver.find_bin_dir() is None:
            env = {**env, "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}"}
        else:
            server = stack.enter_context(pgserver.temporary_server())
            env = {**env, "DATABASE_URL": server.url}
        load_data(env, "reliability")
        prep = run_json(
            [str(BIN / "python"), "bench/inapp.py", "prepare", str(work), str(EXAMINEES)], env
        )
        reliability_step.reliability(env, prep, work, sys.modules[__name__])


# ---------------------------------------------------------------- main


def main() -> None:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="yongxi-bench-"))
    base_env = {**os.environ, "SECRET_KEY": secrets.token_urlsafe(48), "PYTHONPATH": str(ROOT)}
    base_env.pop("DATABASE_URL", None)
    try:
        if ONLY == "reliability":
            reliability_only(base_env, work)
        else:
            ensure_wrk()
            errors = sqlite_run(base_env, work)
            errors += pg_run(base_env, work)
            record("errors", errors, "requests")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    record("bench_seconds", time.monotonic() - started, "s")
    report(write=not ONLY)


def sqlite_run(env: dict, work: Path) -> int:
    sub = work / "sqlite"
    sub.mkdir()
    env = {**env, "DATABASE_URL": f"sqlite:///{sub / 'bench.sqlite3'}"}
    load_data(env, "sqlite")
    stats_phase(env, "_sqlite")
    results, bare = http_phase(env, "sqlite", sub)
    return record_http(results, bare, "_sqlite")


def pg_run(env: dict, work: Path) -> int:
    import pgserver

    if os.environ.get("BENCH_SKIP_PG") or pgserver.find_bin_dir() is None:
        say("*** PostgreSQL not found or skipped: PostgreSQL figures are missing ***")
        return 0
    sub = work / "pg"
    sub.mkdir()
    with pgserver.temporary_server() as server:
        env = {**env, "DATABASE_URL": server.url}
        load_data(env, "pg")
        stats_phase(env, "")
        export_phase(env)
        results, bare = http_phase(env, "pg", sub)
        return record_http(results, bare, "")


def report(write: bool = True) -> None:
    """One line per figure; the full run also writes them to bench/last.json."""
    if write:
        out = ROOT / "bench/last.json"
        out.write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n")
    for name, value in figures.items():
        print(f"{name} {value} {units[name]}".rstrip())


if __name__ == "__main__":
    main()
