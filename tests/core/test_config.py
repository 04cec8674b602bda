"""Configuration: the generated secret key, production checks, the embedded SQLite."""

import os
import stat

import pytest
import sqlalchemy as sa
from flask import Flask

from yongxi_learn import config, create_app
from yongxi_learn.extensions import db

LONG_KEY = "k" * 48


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """The instance folder create_app will use (never the real one)."""
    path = tmp_path / "instance"
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(path))
    for name in ("DATABASE_URL", "SECRET_KEY", "YONGXI_PRODUCTION", "SESSION_COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)
    return path


def make_app(**settings):
    app = create_app({"TESTING": True, **settings})
    with app.app_context():
        db.engine.dispose()
    return app


def test_missing_secret_key_is_generated_into_the_instance_folder(instance):
    app = make_app(SQLALCHEMY_DATABASE_URI="sqlite://")
    key_file = instance / "secret_key"
    assert key_file.read_text().strip() == app.config["SECRET_KEY"]
    assert len(app.config["SECRET_KEY"]) >= config.MIN_SECRET_KEY_LENGTH
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_generated_secret_key_is_reused_by_the_next_app(instance):
    first = make_app(SQLALCHEMY_DATABASE_URI="sqlite://")
    second = make_app(SQLALCHEMY_DATABASE_URI="sqlite://")
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert [p.name for p in instance.iterdir() if "secret" in p.name] == ["secret_key"]


def test_secret_key_from_the_environment_wins(instance, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", LONG_KEY)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app()
    assert app.config["SECRET_KEY"] == LONG_KEY
    assert not (instance / "secret_key").exists()


def test_production_refuses_to_start_with_a_short_secret_key(instance):
    with pytest.raises(RuntimeError, match="SECRET_KEY is too short for production"):
        make_app(PRODUCTION=True, SECRET_KEY="short", SQLALCHEMY_DATABASE_URI="sqlite://")


def test_production_set_in_the_environment_refuses_a_short_key(instance, monkeypatch):
    monkeypatch.setenv("YONGXI_PRODUCTION", "1")
    monkeypatch.setenv("SECRET_KEY", "changeme")
    with pytest.raises(RuntimeError, match="too short"):
        create_app()


def test_production_starts_with_a_long_secret_key(instance):
    app = make_app(PRODUCTION=True, SECRET_KEY=LONG_KEY, SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.config["PRODUCTION"]


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@db/yongxi", "postgresql+psycopg://u:p@db/yongxi"),
        ("postgresql://u@db/yongxi", "postgresql+psycopg://u@db/yongxi"),
        ("postgresql+psycopg://u@db/yongxi", "postgresql+psycopg://u@db/yongxi"),
    ],
)
def test_database_url_from_the_environment_uses_psycopg_3(monkeypatch, given, used):
    monkeypatch.setenv("DATABASE_URL", given)
    assert config.from_environment()["SQLALCHEMY_DATABASE_URI"] == used


def test_default_database_is_sqlite_in_the_instance_folder(instance):
    app = make_app(SECRET_KEY=LONG_KEY)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'yongxi_learn.sqlite3'}"


def test_default_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(instance):
    app = make_app(SECRET_KEY=LONG_KEY)
    with app.app_context(), db.engine.connect() as conn:
        pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == app.config["SQLITE_BUSY_TIMEOUT_S"] * 1000 > 0
        db.engine.dispose()
    assert (instance / "yongxi_learn.sqlite3").exists()


def test_sqlite_enforces_foreign_keys(instance):
    app = make_app(SECRET_KEY=LONG_KEY)
    with app.app_context():
        db.create_all()
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO org_unit (name, kind, parent_id, path, sort_order, active, "
                    "created_at) VALUES ('x', 'town', 999, '', 0, 1, '2024-01-01')"
                )
            )
        db.engine.dispose()


def test_request_bodies_are_limited_by_default():
    assert 0 < config.Config.MAX_CONTENT_LENGTH <= 16 * 1024 * 1024


def test_secret_key_file_is_private_even_with_a_permissive_umask(tmp_path):
    old = os.umask(0)
    try:
        config.load_secret_key(str(tmp_path))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
