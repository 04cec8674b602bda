"""The embedded SQLite database, its -wal and -shm files, its backups and the
instance folder are private to the server's user, whatever the umask (issue #22)."""

import os
import stat

import pytest
import sqlalchemy as sa
from flask import Flask

from yongxi_learn import create_app
from yongxi_learn.core import backup_cli
from yongxi_learn.extensions import db

LONG_KEY = "k" * 48


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """A fresh instance folder, and the umask of a typical server (022)."""
    path = tmp_path / "instance"
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    old = os.umask(0o022)
    yield path
    os.umask(old)


@pytest.fixture
def embedded(instance):
    """An app on the default SQLite file, its tables created and one row written."""
    app = create_app({"TESTING": True, "SECRET_KEY": LONG_KEY})
    with app.app_context():
        db.create_all()
        db.session.execute(sa.text("INSERT INTO site_setting (key, value) VALUES ('k', 'v')"))
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_database_wal_and_shm_files_are_private_after_a_write(embedded, instance):
    database = instance / "yongxi_learn.sqlite3"
    with db.engine.connect() as conn:  # an open connection keeps -wal and -shm in place
        conn.exec_driver_sql("SELECT 1").scalar()
        files = [database, *(instance / f"yongxi_learn.sqlite3{end}" for end in ("-wal", "-shm"))]
        assert {path.name: _mode(path) for path in files} == {path.name: 0o600 for path in files}


def test_instance_folder_is_not_readable_by_others(embedded, instance):
    assert _mode(instance) & 0o077 == 0


def test_backup_is_private_while_written_and_after(embedded, tmp_path, monkeypatch):
    out = tmp_path / "backup.sqlite3"
    seen = []
    copy = backup_cli.copy_database

    def copy_and_look(source, target):
        seen.append(_mode(out.with_name(out.name + ".part")))
        copy(source, target)

    monkeypatch.setattr(backup_cli, "copy_database", copy_and_look)
    result = embedded.test_cli_runner().invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert seen == [0o600]
    assert _mode(out) == 0o600
