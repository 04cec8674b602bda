"""``flask --app yongxi_learn audit prune --before DATE``: the only way audit rows are
ever deleted. The web app has no delete path; records younger than the retention
period (180 days, the 网络安全法 minimum for network logs) are refused."""

from datetime import date, timedelta

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..extensions import db
from .audit import AuditLog, record
from .audit_search import local_midnight_utc
from .time import local_today

RETENTION_DAYS = 180
BATCH = 1000

audit_cli = AppGroup("audit", help="操作日志维护。")


def earliest_allowed_cutoff(today: date) -> date:
    return today - timedelta(days=RETENTION_DAYS)


@audit_cli.command("prune")
@click.option("--before", "before", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--yes", is_flag=True, help="不再询问，直接删除。")
def prune(before, yes):
    """Delete audit records made before DATE (Beijing time, YYYY-MM-DD)."""
    cutoff_day = before.date()
    limit = earliest_allowed_cutoff(local_today())
    if cutoff_day > limit:
        raise click.ClickException(
            f"操作日志至少保留{RETENTION_DAYS}天：--before 不能晚于 {limit:%Y-%m-%d}"
        )
    cutoff = local_midnight_utc(cutoff_day)
    total = db.session.scalar(sa.select(sa.func.count()).where(AuditLog.at < cutoff))
    if not total:
        click.echo(f"{cutoff_day:%Y-%m-%d} 之前没有操作日志，未做改动。")
        return
    if not yes:
        click.confirm(
            f"将删除 {cutoff_day:%Y-%m-%d} 之前的 {total} 条操作日志，确定吗？", abort=True
        )
    deleted = _delete_in_batches(cutoff, total)
    record("audit.prune", result="ok", detail=f"删除{cutoff_day:%Y-%m-%d}之前的{deleted}条")
    db.session.commit()
    click.echo(f"已删除 {deleted} 条操作日志。")


def _delete_in_batches(cutoff, total: int) -> int:
    """Short transactions, so the app keeps writing its own records meanwhile."""
    deleted = 0
    with click.progressbar(length=total, label="删除操作日志") as bar:
        while True:
            ids = db.session.scalars(
                sa.select(AuditLog.id)
                .where(AuditLog.at < cutoff)
                .order_by(AuditLog.id)
                .limit(BATCH)
            ).all()
            if not ids:
                return deleted
            db.session.execute(sa.delete(AuditLog).where(AuditLog.id.in_(ids)))
            db.session.commit()
            deleted += len(ids)
            bar.update(len(ids))
