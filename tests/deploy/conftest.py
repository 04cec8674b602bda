"""What the district's deployment needs beside the suite's own database: PostgreSQL
(a SQLite run skips these tests; the PostgreSQL tier runs them) and Redis."""

import os

import pytest

from tests.gunicorn_server import GUNICORN, REDIS_SERVER, running_redis

ON_POSTGRESQL = bool(os.environ.get("TEST_DATABASE_URL"))


def need_postgresql() -> None:
    if not ON_POSTGRESQL:
        pytest.skip("a district runs on PostgreSQL: the PostgreSQL tier runs this test")


def need(tool, what: str) -> None:
    if not tool.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} is missing ({tool}): .ci/run installs it")
        pytest.skip(f"{what} is not installed ({tool})")


@pytest.fixture(scope="module")
def redis_url():
    need_postgresql()
    need(GUNICORN, "gunicorn")
    need(REDIS_SERVER, "redis-server")
    with running_redis() as url:
        yield url
