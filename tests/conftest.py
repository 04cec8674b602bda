"""Fixtures: a fresh database per test (SQLite, or PostgreSQL via TEST_DATABASE_URL),
the app, a client, factories for units and people, and a login helper."""

import contextvars
import os
import re
from itertools import count

import jinja2
import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient, FlaskCliRunner

from yongxi_learn import create_app
from yongxi_learn.extensions import db, limiter
from yongxi_learn.org import services
from yongxi_learn.org.models import Category, OrgUnit, Role, RoleGrant, UnitKind, User
from yongxi_learn.org.names import pinyin_key

PASSWORD = "Passw0rd2024"
_phones = count(13700000001)


def database_url(tmp_dir) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def db_url(tmp_path_factory):
    url = database_url(tmp_path_factory.mktemp("db"))
    app = create_app(_config(url))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return url


def _config(url: str, **overrides) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-prod",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "RATELIMIT_STORAGE_URI": "memory://",
        **overrides,
    }


@pytest.fixture
def app_config():
    """Override per test module: ``@pytest.fixture def app_config(): return {...}``."""
    return {}


_APPS: dict[tuple, object] = {}


@pytest.fixture
def app(request, db_url, app_config, tmp_path):
    """The app, shared by the tests with the same ``app_config`` (building one costs
    ~0.1 s, mostly Werkzeug compiling 120 URL rules: a third of the run). Each test
    gets its config back as it was, an empty rate-limit store and its own instance
    folder. ``@pytest.mark.fresh_app`` gives a test an app of its own (to add a route)."""
    key = (db_url, repr(sorted(app_config.items())))
    fresh = request.node.get_closest_marker("fresh_app") is not None
    app = None if fresh else _APPS.get(key)
    if app is None:
        app = create_app(_config(db_url, **app_config))
        app.test_client_class = ServerLikeClient
        app.test_cli_runner_class = ServerLikeCliRunner
        app.jinja_env.bytecode_cache = _TEMPLATE_CACHE
        _share_engine(app)
        if not fresh:
            _APPS[key] = app
    saved = app.config.copy()
    app.instance_path = str(tmp_path)
    app.extensions.pop("yongxi_demo", None)
    limiter.reset()
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()
    app.config.clear()
    app.config.update(saved)


def _truncate_used(conn, tables) -> None:
    """TRUNCATE rewrites every table it names, so name only those a test filled (one
    query finds them), then restart every id sequence (one more): ids start at 1 again."""
    probes = ", ".join(f'EXISTS (SELECT 1 FROM "{t.name}") AS "{t.name}"' for t in tables)  # noqa: S608
    row = conn.exec_driver_sql(f"SELECT {probes}").mappings().one()
    used = [name for name, filled in row.items() if filled]
    if used:
        names = ", ".join(f'"{name}"' for name in used)
        conn.exec_driver_sql(f"TRUNCATE {names} CASCADE")
    sequences = (
        conn.exec_driver_sql(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"
            " AND last_value IS NOT NULL"
        )
        .scalars()
        .all()
    )
    if sequences:
        resets = ", ".join(f"setval('\"{name}\"', 1, false)" for name in sequences)
        conn.exec_driver_sql(f"SELECT {resets}")


def _empty_tables() -> None:
    tables = db.metadata.sorted_tables
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            _truncate_used(conn, tables)
        else:
            for table in reversed(tables):
                conn.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_unit():
    def make(name, kind=UnitKind.OFFICE, parent=None):
        unit = services.create_unit(name, kind, parent, actor=services.SYSTEM)
        db.session.commit()
        return unit

    return make


@pytest.fixture
def tree(make_unit):
    """大足区 → 雍溪镇 → 党政办公室, 司法所, 石佛村, 红岩村; and 另一镇 → 某村."""
    district = make_unit("大足区", UnitKind.DISTRICT)
    town = make_unit("雍溪镇", UnitKind.TOWN, district)
    other_town = make_unit("宝顶镇", UnitKind.TOWN, district)
    return {
        "district": district,
        "town": town,
        "office": make_unit("党政办公室", UnitKind.OFFICE, town),
        "justice": make_unit("司法所", UnitKind.OFFICE, town),
        "village": make_unit("石佛村", UnitKind.VILLAGE, town),
        "village2": make_unit("红岩村", UnitKind.VILLAGE, town),
        "other_town": other_town,
        "other_village": make_unit("宝林村", UnitKind.VILLAGE, other_town),
    }


