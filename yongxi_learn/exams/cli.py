"""``flask --app yongxi_learn exams ...``: exam tasks for cron."""

import click
from flask.cli import AppGroup

from ..core.time import utcnow
from ..extensions import db
from . import attempts

exams_cli = AppGroup("exams", help="考试相关任务")


@exams_cli.command("finalize-overdue")
def finalize_overdue_command():
    """Finalize attempts left open past their deadline (safe to run repeatedly)."""
    count = attempts.finalize_overdue(utcnow())
    db.session.commit()
    click.echo(f"已自动交卷 {count} 份超时未交的答卷。")
