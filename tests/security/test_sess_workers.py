"""Against a real gunicorn with 2 workers: the account lockout lives in the database,
so it holds whichever worker answers; the per-address limit is counted by all
workers together with the default store (the database) and with Redis, and per
worker only with ``memory://`` named explicitly."""

import os
import threading

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD
from tests.gunicorn_server import (
    GUNICORN,
    REDIS_SERVER,
    Browser,
    running_gunicorn,
    running_redis,
)
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog

pytestmark = pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed")

PER_WORKER_LIMIT = 4
# Per day, not per minute: a fixed window that rolled over mid-test would let a second
# allowance through and fail the exact counts below.
LIMIT = f"{PER_WORKER_LIMIT} per day"


@pytest.fixture(scope="module")
def server(db_url, tmp_path_factory):
    env = {
        "LOGIN_RATE_LIMIT": LIMIT,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Behind a proxy: each test comes from an address of its own.
        "PROXY_FIX_X_FOR": "1",
        # Wrong passwords for one phone from every address together lock after 5.
        "LOGIN_ACCOUNT_LOCK_THRESHOLD": "5",
    }
    with running_gunicorn(db_url, tmp_path_factory.mktemp("gunicorn"), **env) as running:
        yield running


@pytest.fixture(scope="module")
def default_server(db_url, tmp_path_factory):
    """The embedded default: no RATELIMIT_STORAGE_URI at all."""
    env = {"LOGIN_RATE_LIMIT": LIMIT, "PROXY_FIX_X_FOR": "1"}
    with running_gunicorn(db_url, tmp_path_factory.mktemp("default"), **env) as running:
        yield running


def wrong_logins_in_parallel(server, phone: str, addresses: list[str]) -> list[int]:
    statuses: list[int] = []

    def attempt(address):
        browser = Browser(server.url, {"X-Forwarded-For": address})
        statuses.append(browser.log_in(phone, "WrongPass999").status)

    threads = [threading.Thread(target=attempt, args=(a,)) for a in addresses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def wrong_logins_reaching_both_workers(server, phone: str, address: str) -> list[int]:
    """Bursts of parallel wrong logins from one address until both workers have
    answered some (a quick 429 lets one worker take a whole burst now and then)."""
    statuses: list[int] = []
    for _ in range(8):
        statuses += wrong_logins_in_parallel(server, phone, [address] * 3 * PER_WORKER_LIMIT)
        if len(server.answered_by("POST", "/login")) == 2:
            return statuses
    raise AssertionError("one gunicorn worker answered every request")


def audit_count(action: str, result: str) -> int:
    count = db.session.scalar(
        sa.select(sa.func.count()).where(AuditLog.action == action, AuditLog.result == result)
    )
    db.session.commit()
    return count


def test_lockout_holds_across_workers(app, server, make_user, tree):
    phone = make_user("王锁定", tree["office"]).phone
    db.session.commit()  # end the test's own SQLite transaction before the server writes
    # 5 wrong passwords sent at once, from 5 addresses (so no address limit
    # applies), reach both workers; the 5th locks the number for new browsers.
    statuses = wrong_logins_in_parallel(server, phone, [f"10.0.1.{i}" for i in range(5)])
    assert statuses == [200] * 5
    assert audit_count("lockout", "locked") == 1
    for _ in range(2):  # whichever worker answers, the right password is refused now
        page = Browser(server.url, {"X-Forwarded-For": "10.0.0.3"}).log_in(phone, PASSWORD)
        assert page.status == 200 and "账号已临时锁定" in page.text


def test_memory_rate_limit_is_counted_per_worker(app, server, make_user, tree):
    phone = make_user("赵限流", tree["office"]).phone
    db.session.commit()
    statuses = wrong_logins_reaching_both_workers(server, phone, "10.0.0.2")
    let_through = statuses.count(200)
    # One counter would let 4 through; each of the 2 workers keeps its own, so 4 to 8.
    assert PER_WORKER_LIMIT <= let_through <= 2 * PER_WORKER_LIMIT
    assert statuses.count(429) == len(statuses) - let_through


def test_default_rate_limit_is_counted_by_all_workers_together(
    app, default_server, make_user, tree
):
    phone = make_user("孙默认", tree["office"]).phone
    db.session.commit()
    statuses = wrong_logins_reaching_both_workers(default_server, phone, "10.0.0.4")
    assert statuses.count(200) == PER_WORKER_LIMIT
    assert statuses.count(429) == len(statuses) - PER_WORKER_LIMIT


@pytest.fixture(scope="module")
def redis_backed_server(db_url, tmp_path_factory):
    if not REDIS_SERVER.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is missing: .ci/run installs Debian's redis-server")
        pytest.skip("redis-server is not installed (Debian: redis-server)")
    with running_redis() as storage:
        env = {
            "LOGIN_RATE_LIMIT": LIMIT,
            "RATELIMIT_STORAGE_URI": storage,
            "PROXY_FIX_X_FOR": "1",
        }
        with running_gunicorn(db_url, tmp_path_factory.mktemp("redis"), **env) as running:
            yield running


def test_redis_rate_limit_is_counted_by_all_workers_together(
    app, redis_backed_server, make_user, tree
):
    phone = make_user("钱共享", tree["office"]).phone
    db.session.commit()
    statuses = wrong_logins_reaching_both_workers(redis_backed_server, phone, "10.0.0.4")
    # Both workers answered, and one counter in Redis let exactly the limit through
    # (counting alone, the worker that came second would have let its own 4 through).
    assert statuses.count(200) == PER_WORKER_LIMIT
    assert statuses.count(429) == len(statuses) - PER_WORKER_LIMIT
    # Another address has its own allowance.
    other = wrong_logins_in_parallel(redis_backed_server, phone, ["10.0.0.5"])
    assert other == [200]
