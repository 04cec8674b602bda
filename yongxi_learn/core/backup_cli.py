"""``backup --out FILE`` and ``restore --from FILE`` for the embedded SQLite database.

The backup uses SQLite's online backup API in one step: it reads one consistent
snapshot (WAL mode lets the app keep writing meanwhile). PostgreSQL is backed up
with its own tool, pg_dump (see docs/deploy.md).
"""

import sqlite3
from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import with_appcontext

from ..config import create_private_file
from ..extensions import db

# Tables every yongxi-learn database has; a file without them is something else.
REQUIRED_TABLES = frozenset({"alembic_version", "user", "org_unit", "audit_log", "attempt"})
PG_DUMP_HINT = (
    "当前数据库是 PostgreSQL：请用 pg_dump 备份（pg_dump -Fc -f yongxi.dump 数据库名），"
    "用 pg_restore 恢复，详见 docs/deploy.md。"
)


class NotABackup(click.ClickException):
    pass


def sqlite_path() -> Path:
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(PG_DUMP_HINT)
    if not url.database or url.database == ":memory:":
        raise click.ClickException("内存数据库无法备份")
    return Path(url.database)


def known_revisions() -> set[str]:
    directory = current_app.extensions["migrate"].directory
    script = ScriptDirectory(directory)
    return {rev.revision for rev in script.walk_revisions()}


def copy_database(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    # pages=-1: the whole database in one step, so one snapshot, never a mixture.
    source.backup(target, pages=-1)


def check_backup(path: Path, revisions: set[str]) -> str:
    """The migration revision of the yongxi-learn database at ``path``, or raise."""
    if not path.is_file():
        raise NotABackup(f"文件不存在：{path}")
    with path.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise NotABackup("不是 SQLite 数据库文件")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise NotABackup("数据库文件已损坏（integrity_check 未通过）")
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if not tables >= REQUIRED_TABLES:
            raise NotABackup("不是雍溪学法的数据库（缺少必要的数据表）")
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        conn.close()
    if row is None or row[0] not in revisions:
        raise NotABackup(f"数据库版本 {row[0] if row else '（无）'} 不是本程序已知的迁移版本")
    return row[0]


@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(out: Path):
    """Copy the SQLite database to FILE while the app keeps running."""
    source_path = sqlite_path()
    if out.resolve() == source_path.resolve():
        raise click.ClickException("备份文件不能是数据库本身")
    tmp = out.with_name(out.name + ".part")
    tmp.unlink(missing_ok=True)
    create_private_file(tmp)  # the copy and its journal are private while written too
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(tmp)
    try:
        copy_database(source, target)
    finally:
        target.close()
        source.close()
    tmp.replace(out)  # a half-written file never carries the backup's name
    out.chmod(0o600)
    click.echo(f"已备份到 {out}")


@click.command("restore")
@click.option("--from", "source", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="覆盖现有数据库。")
@with_appcontext
def restore_command(source: Path, yes: bool):
    """Replace the SQLite database with a backup made by ``backup`` (stop the app first)."""
    target_path = sqlite_path()
    revision = check_backup(source, known_revisions())
    if target_path.exists() and target_path.stat().st_size and not yes:
        raise click.ClickException(
            f"数据库 {target_path} 已存在；确认要用备份覆盖它时请加 --yes（请先停止服务）"
        )
    db.engine.dispose()
    create_private_file(target_path)
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        copy_database(backup, target)
    finally:
        target.close()
        backup.close()
    click.echo(f"已从 {source} 恢复数据库（迁移版本 {revision}）。")
