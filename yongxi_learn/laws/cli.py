"""``flask --app yongxi_learn laws import FILE…``: many law texts at once.

For a library's first filling (a folder of texts from 国家法律法规数据库) without
previewing each in the browser: every file goes through the importer as the web
import's confirm does (laws/batch.py says how files are described and ordered).
"""

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from ..core.spreadsheets import Limits
from ..extensions import db
from ..org.models import OrgUnit
from ..org.services import SYSTEM
from . import batch
from .files import EXTENSIONS

laws_cli = AppGroup("laws", help="法规库相关任务")


def _expand(paths: tuple[Path, ...]) -> list[Path]:
    """Files as given; a folder stands for its .txt and .docx files."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in EXTENSIONS))
        else:
            files.append(path)
    return files


def _unit(name: str | None) -> OrgUnit:
    """The unit named ``name``, else the top of the tree (the district)."""
    if name:
        units = list(db.session.scalars(sa.select(OrgUnit).where(OrgUnit.name == name)))
        if len(units) != 1:
            found = "没有" if not units else f"有{len(units)}个"
            raise click.UsageError(f"{found}名为“{name}”的单位，请用 --unit 写明单位名称")
        return units[0]
    roots = list(db.session.scalars(sa.select(OrgUnit).where(OrgUnit.parent_id.is_(None))))
    if len(roots) != 1:
        raise click.UsageError("请用 --unit 写明法规由哪个单位维护（单位树的顶层不止一个或没有）")
    return roots[0]


def _line(outcome: batch.Outcome) -> str:
    item = outcome.file
    text = f"{item.name}：《{outcome.title}》{outcome.articles}条，{outcome.action}"
    if item.expected is not None and item.expected != outcome.articles:
        text += f"（注意：manifest.csv 记为{item.expected}条）"
    return text


@laws_cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--unit",
    "unit_name",
    help="维护这些法规的单位名称（默认为单位树的顶层，如大足区）",
)
def import_command(files: tuple[Path, ...], unit_name: str | None):
    """Import law texts (.txt or .docx; a folder: all of them). Title, kind, date and
    status come from a manifest.csv beside the files when there is one, else from the
    text. A newer text of a law already in the library becomes its new version. A file
    that cannot be split is refused with the reason; the others are still imported,
    and the exit status is then 1."""
    owner = _unit(unit_name)
    limits = Limits.from_config(current_app.config)
    items = batch.in_order(batch.read_files(_expand(files), limits))
    outcomes = []
    with click.progressbar(
        items, label="导入法规", item_show_func=lambda item: item.name if item else None
    ) as bar:
        for item in bar:
            outcome = batch.import_file(item, owner_unit=owner, actor=SYSTEM)
            db.session.commit()  # one file at a time: what is done stays done
            outcomes.append(outcome)
    refused = [o for o in outcomes if o.refused]
    for outcome in outcomes:
        if outcome.refused:
            click.echo(f"未导入 {outcome.file.path}：{outcome.refused}", err=True)
        else:
            click.echo(_line(outcome))
    done = len(outcomes) - len(refused)
    summary = f"共{len(outcomes)}个文件，已导入或已在法规库中{done}个（维护单位：{owner.name}）"
    click.echo(summary + (f"，未导入{len(refused)}个。" if refused else "。"))
    if refused:
        raise SystemExit(1)
