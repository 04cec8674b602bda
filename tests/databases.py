"""An empty database beside the suite's own (SQLite file, or a sibling PostgreSQL
database), for the tests that build a schema through the migrations."""

import os

import pytest
import sqlalchemy as sa


@pytest.fixture
def empty_database_url(tmp_path):
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    # The suite's own database already holds create_all()'s tables: use a sibling one.
    url = sa.make_url(base)
    name = f"{url.database}_migrations"
    server = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with server.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server.dispose()


def migration_app(url: str, tmp_path, monkeypatch):
    """An app on the empty database ``url``, for running the migrations themselves.

    migrations/env.py loads alembic.ini's logging setup, which would silence the
    loggers of every test that runs after one that migrates."""
    from yongxi_learn import create_app

    monkeypatch.setattr("logging.config.fileConfig", lambda *args, **kwargs: None)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-prod",
            "SQLALCHEMY_DATABASE_URI": url,
        }
    )
    app.instance_path = str(tmp_path)
    return app
