"""The audit log leaves the database and shows edits: every committed row is one JSON
line on the ``yongxi_learn.audit`` logger, and the rows form a hash chain that
``flask audit verify`` walks (an edit, a deletion or a row inserted outside the
chain is named by id and time)."""

import json
import logging
import threading
import types
from datetime import timedelta

import click
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from tests.conftest import PASSWORD
from tests.databases import empty_database_url, migration_app  # noqa: F401  (a fixture)
from yongxi_learn.core.time import format_local, local_today, utcnow
from yongxi_learn.extensions import db
from yongxi_learn.org import audit, audit_chain
from yongxi_learn.org.audit import AuditLog


def rows(after: int = 0) -> list[AuditLog]:
    db.session.expire_all()
    query = sa.select(AuditLog).where(AuditLog.id > after).order_by(AuditLog.id)
    return list(db.session.scalars(query))


def last_id() -> int:
    """The fixtures' own records (units and people created) come first."""
    db.session.commit()
    return db.session.scalar(sa.select(sa.func.max(AuditLog.id))) or 0


def audit_lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "yongxi_learn.audit"]


def record_several(n: int = 5) -> None:
    """n rows in n transactions, as n requests would write them."""
    for i in range(n):
        audit.record("person.update", detail=f"第{i + 1}次")
        db.session.commit()


def verify(runner):
    return runner.invoke(args=["audit", "verify"])


def execute(sql: str, **params) -> None:
    db.session.execute(sa.text(sql), params)
    db.session.commit()


def when(row_id: int) -> str:
    at = db.session.scalar(sa.select(AuditLog.at).where(AuditLog.id == row_id))
    return format_local(at, "%Y-%m-%d %H:%M:%S")


# ---------------------------------------------------------------- the copy on the logger


def test_each_committed_row_is_one_json_line_with_its_hash(app, admin, caplog):
    start = last_id()
    with caplog.at_level(logging.INFO, logger="yongxi_learn.audit"):
        audit.record("person.update", actor=admin, address="10.0.0.1", obj=admin, detail="改名")
        audit.record("person.export", actor=admin, obj=admin)
        db.session.commit()
    first, second = rows(start)
    assert audit_lines(caplog) == [
        {
            "id": first.id,
            "time": first.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor": admin.id,
            "address": "10.0.0.1",
            "action": "person.update",
            "object": f"User#{admin.id}",
            "result": "ok",
            "detail": "改名",
            "prev": first.prev_hash,
            "hash": first.row_hash,
        },
        {
            "id": second.id,
            "time": second.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor": admin.id,
            "address": "",
            "action": "person.export",
            "object": f"User#{admin.id}",
            "result": "ok",
            "detail": "",
            "prev": first.row_hash,
            "hash": second.row_hash,
        },
    ]


def test_a_rolled_back_transaction_logs_and_writes_nothing(app, admin, caplog):
    start = last_id()
    with caplog.at_level(logging.INFO, logger="yongxi_learn.audit"):
        audit.record("person.update", actor=admin, detail="撤销的改动")
        db.session.flush()
        db.session.rollback()
        audit.record("person.update", actor=admin, detail="保存的改动")
        db.session.commit()
    assert [r.detail for r in rows(start)] == ["保存的改动"]
    assert [line["detail"] for line in audit_lines(caplog)] == ["保存的改动"]


def test_a_savepoint_rolled_back_takes_its_row_with_it(app, admin, caplog):
    """papers.publish runs in a savepoint: a refused publishing leaves no record."""
    start = last_id()
    with caplog.at_level(logging.INFO, logger="yongxi_learn.audit"):
        audit.record("exam.update", actor=admin, detail="保存草稿")
        with pytest.raises(ValueError), db.session.begin_nested():
            audit.record("exam.publish", actor=admin)
            db.session.flush()
            raise ValueError("refused")
        db.session.commit()
    assert [r.action for r in rows(start)] == ["exam.update"]
    assert [line["action"] for line in audit_lines(caplog)] == ["exam.update"]
    assert verify_ok()


