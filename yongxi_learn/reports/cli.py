"""``flask --app yongxi_learn report section``: the report section as a file.

The latest saved version of the year's draft when there is one (what the page's
download gives), else a fresh draft from the records, not saved.
"""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..core.time import utcnow
from ..stats.cli import find_unit
from . import gongwen, services

report_cli = AppGroup("report", help="法治政府建设报告（干部学法部分）")


@report_cli.command("section")
@click.option("--year", type=int, required=True, help="年度，如 2024")
@click.option("--unit", "unit_name", required=True, help="单位名称或编号，如 雍溪镇")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--format", "fmt", type=click.Choice(["docx", "txt"]), default="docx")
def section(year, unit_name, out, fmt):
    """Write the year's report section of UNIT to OUT."""
    unit = find_unit(unit_name)
    # url_for needs a request: the figures link to the lists behind them.
    with current_app.test_request_context():
        version = services.latest(services.get_draft(year, unit))
        if version is not None:
            paper = services.paper(version)
            source = f"已保存的第{version.number}稿"
        else:
            try:
                rendered = services.fresh(year, unit, user=None, now=utcnow())
            except services.ReportError as exc:
                raise click.ClickException(str(exc)) from exc
            paper = gongwen.Paper(services.title_of(year, unit), rendered.text.split("\n"))
            source = "根据当前记录生成（未保存）"
    if fmt == "docx":
        out.write_bytes(gongwen.build(paper))
    else:
        out.write_text(gongwen.plain_text(paper), encoding="utf-8")
    click.echo(f"已写入 {out}（{paper.title}，{source}）")
