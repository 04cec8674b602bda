"""The live tier's world: the test database filled with the demo data by the real
``seed-demo`` command, a real gunicorn serving it, a report draft made through the real
form for the town and for the 单位管理员's village (so each role has one to download), and
each demo login's crawl, made once per module and shared by the tests that read it.

The tier uses the suite's database (SQLite or PostgreSQL, as the run is) and leaves it
empty, as every other test does."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from tests.conftest import _empty_tables
from tests.gunicorn_server import Browser, Server, running_gunicorn
from tests.live import minutes
from tests.live.crawl import Crawl, crawl
from yongxi_learn import create_app
from yongxi_learn.exams.models import Exam
from yongxi_learn.extensions import db
from yongxi_learn.org import seed
from yongxi_learn.org.models import Role, RoleGrant
from yongxi_learn.study.reading_models import ReadingProgress

# "  管理员, 赵静明, 13923000195, CkrwNc49de": a login as seed-demo prints it.
LOGIN_LINE = re.compile(r"^\s+(\S+), (\S+), (\d{11}), (\S+)$", re.MULTILINE)


@dataclass
class Demo:
    logins: dict[str, tuple[str, str]]  # role label: (phone, password)
    year: int
    report_units: list[int]  # the town, and the 单位管理员's unit
    app: object  # the app that loaded it (its URL map names the links followed)


@pytest.fixture(scope="module")
def demo(db_url, tmp_path_factory):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": db_url,
            "SECRET_KEY": "live-tier-seeding-key-long-enough-0123456789",
            # The demo's ~200 initial passwords: a fast hash (the server checks any).
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    # The logins file seed-demo writes goes here, never to the developer's instance/.
    app.instance_path = str(tmp_path_factory.mktemp("live-instance"))
    with app.app_context():
        _empty_tables()
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, f"seed-demo failed:\n{result.output}\n{result.exception!r}"
        logins = {m[0]: (m[2], m[3]) for m in LOGIN_LINE.findall(result.output)}
        # Every reading's heartbeat time one figure, looked for on admin pages (minutes.py).
        db.session.execute(sa.update(ReadingProgress).values(counted_ms=minutes.PLANTED_MS))
        db.session.commit()
        demo = Demo(logins, _demo_year(), _report_units(), app)
        db.session.remove()
        db.engine.dispose()
    yield demo
    with app.app_context():
        _empty_tables()
        db.engine.dispose()


def _demo_year() -> int:
    return db.session.scalar(sa.select(sa.func.max(Exam.year)))


def _report_units() -> list[int]:
    unit_admin_unit = db.session.scalar(
        sa.select(RoleGrant.unit_id).where(RoleGrant.role == Role.UNIT_ADMIN)
    )
    return [seed.demo_town().id, unit_admin_unit]


@pytest.fixture(scope="module")
def server(demo, db_url, tmp_path_factory):
    # make run's own settings (threaded workers, compression): what a pilot serves.
    with running_gunicorn(
        db_url, tmp_path_factory.mktemp("live-gunicorn"), project_config=True
    ) as running:
        admin = log_in(running, demo, "管理员")
        for unit_id in demo.report_units:
            admin.get("/admin/reports/")
            reply = admin.post("/admin/reports/", form={"unit_id": unit_id, "year": demo.year})
            assert reply.status == 302, f"no report draft for unit {unit_id}:\n{reply.text}"
        yield running


def log_in(server: Server, demo: Demo, role: str) -> Browser:
    browser = Browser(server.url)
    reply = browser.log_in(*demo.logins[role])
    assert reply.status == 302, f"{role} cannot log in through the login form:\n{reply.text}"
    return browser


@pytest.fixture(scope="module")
def crawl_as(server, demo) -> Callable[[str], Crawl]:
    done: dict[str, Crawl] = {}

    def crawled(role: str) -> Crawl:
        if role not in done:
            done[role] = crawl(log_in(server, demo, role), role)
        return done[role]

    return crawled