def verify_ok() -> bool:
    db.session.expire_all()
    _count, broken = audit_chain.verify(db.session)
    db.session.rollback()
    return broken is None


def test_a_failed_login_over_http_is_logged_once_committed(app, client, admin, caplog):
    start = last_id()
    with caplog.at_level(logging.INFO, logger="yongxi_learn.audit"):
        client.post("/login", data={"phone": admin.phone, "password": "WrongGuess123"})
        client.post("/login", data={"phone": admin.phone, "password": PASSWORD})
    lines = audit_lines(caplog)
    assert [(x["action"], x["result"]) for x in lines] == [("login", "fail"), ("login", "ok")]
    assert [x["hash"] for x in lines] == [r.row_hash for r in rows(start)]


def test_outside_tests_the_lines_go_to_stdout(app, capsys):
    handlers, level = list(audit.logger.handlers), audit.logger.level
    try:
        with click.Context(click.Command("seed-demo")):  # a flask command: not there
            audit_chain.init_app(types.SimpleNamespace(testing=False))
        assert audit.logger.handlers == handlers
        audit_chain.init_app(types.SimpleNamespace(testing=False))
        audit_chain.init_app(types.SimpleNamespace(testing=False))  # a second app: once
        audit.record("person.update", detail="经 stdout 离开数据库")
        db.session.commit()
        out = capsys.readouterr().out.splitlines()
    finally:
        audit.logger.handlers[:] = handlers
        audit.logger.setLevel(level)
    assert [json.loads(line)["detail"] for line in out] == ["经 stdout 离开数据库"]


# ---------------------------------------------------------------- the chain


def test_an_untouched_log_verifies(app, runner):
    record_several(5)
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert "审计日志完整：5 条" in result.output


def test_an_empty_log_verifies(app, runner):
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert "审计日志完整：0 条" in result.output


def test_each_row_chains_to_the_one_before_it(app):
    record_several(3)
    first, second, third = rows()
    assert first.prev_hash == audit_chain.GENESIS
    assert second.prev_hash == first.row_hash and third.prev_hash == second.row_hash
    assert all(r.row_hash == audit_chain.digest_of(r) for r in (first, second, third))


def test_an_edited_detail_is_named_by_id_and_time(app, runner):
    record_several(5)
    execute("UPDATE audit_log SET detail = '第9次' WHERE id = 3")
    result = verify(runner)
    assert result.exit_code == 1
    assert f"编号 3（{when(3)}）的记录在写入后被修改" in result.output


def test_an_edit_with_its_own_hash_recomputed_breaks_the_next_link(app, runner):
    record_several(5)
    row = rows()[2]
    row.detail = "第9次"
    forged = audit_chain.digest_of(row)
    db.session.rollback()
    execute("UPDATE audit_log SET detail = '第9次', row_hash = :h WHERE id = 3", h=forged)
    result = verify(runner)
    assert result.exit_code == 1
    assert f"链在编号 4（{when(4)}）处断开：编号 3 之后" in result.output


def test_a_deleted_middle_row_is_named_where_it_was(app, runner):
    record_several(5)
    execute("DELETE FROM audit_log WHERE id = 3")
    result = verify(runner)
    assert result.exit_code == 1
    assert f"链在编号 4（{when(4)}）处断开：编号 2 之后、它之前的记录被删除" in result.output


def test_deleted_last_rows_are_named(app, runner):
    record_several(5)
    execute("DELETE FROM audit_log WHERE id >= 4")
    result = verify(runner)
    assert result.exit_code == 1
    assert f"编号 3（{when(3)}）之后的记录被删除（链尾应为编号 5）" in result.output


def test_deleted_first_rows_are_named(app, runner):
    record_several(5)
    execute("DELETE FROM audit_log WHERE id <= 2")
    result = verify(runner)
    assert result.exit_code == 1
    assert f"链在编号 3（{when(3)}）处断开" in result.output


