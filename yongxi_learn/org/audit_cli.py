"""``flask --app yongxi_learn audit prune --before DATE``: the only way audit rows are
ever deleted. The web app has no delete path; records younger than the retention
period (180 days, the 网络安全法 minimum for network logs) are refused.

``flask --app yongxi_learn audit verify`` walks the hash chain (core.audit_chain)."""

from datetime import date, timedelta

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..core.time import local_today
from ..extensions import db
from . import audit_chain
from .audit import AuditLog, record
from .audit_search import local_midnight_utc

RETENTION_DAYS = 180
BATCH = 1000
# A walk of this many rows or more shows a progress bar.
VERIFY_PROGRESS_FROM = 10_000

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
    bound = _first_kept_id(cutoff)
    total = db.session.scalar(sa.select(sa.func.count()).where(AuditLog.id < bound))
    if not total:
        click.echo(f"{cutoff_day:%Y-%m-%d} 之前没有操作日志，未做改动。")
        return
    if not yes:
        click.confirm(
            f"将删除 {cutoff_day:%Y-%m-%d} 之前的 {total} 条操作日志，确定吗？", abort=True
        )
    deleted = _delete_in_batches(bound, total)
    record("audit.prune", result="ok", detail=f"删除{cutoff_day:%Y-%m-%d}之前的{deleted}条")
    db.session.commit()
    click.echo(f"已删除 {deleted} 条操作日志。")


def _first_kept_id(cutoff) -> int:
    """Rows are deleted from the start of the chain (id order) up to the first row made
    on or after the cutoff, so the rest still chains from the anchor. A row's time is
    taken when it is recorded and its id when it is committed: a row recorded just
    before the cutoff and committed after a later one is kept with it."""
    first_kept = db.session.scalar(sa.select(sa.func.min(AuditLog.id)).where(AuditLog.at >= cutoff))
    if first_kept is not None:
        return first_kept
    return (db.session.scalar(sa.select(sa.func.max(AuditLog.id))) or 0) + 1


def _delete_in_batches(bound: int, total: int) -> int:
    """Short transactions, so the app keeps writing its own records meanwhile. Each
    moves the chain's anchor to the last row it deletes."""
    deleted = 0
    with click.progressbar(length=total, label="删除操作日志") as bar:
        while True:
            ids = db.session.scalars(
                sa.select(AuditLog.id).where(AuditLog.id < bound).order_by(AuditLog.id).limit(BATCH)
            ).all()
            if not ids:
                return deleted
            audit_chain.move_anchor(db.session, ids[-1])
            db.session.execute(sa.delete(AuditLog).where(AuditLog.id.in_(ids)))
            db.session.commit()
            deleted += len(ids)
            bar.update(len(ids))


@audit_cli.command("verify")
def verify():
    """Check that no audit record was changed, deleted or inserted out of the chain."""
    if db.session.get_bind().dialect.name == "postgresql":
        # The head and the rows from one snapshot, while the app keeps appending.
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    checked, broken = audit_chain.verify(db.session, track=_progress)
    db.session.rollback()
    if broken is not None:
        raise click.ClickException(f"审计日志被篡改：{broken.message}（此前 {checked} 条完整）")
    click.echo(f"审计日志完整：{checked} 条")


def _progress(rows, total: int):
    if total < VERIFY_PROGRESS_FROM:
        yield from rows
        return
    with click.progressbar(rows, length=total, label="校验操作日志") as bar:
        yield from bar
