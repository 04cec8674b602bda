"""``flask --app yongxi_learn report section``: the report section as a file.

The latest saved version of the year's draft when there is one (what the page's
download gives), else a fresh draft from the records, not saved. A saved version whose
numbers the records no longer bear out is refused, naming them, unless
``--allow-stale``; the file then carries the same warning at its top as the download.
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
@click.option(
    "--allow-stale",
    is_flag=True,
    help="已保存的稿中数字与当前记录不符时仍写出（文件开头标注不符之处）",
)
def section(year, unit_name, out, fmt, allow_stale):
    """Write the year's report section of UNIT to OUT."""
    unit = find_unit(unit_name)
    # url_for needs a request: the figures link to the lists behind them.
    with current_app.test_request_context():
        version = services.latest(services.get_draft(year, unit))
        if version is not None:
            notice = services.notice_for(version, user=None, now=utcnow())
            if notice and not allow_stale:
                raise click.ClickException(
                    f"{notice}\n未写出文件。仍要写出此稿请加 --allow-stale（文件开头将标注）。"
                )
            wording = services.wording(version, notice)
            source = f"已保存的第{version.number}稿" + ("，数字待核，已标注" if notice else "")
        else:
            try:
                rendered = services.fresh(year, unit, user=None, now=utcnow())
            except services.ReportError as exc:
                raise click.ClickException(str(exc)) from exc
            wording = gongwen.Wording(services.title_of(year, unit), rendered.text.split("\n"))
            source = "根据当前记录生成（未保存）"
    if fmt == "docx":
        out.write_bytes(gongwen.build(wording))
    else:
        out.write_text(gongwen.plain_text(wording), encoding="utf-8")
    click.echo(f"已写入 {out}（{wording.title}，{source}）")
