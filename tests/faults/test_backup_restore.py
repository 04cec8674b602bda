"""``backup`` copies the SQLite database consistently while answers are being saved;
``restore`` checks what it is given and refuses to overwrite without --yes."""

import os
import sqlite3
import threading
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import stamp

from tests.conftest import _config
from tests.exams import conftest as exam_fixtures
from yongxi_learn import create_app
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams import attempts
from yongxi_learn.exams.models import Attempt
from yongxi_learn.extensions import db

make_question, bank, make_exam = (
    exam_fixtures.make_question,
    exam_fixtures.bank,
    exam_fixtures.make_exam,
)
cadre, other, exam = exam_fixtures.cadre, exam_fixtures.other, exam_fixtures.exam

ON_POSTGRESQL = bool(os.environ.get("TEST_DATABASE_URL"))
sqlite_only = pytest.mark.skipif(ON_POSTGRESQL, reason="the SQLite backup; PostgreSQL: pg_dump")
SAVES = 120


def test_on_postgresql_backup_points_to_pg_dump(runner, tmp_path):
    if not ON_POSTGRESQL:
        pytest.skip("the suite runs on SQLite")
    result = runner.invoke(args=["backup", "--out", str(tmp_path / "b.sqlite3")])
    assert result.exit_code != 0 and "pg_dump" in result.output


def _autosave(app, attempt_id: int, user_id: int, base, errors: list) -> None:
    """Save answers 1..SAVES round the paper: save s goes to position (s-1) % n + 1,
    answered at base + s seconds."""
    try:
        with app.app_context():
            attempt = db.session.get(Attempt, attempt_id)
            user, n = attempt.user, len(attempt.questions)
            for s in range(1, SAVES + 1):
                now = base + timedelta(seconds=s)
                attempts.save_answer(attempt, user, (s - 1) % n + 1, "A", now)
                db.session.commit()
            db.session.remove()
    except Exception as exc:  # pragma: no cover - reported by the test
        errors.append(exc)


def _save_number(answered_at, base) -> int:
    """Which save an answer time belongs to (save s is answered at base + s seconds)."""
    if answered_at is None:
        return 0
    when = datetime.fromisoformat(answered_at)
    return round((when - base).total_seconds())


def _check_consistent(path, attempt_ids, base) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        for attempt_id in attempt_ids:
            rows = conn.execute(
                "SELECT position, version, answered_at FROM attempt_question "
                "WHERE attempt_id = ? ORDER BY position",
                (attempt_id,),
            ).fetchall()
            assert len(rows) == 9
            newest = max((_save_number(answered_at, base) for *_, answered_at in rows), default=0)
            for position, version, answered_at in rows:
                # The snapshot holds every save up to the newest one, and no other.
                mine = [s for s in range(1, newest + 1) if (s - 1) % 9 + 1 == position]
                assert version == len(mine)
                if mine:
                    assert _save_number(answered_at, base) == mine[-1]
    finally:
        conn.close()


@pytest.fixture(autouse=True)
def _keep_loggers(monkeypatch):
    # stamp() runs migrations/env.py, whose logging set-up (alembic.ini) would silence
    # the loggers of every test that runs after this module (the audit log's too).
    monkeypatch.setattr("logging.config.fileConfig", lambda *args, **kwargs: None)


@sqlite_only
def test_backup_during_concurrent_autosaves_restores_a_consistent_database(
    app, runner, tmp_path, exam, cadre, other, db_url
):
    stamp()  # the test database is built by create_all: give it the current revision
    now = utcnow()
    started = [attempts.start_attempt(exam, person, now) for person in (cadre, other)]
    db.session.commit()
    ids = [(a.id, a.user_id) for a in started]
    db.session.commit()  # end the read above: it holds SQLite's write lock (BEGIN IMMEDIATE)
    base = now.replace(microsecond=0)
    errors: list = []
    threads = [
        threading.Thread(target=_autosave, args=(app, aid, uid, base, errors)) for aid, uid in ids
    ]
    for thread in threads:
        thread.start()
    backups = []
    while any(t.is_alive() for t in threads) and len(backups) < 5:
        out = tmp_path / f"backup{len(backups)}.sqlite3"
        result = runner.invoke(args=["backup", "--out", str(out)])
        assert result.exit_code == 0, result.output
        backups.append(out)
    for thread in threads:
        thread.join()
    assert not errors
    assert backups, "the saves finished before any backup"
    assert oct(backups[0].stat().st_mode & 0o777) == "0o600"

    restored_url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    restored_app = create_app(_config(restored_url))
    restored_app.instance_path = str(tmp_path)
    result = invoke(restored_app, "restore", "--from", str(backups[-1]))
    assert result.exit_code == 0, result.output
    assert "已从" in result.output
    _check_consistent(tmp_path / "restored.sqlite3", [i for i, _ in ids], base)
    for backup in backups:
        _check_consistent(backup, [i for i, _ in ids], base)
    with restored_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 2
        db.engine.dispose()


def invoke(app, *args, **kwargs):
    # The app fixture keeps another app's context pushed; the command must see this one.
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args), **kwargs)


@pytest.fixture
def target(tmp_path):
    """An app on a SQLite file of its own, at the current migration revision."""
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    app = create_app(_config(url))
    app.instance_path = str(tmp_path)
    with app.app_context():
        db.create_all()
        stamp()
        db.engine.dispose()
    return app


def _backup(app, out) -> None:
    result = invoke(app, "backup", "--out", str(out))
    assert result.exit_code == 0, result.output


def test_restore_refuses_to_overwrite_without_yes(target, tmp_path):
    _backup(target, tmp_path / "b.sqlite3")
    refused = invoke(target, "restore", "--from", str(tmp_path / "b.sqlite3"))
    assert refused.exit_code != 0 and "--yes" in refused.output
    done = invoke(target, "restore", "--from", str(tmp_path / "b.sqlite3"), "--yes")
    assert done.exit_code == 0, done.output


def test_restore_refuses_a_file_that_is_not_a_yongxi_database(target, tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    assert (
        "不是 SQLite 数据库文件" in invoke(target, "restore", "--from", str(junk), "--yes").output
    )
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    assert "不是雍溪学法的数据库" in invoke(target, "restore", "--from", str(other), "--yes").output


def test_restore_refuses_an_unknown_migration_revision(target, tmp_path):
    backup = tmp_path / "b.sqlite3"
    _backup(target, backup)
    conn = sqlite3.connect(backup)
    conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    conn.commit()
    conn.close()
    result = invoke(target, "restore", "--from", str(backup), "--yes")
    assert result.exit_code != 0 and "ffffffffffff" in result.output
