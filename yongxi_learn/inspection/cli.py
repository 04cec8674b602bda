"""``flask --app yongxi_learn report pack``: the 台账包 as a file, the same bytes as the
report page's download of the same version."""

from pathlib import Path

import click
from flask import current_app

from ..core.time import utcnow
from ..reports import services
from ..stats.cli import find_unit
from . import pack as packing


@click.command("pack")
@click.option("--year", type=int, required=True, help="年度，如 2025")
@click.option("--unit", "unit_name", required=True, help="单位名称或编号，如 雍溪镇")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--version", "number", type=int, help="报告的第几稿（默认最新一稿）")
@click.option(
    "--allow-stale",
    is_flag=True,
    help="所选稿中数字与当前记录不符时仍写出（报告开头标注不符之处）",
)
def pack(year, unit_name, out, number, allow_stale):
    """Write the year's inspection pack (台账包) of UNIT to OUT (a ZIP)."""
    unit = find_unit(unit_name)
    now = utcnow()
    # url_for needs a request: the figures link to the lists behind them.
    with current_app.test_request_context():
        draft = services.get_draft(year, unit)
        versions = {v.number: v for v in draft.versions} if draft else {}
        if number is not None and number not in versions:
            raise click.ClickException(f"{unit.name}{year}年的报告没有第{number}稿")
        version = versions[number] if number else services.latest(draft)
        if version is not None:
            source = packing.of_version(version, now=now)
            if source.notice and not allow_stale:
                raise click.ClickException(
                    f"{source.notice}\n未写出文件。仍要写出请加 --allow-stale（报告开头将标注）。"
                )
        else:
            try:
                source = packing.fresh(year, unit, now=now)
            except services.ReportError as exc:
                raise click.ClickException(str(exc)) from exc
        count = len(packing.members(source, now=now)) + 2
        # Written beside OUT and renamed when whole: a failure leaves no half a pack.
        part = out.with_name(out.name + ".part")
        with (
            part.open("wb") as file,
            click.progressbar(
                packing.chunks(source, now=now), length=count, label="生成台账包"
            ) as bar,
        ):
            for chunk in bar:
                file.write(chunk)
        part.replace(out)
    click.echo(f"已写入 {out}（{source.title}，{source.version_label}）")
