"""The reliability step of ``make bench`` (bench/run.py passes itself as ``bench``
for its helpers): 500 examinees (bench/reliability.py) over a slow, lossy link
(bench/netem.py) to nginx in front of gunicorn, then the check in the database
(``bench/inapp.py check``)."""

import contextlib
import os
import re
import subprocess
import time
from pathlib import Path
from types import ModuleType

import netem

PEOPLE = 500
DELAY_MS = int(os.environ.get("BENCH_NET_DELAY_MS", "200"))
LOSS = float(os.environ.get("BENCH_NET_LOSS", "0.01"))


def reliability(env: dict, prep: dict, work: Path, bench: ModuleType) -> None:
    """500 examinees over a slow, lossy link (bench/netem.py) to nginx in front of
    their own gunicorn; without root or ``ip netns``, straight to gunicorn on
    127.0.0.1 with the client's own faults only."""
    started = time.monotonic()
    log = work / "gunicorn-reliability.log"
    try:
        with netem.lossy_link(DELAY_MS, LOSS) as link:
            bench.say(
                f"reliability: {PEOPLE} examinees, {link.kind}: delay "
                f"{DELAY_MS} ms and loss {LOSS:.0%} each way, in {link.netns}"
            )
            with (
                bench.gunicorn("wsgi:app", env, log) as upstream,
                nginx(upstream, link.server_ip, work, bench) as base,
            ):
                summary = examinees(base, env, prep, work, link.exec_prefix(), bench)
            bench.record("reliability_netem", 1, "")
            bench.record("reliability_tc_netem", int(link.kind == "tc netem"), "")
            bench.record("reliability_net_delay_ms", DELAY_MS, "ms each way")
            bench.record("reliability_net_loss_pct", LOSS * 100, "% each way")
            if link.wire:
                bench.record("reliability_packets_lost", link.wire.dropped, "packets")
                bench.record("reliability_packets_passed", link.wire.passed, "packets")
    except netem.NoLink as exc:
        bench.say(
            f"*** reliability WITHOUT a lossy network ({exc}): 127.0.0.1, client faults only ***"
        )
        with bench.gunicorn("wsgi:app", env, log) as base:
            summary = examinees(base, env, prep, work, [], bench)
        bench.record("reliability_netem", 0, "")
    exam = str(prep["reliability_exam"])
    checked = bench.run_json(
        [str(bench.BIN / "python"), "bench/inapp.py", "check", exam, str(work / "sent.json")], env
    )
    logs = [log, work / "nginx-access.log"]  # a 5xx of gunicorn is in both: the larger
    logged_5xx = max(
        len(re.findall(r'" 5\d\d ', p.read_text(errors="replace"))) for p in logs if p.exists()
    )
    bench.say(f"reliability: client {summary}, check {checked}")
    record_reliability(bench.record, summary, checked, logged_5xx, time.monotonic() - started)


def examinees(
    base: str, env: dict, prep: dict, work: Path, prefix: list[str], bench: ModuleType
) -> dict:
    args = [*prefix, str(bench.BIN / "python"), "bench/reliability.py", base]
    args += [str(prep["reliability_exam"]), str(work / "examinees.json"), str(work / "sent.json")]
    args += ["--people", str(PEOPLE), "--questions", str(prep["paper_size"])]
    return bench.run_json(args, env, timeout=bench.STEP_TIMEOUT)


def record_reliability(
    record, summary: dict, checked: dict, logged_5xx: int, seconds: float
) -> None:
    record("reliability_examinees", summary["examinees"], "people")
    record("reliability_submitted", summary["submitted"], "attempts")
    record("reliability_answers", summary["answers"], "answers")
    record("reliability_requests", summary["requests"], "requests")
    record("reliability_retries", summary["retries"], "requests")
    record("reliability_timeouts", summary["timeouts"], "requests")
    record("reliability_gave_up", summary["gave_up"], "requests")
    record("reliability_server_errors", max(summary["server_errors"], logged_5xx), "responses")
    record("reliability_late_saves_accepted", summary["late_accepted"], "requests")
    record("reliability_save_p50_s", summary["save_p50_s"], "s")
    record("reliability_save_p99_s", summary["save_p99_s"], "s")
    record("reliability_save_max_s", summary["save_max_s"], "s")
    record("reliability_client_s", summary["seconds"], "s")
    record("reliability_s", seconds, "s")
    record("lost_answers", checked["lost_answers"], "answers")
    record("double_scores", checked["double_scores"], "attempts")
    record("reliability_extra_attempts", checked["extra_attempts"], "attempts")
    record("reliability_unscored", checked["unscored"], "attempts")
    record("reliability_score_mismatch", checked["score_mismatch"], "attempts")


NGINX_CONF = """worker_processes 1;
daemon off;
user root;
pid {work}/nginx.pid;
events {{ worker_connections 4096; }}
http {{
    access_log {work}/nginx-access.log;
    client_body_temp_path {work}/nginx-body;
    proxy_temp_path {work}/nginx-proxy;
    fastcgi_temp_path {work}/nginx-fastcgi;
    uwsgi_temp_path {work}/nginx-uwsgi;
    scgi_temp_path {work}/nginx-scgi;
    server {{
        listen {listen};
        location / {{
            proxy_pass {upstream};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 120s;
        }}
    }}
}}
"""


@contextlib.contextmanager
def nginx(upstream: str, host: str, work: Path, bench: ModuleType):
    """nginx in front of gunicorn as in production (docs/deploy.md): it holds the
    slow connections, so a sync worker never waits on the network."""
    listen = f"{host}:{bench.free_port()}"
    conf = work / "nginx.conf"
    conf.write_text(NGINX_CONF.format(work=work, listen=listen, upstream=upstream))
    cmd = [bench.ensure_tool("nginx", "nginx-light"), "-p", str(work), "-c", str(conf)]
    cmd += ["-e", str(work / "nginx-error.log")]
    proc = subprocess.Popen(cmd, cwd=work, stderr=subprocess.DEVNULL)
    try:
        bench.wait_up(f"http://{listen}", proc)
        yield f"http://{listen}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
