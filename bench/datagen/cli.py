"""``flask --app bench.app bench-data``: district-sized data for ``make bench``."""

import time

import click

from .generate import Size, generate


@click.command("bench-data")
@click.option("--towns", default=30, show_default=True)
@click.option("--people", default=20000, show_default=True)
@click.option("--questions", default=1000, show_default=True)
@click.option("--exams", default=10, show_default=True)
@click.option("--attempts", default=150000, show_default=True)
@click.option("--papers", default=20000, show_default=True, help="答卷明细（每卷20题）的份数")
@click.option("--sessions", default=8, show_default=True, help="每镇集中学习场次")
@click.option("--quiet", is_flag=True)
def bench_data_command(towns, people, questions, exams, attempts, papers, sessions, quiet):
    """Build district-sized benchmark data (fictional) into the configured database."""
    size = Size(towns, people, questions, exams, attempts, papers, sessions)
    started = time.perf_counter()
    result = generate(size, quiet=quiet)
    click.echo(
        f"已生成压测数据：{result.people}人，{len(result.exam_ids)}场考试，"
        f"{result.attempts}份答卷，{result.attendance}条签到，{result.study_rows}条学习记录，"
        f"用时{time.perf_counter() - started:.1f}秒"
    )
