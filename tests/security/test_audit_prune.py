"""``flask audit prune --before DATE`` keeps at least 180 days and deletes in batches
with a progress bar; it is recorded itself."""

from datetime import timedelta

import sqlalchemy as sa

from yongxi_learn.core.time import local_today, utcnow
from yongxi_learn.extensions import db
from yongxi_learn.org import audit
from yongxi_learn.org.audit import AuditLog


def add(days_ago: int, n: int = 1) -> None:
    at = utcnow() - timedelta(days=days_ago)
    db.session.add_all(AuditLog(action="login", at=at) for _ in range(n))
    db.session.commit()


def actions() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)))


def test_refuses_a_date_younger_than_180_days(runner):
    add(400)
    before = local_today() - timedelta(days=179)
    result = runner.invoke(args=["audit", "prune", "--before", f"{before:%Y-%m-%d}", "--yes"])
    assert result.exit_code != 0
    assert "操作日志至少保留180天" in result.output
    assert actions() == ["login"]


def test_deletes_only_records_before_the_date(runner):
    add(400, 3)
    add(100, 2)
    before = local_today() - timedelta(days=200)
    result = runner.invoke(args=["audit", "prune", "--before", f"{before:%Y-%m-%d}", "--yes"])
    assert result.exit_code == 0, result.output
    assert "已删除 3 条操作日志" in result.output
    assert actions() == ["login", "login", "audit.prune"]


def test_asks_before_deleting(runner):
    add(400)
    before = local_today() - timedelta(days=200)
    result = runner.invoke(args=["audit", "prune", "--before", f"{before:%Y-%m-%d}"], input="n\n")
    assert result.exit_code != 0
    assert actions() == ["login"]


def test_a_large_delete_goes_in_batches_with_a_progress_bar(runner, monkeypatch):
    from yongxi_learn.org import audit_cli

    monkeypatch.setattr(audit_cli, "BATCH", 100)
    add(365, 250)
    audit.record("login")  # today's: kept
    db.session.commit()
    before = local_today() - timedelta(days=181)
    result = runner.invoke(args=["audit", "prune", "--before", f"{before:%Y-%m-%d}", "--yes"])
    assert result.exit_code == 0, result.output
    assert "删除操作日志" in result.output
    assert actions() == ["login", "audit.prune"]


def test_nothing_to_delete_changes_nothing(runner):
    add(10)
    before = local_today() - timedelta(days=200)
    result = runner.invoke(args=["audit", "prune", "--before", f"{before:%Y-%m-%d}", "--yes"])
    assert "未做改动" in result.output
    assert actions() == ["login"]
