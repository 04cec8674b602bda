"""Fixtures: a fresh database per test (SQLite, or PostgreSQL via TEST_DATABASE_URL),
the app, a client, factories for units and people, and a login helper."""

import os
import re
from itertools import count

import pytest
import sqlalchemy as sa

from yongxi_learn import create_app
from yongxi_learn.extensions import db
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


@pytest.fixture
def app(db_url, app_config, tmp_path):
    app = create_app(_config(db_url, **app_config))
    app.instance_path = str(tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = db.metadata.sorted_tables
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
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


__all__ = ["PASSWORD", "OrgUnit", "count_rows", "csrf_token"]
