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
