"""The migrations build, from an empty database, exactly the schema the models describe
(on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set)."""

import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from yongxi_learn import create_app
from yongxi_learn.extensions import db


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


def test_upgrade_from_empty_leaves_nothing_to_autogenerate(
    empty_database_url, tmp_path, monkeypatch
):
    # migrations/env.py loads alembic.ini's logging setup, which would silence the
    # loggers of every test that runs after this one.
    monkeypatch.setattr("logging.config.fileConfig", lambda *args, **kwargs: None)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-prod",
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
        }
    )
    app.instance_path = str(tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == []
