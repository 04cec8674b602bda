"""``flask --app yongxi_learn stats export``: the dashboards' downloads, for cron.

Runs as the system (every unit may be exported); each export is audited like a
download from the page.
"""

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..core.exceptions import NotFound
from ..core.spreadsheets import csv_chunks, write_xlsx
from ..core.time import utcnow
from ..exams.models import Exam
from ..extensions import db
from ..org import audit
from ..org.models import Category, OrgUnit
from . import downloads, queries
from .common import StatsError
from .sections import Scope

stats_cli = AppGroup("stats", help="统计数据导出")
# Below this many people a progress bar is only noise.
PROGRESS_FROM = 2000


def find_unit(text: str) -> OrgUnit:
    """A unit by id or by exact name; a name shared by several units must be an id."""
    text = text.strip()
    if text.isdigit():
        unit = db.session.get(OrgUnit, int(text))
        if unit is None:
            raise click.ClickException(f"没有编号为{text}的单位")
        return unit
    units = list(db.session.scalars(sa.select(OrgUnit).where(OrgUnit.name == text)))
    if not units:
        raise click.ClickException(f"没有名为“{text}”的单位")
    if len(units) > 1:
        ids = "、".join(f"{u.id}（上级：{u.parent.name if u.parent else '无'}）" for u in units)
        raise click.ClickException(f"有多个名为“{text}”的单位，请改用编号：{ids}")
    return units[0]


def _with_progress(rows, table):
    total = table.count() if table.count else 0
    if total < PROGRESS_FROM:
        yield from rows
        return
    with click.progressbar(rows, length=total, label=f"写入{table.name}") as bar:
        yield from bar


def _tables(exam_id: int | None, names: str | None, scope_args: dict):
    if exam_id is None:
        scope = Scope(**scope_args)
        return downloads.overview(scope), downloads.overview_name(scope), scope.unit
    exam = db.session.get(Exam, exam_id)
    if exam is None or exam.personal:
        raise click.ClickException(f"没有编号为{exam_id}的考试")
    scope = Scope(**{**scope_args, "year": exam.year})
    if names is not None:  # a name list, as its page downloads it
        kind = queries.NameList(names)
        return downloads.name_list(exam, kind, scope), downloads.names_name(exam, kind, scope), exam
    return downloads.exam(exam, scope), downloads.exam_name(exam, scope), exam


def _write(path: Path, fmt: str, tables: list, table_index: int | None) -> None:
    if fmt == "xlsx":
        with path.open("wb") as out:
            write_xlsx(out, [t.sheet(_with_progress) for t in tables])
        return
    if table_index is None:
        table_index = downloads.default_csv(tables)
    if not 0 <= table_index < len(tables):
        raise click.ClickException(f"--table 应在 0 到 {len(tables) - 1} 之间")
    table = tables[table_index]
    with path.open("wb") as out:
        for chunk in csv_chunks(list(table.headers), table.csv_rows()):
            out.write(chunk)


@stats_cli.command("export")
@click.option("--year", type=int, help="年度（按考试导出时可省略）")
@click.option("--unit", "unit_text", required=True, help="单位名称或编号，如 雍溪镇")
@click.option("--exam", "exam_id", type=int, help="只导出这场考试（及其补考）")
@click.option(
    "--names",
    type=click.Choice([k.value for k in queries.NameList if k is not queries.NameList.ALL]),
    help="与 --exam 同用：导出一份名单，如 absent（未参考）、passed_first（首考通过）",
)
@click.option("--category", multiple=True, type=click.Choice([c.value for c in Category]))
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx")
@click.option("--table", "table_index", type=int, help="CSV 导出第几张表（0 为汇总）")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export_command(year, unit_text, exam_id, names, category, fmt, table_index, out):
    """Write the figures of a year (or of one exam, or one of its name lists) for a unit
    subtree to a file."""
    if year is None and exam_id is None:
        raise click.ClickException("请指定 --year 或 --exam")
    if names is not None and exam_id is None:
        raise click.ClickException("--names 须与 --exam 同用")
    unit = find_unit(unit_text)
    scope_args = {
        "year": year,
        "unit": unit,
        "user": None,
        "now": utcnow(),
        "categories": tuple(Category(c) for c in category),
    }
    try:
        tables, stem, obj = _tables(exam_id, names, scope_args)
        _write(out, fmt, tables, table_index)
    except (StatsError, NotFound) as exc:
        raise click.ClickException(str(exc)) from exc
    audit.record("stats.export", address="cli", obj=obj, detail=f"{stem}.{fmt} → {out.name}")
    db.session.commit()
    click.echo(f"已导出：{out}")