def test_a_row_inserted_after_the_chain_is_named(app, runner):
    """Even with a prev_hash and a hash of its own that look right."""
    record_several(3)
    last = rows()[-1]
    forged = types.SimpleNamespace(
        id=4,
        at=utcnow(),
        actor_id=None,
        action="login",
        object_type="",
        object_id=None,
        result="ok",
        address="",
        detail="伪造",
        prev_hash=last.row_hash,
    )
    execute(
        "INSERT INTO audit_log (id, at, address, action, object_type, result, detail,"
        " prev_hash, row_hash) VALUES (4, :at, '', 'login', '', 'ok', '伪造', :prev, :hash)",
        at=forged.at,
        prev=forged.prev_hash,
        hash=audit_chain.digest_of(forged),
    )
    result = verify(runner)
    assert result.exit_code == 1
    assert f"编号 4（{when(4)}）在链尾（编号 3）之后，是在链外插入的" in result.output


def test_the_chain_survives_a_prune(app, runner):
    at = utcnow() - timedelta(days=400)
    for i in range(4):
        audit.record("login", detail=f"旧{i}")
        db.session.commit()
    execute("UPDATE audit_log SET at = :at", at=at)
    record_several(2)
    before = local_today() - timedelta(days=200)
    result = runner.invoke(args=["audit", "prune", "--before", f"{before:%Y-%m-%d}", "--yes"])
    assert "已删除 4 条操作日志" in result.output
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert "审计日志完整：3 条" in result.output  # the two kept and the prune's own


def test_a_row_deleted_after_a_prune_still_shows(app, runner):
    old = utcnow() - timedelta(days=400)
    record_several(3)
    execute("UPDATE audit_log SET at = :at WHERE id = 1", at=old)
    before = local_today() - timedelta(days=200)
    runner.invoke(args=["audit", "prune", "--before", f"{before:%Y-%m-%d}", "--yes"])
    execute("DELETE FROM audit_log WHERE id = 2")
    result = verify(runner)
    assert result.exit_code == 1
    assert f"链在编号 3（{when(3)}）处断开" in result.output


def test_a_long_walk_shows_a_progress_bar(app, runner, monkeypatch):
    from yongxi_learn.org import audit_cli

    monkeypatch.setattr(audit_cli, "VERIFY_PROGRESS_FROM", 3)
    record_several(4)
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert "校验操作日志" in result.output and "审计日志完整：4 条" in result.output


def test_two_writers_at_once_keep_one_chain(app, runner):
    """Two workers appending at once: the head's lock (FOR UPDATE on PostgreSQL, the
    write lock on SQLite) keeps the chain from forking."""
    writers, each = 2, 30
    barrier = threading.Barrier(writers)
    errors: list = []

    def write(n):
        with app.app_context():
            barrier.wait()
            try:
                for i in range(each):
                    audit.record("login", detail=f"{n}-{i}")
                    db.session.commit()
            except Exception as exc:  # asserted on below
                errors.append(exc)
                db.session.rollback()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert f"审计日志完整：{writers * each} 条" in result.output


# ---------------------------------------------------------------- the migration


def test_the_migration_chains_the_rows_already_there(
    empty_database_url,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    app = migration_app(empty_database_url, tmp_path, monkeypatch)
    with app.app_context():
        upgrade(revision="6f3a9d2c7b41")
        with db.engine.begin() as conn:
            for i, detail in enumerate(["张三\\r\\n", "", "导出"]):
                conn.execute(
                    sa.text(
                        "INSERT INTO audit_log (at, address, action, object_type, result,"
                        " detail) VALUES (:at, '', 'login', '', 'ok', :detail)"
                    ),
                    {"at": utcnow() - timedelta(days=3 - i), "detail": detail},
                )
        upgrade()
        count, broken = audit_chain.verify(db.session)
        db.session.rollback()
        audit.record("login", detail="升级之后")
        db.session.commit()
        after, broken_after = audit_chain.verify(db.session)
        db.session.remove()
        db.engine.dispose()
    assert (count, broken) == (3, None)
    assert (after, broken_after) == (4, None)