@pytest.fixture
def make_user(app):
    from yongxi_learn.auth.passwords import hash_password

    def make(
        name="张三",
        unit=None,
        category=Category.OFFICIAL,
        password=PASSWORD,
        roles=(),
        phone=None,
        must_change_password=False,
        active=True,
    ):
        user = User(
            name=name,
            name_sort=pinyin_key(name),
            phone=phone or str(next(_phones)),
            unit=unit,
            category=category,
            post="",
            password_hash=hash_password(password),
            must_change_password=must_change_password,
            active=active,
        )
        db.session.add(user)
        for role, scope in roles:
            user.grants.append(RoleGrant(role=role, unit=scope))
        db.session.commit()
        return user

    return make


@pytest.fixture
def admin(make_user, tree):
    return make_user("管理员甲", tree["justice"], roles=[(Role.ADMIN, tree["town"])])


@pytest.fixture
def unit_admin(make_user, tree):
    return make_user("村管理员", tree["village"], roles=[(Role.UNIT_ADMIN, tree["village"])])


@pytest.fixture
def login(client):
    """Log in through the real login form; returns the response after redirects."""

    def do(user, password=PASSWORD, client=client):
        return client.post(
            "/login", data={"phone": user.phone, "password": password}, follow_redirects=True
        )

    return do


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


def count_rows(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def statements_for(client, url: str) -> int:
    """How many statements a GET of ``url`` sends, its session emptied first (as a
    request's in production): what a page costs, whatever the test loaded before."""
    db.session.remove()
    sent = []

    def record(*args):
        sent.append(args[2])

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return len(sent)


__all__ = ["PASSWORD", "OrgUnit", "count_rows", "csrf_token", "statements_for"]


# ---------------------------------------------------------------- appended: isolation, speed, roles


class ServerLikeClient(FlaskClient):
    """A test client whose every request runs as a server runs it.

    The ``app`` fixture keeps an app context pushed for the test's own set-up and
    checks; Flask would reuse it for test requests, sharing its ``g`` and its database
    session, so an object a view loaded stayed attached after the response returned and
    a streamed body ran with the request's session still open. Here each request starts
    from an empty context: it pushes an app context and a session of its own and closes
    them before its body is read, as in gunicorn; the body is read right after, still
    outside the test's context. What the test set up is committed first (a request sees
    only committed rows), which also expires what the test loaded, so it reads afresh.
    """

    def open(self, *args, **kwargs):
        if not has_app_context():  # a redirect followed: already out of the test's context
            return super().open(*args, **kwargs)
        db.session.commit()
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


class ServerLikeCliRunner(FlaskCliRunner):
    """A CLI command runs as ``flask --app yongxi_learn …`` runs it, after the test's
    set-up is committed: in an app context of its own, with its own session."""

    def invoke(self, *args, **kwargs):
        db.session.commit()
        return contextvars.Context().run(self._invoke_in_own_context, *args, **kwargs)

    def _invoke_in_own_context(self, *args, **kwargs):
        with self.app.app_context():  # what the flask command's group pushes
            return super().invoke(*args, **kwargs)


class _MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates shared by the many apps of a run (a source change still
    recompiles: Jinja checks the checksum). Compiling them anew cost each test ~40 ms."""

    def __init__(self):
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self._store:
            bucket.bytecode_from_string(self._store[bucket.key])

    def dump_bytecode(self, bucket):
        self._store[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CACHE = _MemoryBytecodeCache()
_ENGINES: dict[tuple, sa.Engine] = {}


def _share_engine(app) -> None:
    """Give the app the engine of the run's first app with the same engine settings.

    SQLAlchemy caches compiled SQL per engine, and a fresh engine per test compiled
    every statement again: half the run time. Flask-SQLAlchemy has no public way to
    hand an app an existing engine, hence its private mapping (a no-op if it is gone).
    The app fixture's dispose() only closes pooled connections; the engine lives on.
    """
    engines = getattr(db, "_app_engines", {}).get(app)
    if not engines or None not in engines:
        return
    # Apps configured differently (app_config) get an engine of their own.
    key = (str(engines[None].url), repr(sorted(app.config["SQLALCHEMY_ENGINE_OPTIONS"].items())))
    shared = _ENGINES.setdefault(key, engines[None])
    if shared is not engines[None]:
        engines[None].dispose()
        engines[None] = shared


@pytest.fixture(autouse=True)
def _app_first(request):
    """A test using ``app`` gets it (and its app context) before any other fixture."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app")


@pytest.fixture
def reviewer(make_user, tree):
    """审阅人 over 雍溪镇: sees its people, changes nothing."""
    return make_user("审阅人乙", tree["district"], roles=[(Role.REVIEWER, tree["town"])])


@pytest.fixture
def learner(make_user, tree):
    """A person without any role (学员 only)."""
    return make_user("学员丙", tree["village"], category=Category.VILLAGE_CADRE)


# ---------------------------------------------------------------- appended: the browser


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run, shared by tests/e2e and the accessibility audit in
    tests/live: Playwright's sync API cannot start a second one while the first runs."""
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, _require_chromium

    _require_chromium()
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()
