"""What each dashboard downloads: its tables (汇总 by unit, 明细 by person, ...) and the
file name. The views and the CLI both call these, so a file is the same either way."""

from collections.abc import Callable, Iterable, Iterator

from ..exams.models import Exam
from . import queries
from .sections import SECTIONS, Scope
from .tables import (
    SUMMARY_HEADERS,
    SUMMARY_RATES,
    Table,
    detail_table,
    histogram_table,
    items_table,
    report_rows,
    safe_filename,
    summary_table,
    title_lines,
)


def default_csv(tables: list[Table]) -> int:
    return next((i for i, t in enumerate(tables) if t.primary), 0)


def overview(scope: Scope) -> list[Table]:
    """Every section's tables for the year overview."""
    return [
        table
        for section in SECTIONS
        if section.tables is not None
        for table in section.tables(scope, section.build(scope))
    ]


def overview_name(scope: Scope) -> str:
    return safe_filename(f"{scope.year}年{scope.unit.name}统计")


def _kwargs(scope: Scope) -> dict:
    return {"user": scope.user, "categories": scope.categories}


def exam(exam: Exam, scope: Scope) -> list[Table]:
    """汇总 by unit, 明细 of everyone enrolled, the score distribution, the items."""
    report = queries.exam_report(exam, scope.unit, now=scope.now, **_kwargs(scope))
    title = title_lines(scope.year, scope.unit, report.exam.title, scope.categories)
    everyone = queries.names_select(
        report.exam, scope.unit, queries.NameList.ALL, now=scope.now, **_kwargs(scope)
    )
    bins = queries.score_histogram(exam, scope.unit, now=scope.now, **_kwargs(scope))
    items = queries.item_analysis(exam, scope.unit, now=scope.now, **_kwargs(scope))
    return [
        summary_table([report], title),
        detail_table([(report.exam.title, everyone)], title),
        histogram_table(bins, title),
        items_table(items, title),
    ]


def exam_name(exam: Exam, scope: Scope) -> str:
    return safe_filename(f"{exam.title}-{scope.unit.name}")


def name_list(exam: Exam, kind: "queries.NameList", scope: Scope) -> list[Table]:
    """汇总 by unit (the figures the list is behind), 明细: the list itself.

    The 汇总 is computed when it is read: the CSV of a list (its default table) never
    reads it, and at district size the figures cost a tenth of that download."""
    people = queries.names_select(exam, scope.unit, kind, now=scope.now, **_kwargs(scope))
    formal = queries.formal_exam(exam, scope.unit)
    title = title_lines(scope.year, scope.unit, f"{formal.title} {kind.label}", scope.categories)
    figures = _when_read(
        lambda: report_rows(queries.exam_report(exam, scope.unit, now=scope.now, **_kwargs(scope)))
    )
    detail = detail_table([(formal.title, people)], title)
    detail.primary = True
    return [Table("汇总", SUMMARY_HEADERS, figures, title, SUMMARY_RATES), detail]


def _when_read(rows: Callable[[], Iterable]) -> Iterator:
    yield from rows()


def names_name(exam: Exam, kind: "queries.NameList", scope: Scope) -> str:
    return safe_filename(f"{exam.title}-{scope.unit.name}-{kind.label}")
