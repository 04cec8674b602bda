"""The exam figures as tables: the same rows for the dashboard's downloads (CSV, XLSX)
and the CLI, built from the stats.queries dataclasses and name-list selects.

A cell may hold a ``Rate``: CSV writes it as the dashboard shows it ("71.4%", "—"),
XLSX as a percentage number rounded the same way (0.714 shown as 71.4%, 1 as 100%)
or "—".
"""

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter

import sqlalchemy as sa

from ..core.formatting import Rate
from ..core.spreadsheets import Sheet
from ..core.time import format_local, utcnow
from ..extensions import db
from ..org.models import CATEGORY_LABELS, OrgUnit
from ..org.privacy import phone_shower
from . import queries
from .common import NO_FIGURE


@dataclass
class Table:
    """One downloadable table: a sheet of the XLSX, or the whole CSV."""

    name: str
    headers: Sequence[str]
    rows: Iterable[Sequence]
    title: Sequence[str] = ()
    rate_columns: frozenset[int] = frozenset()
    text_columns: frozenset[int] = frozenset()
    count: Callable[[], int] | None = field(default=None, repr=False)
    primary: bool = False  # the table a CSV download gives unless told otherwise
    # The rows hold no Rate and no None (the 明细: "—" already in place), so both
    # formats take them as they are, without a pass over every cell.
    plain: bool = False

    def sheet(self, wrap=None) -> Sheet:
        rows = self.rows if self.plain else (list(map(xlsx_cell, row)) for row in self.rows)
        return Sheet(
            self.name,
            list(self.headers),
            wrap(rows, self) if wrap else rows,
            text_columns=self.text_columns,
            title=list(self.title),
            percent_columns=self.rate_columns,
        )

    def csv_rows(self) -> Iterable[Sequence]:
        return self.rows if self.plain else (list(map(csv_cell, row)) for row in self.rows)


def xlsx_cell(value):
    if isinstance(value, Rate):  # the writer rounds it as the pages do
        return NO_FIGURE if value.value is None else value.value
    return NO_FIGURE if value is None else value


def csv_cell(value):
    if isinstance(value, Rate):
        return str(value)
    return NO_FIGURE if value is None else value


def safe_filename(text: str) -> str:
    """A file name from titles: no path separators, controls or reserved characters."""
    text = re.sub(r'[\x00-\x1f\x7f/\\:*?"<>|]+', "", text).strip(" .")
    return text[:120] or "统计"


def title_lines(year: int, unit: OrgUnit, subject: str, categories=()) -> list[str]:
    lines = [f"{year}年度 {unit.name} {subject}", queries.DEFINITIONS]
    if categories:
        lines.append("人员类别：" + "、".join(CATEGORY_LABELS[c] for c in categories))
    lines.append(f"生成时间：{format_local(utcnow())}（北京时间）")
    return lines


# ---------------------------------------------------------------- 汇总 by unit

SUMMARY_HEADERS = (
    "单位",
    "应考人数",
    "免考人数",
    "参考人数",
    "参考率",
    "通过人数",
    "通过率（通过/参考）",
    "通过人数/应考人数",
    "首考参考人数",
    "首考参考率",
    "首考通过人数",
    "首考通过率（首考通过/首考参考）",
    "首考通过人数/应考人数",
    "平均分",
    "最低分",
)
SUMMARY_RATES = frozenset({4, 6, 7, 9, 11, 12})


def figure_cells(label: str, f: "queries.ExamFigures") -> list:
    return [
        label,
        f.enrolled,
        f.exempt,
        f.sat,
        f.participation,
        f.passed,
        f.pass_rate,
        f.pass_of_enrolled,
        f.sat_first,
        f.participation_first,
        f.passed_first,
        f.pass_rate_first,
        f.pass_of_enrolled_first,
        f.average,
        f.lowest,
    ]


def report_rows(report: "queries.ExamReport") -> Iterator[list]:
    for r in report.rows:
        yield figure_cells(r.label, r.figures)
    yield figure_cells("合计", report.total)


def summary_table(reports: list, title: Sequence[str]) -> Table:
    """汇总: per exam, a row per child unit and the 合计 row."""
    if len(reports) == 1:
        rows: Iterable = report_rows(reports[0])
        return Table("汇总", SUMMARY_HEADERS, list(rows), title, SUMMARY_RATES)
    rows = [[r.exam.title, *cells] for r in reports for cells in report_rows(r)]
    rates = frozenset(c + 1 for c in SUMMARY_RATES)
    return Table("汇总", ("考试", *SUMMARY_HEADERS), rows, title, rates)


# ---------------------------------------------------------------- 明细 by person

DETAIL_HEADERS = (
    "考试",
    "姓名",
    "手机号",
    "单位（发布时）",
    "上级单位",
    "人员类别",
    "职务",
    "首考成绩",
    "最高成绩",
    "结果",
    "备注",
)


# The names_select columns a 明细 row is made of, read by position: a Row's attribute
# lookups (16 a person) cost more than the rest of building the row.
PERSON_COLUMNS = (
    "name",
    "phone",
    "unit_path",
    "unit_name",
    "parent_name",
    "category",
    "post",
    "first",
    "best",
    "sat",
    "passed",
    "passed_first",
    "exempt",
    "exempt_reason",
    "active",
    "moved",
    "current_unit",
    "paper",
    "imported",
)


def _person(exam_title: str, values, shown) -> list:
    """The row, final: no None (a missing score is "—"), no Rate. ``shown``: the phone
    as the viewer may see it (``phone_shower()`` for a list)."""
    name, phone, path, unit, parent, category, post, first, best, *flags = values
    sat, passed, passed_first, exempt, reason, active, moved, current_unit, *modes = flags
    return [
        exam_title,
        name,
        shown(phone, path),
        unit,
        parent or "",
        CATEGORY_LABELS[category],
        NO_FIGURE if post is None else post,
        NO_FIGURE if first is None else first,
        NO_FIGURE if best is None else best,
        queries.result_of(exempt, sat, passed, passed_first),
        queries.remark_of(exempt, reason, active, moved, current_unit, *modes),
    ]


def _people(pairs: list[tuple[str, sa.Select]]) -> Iterator[list]:
    # Plain rows through the session's connection: the ORM's row loading cost more
    # than writing the cells (20,000 people).
    connection = db.session.connection()
    shown = phone_shower()
    for exam_title, query in pairs:
        result = connection.execute(query.execution_options(yield_per=500))
        pick = itemgetter(*(list(result.keys()).index(name) for name in PERSON_COLUMNS))
        for row in result:
            yield _person(exam_title, pick(row), shown)


def detail_table(pairs: list[tuple[str, sa.Select]], title: Sequence[str]) -> Table:
    """明细: the people of (exam title, name-list select) pairs, read as written."""
    return Table(
        "明细",
        DETAIL_HEADERS,
        _people(pairs),
        title,
        text_columns=frozenset({2}),
        count=lambda: sum(queries.names_count(q) for _, q in pairs),
        plain=True,
    )


# ---------------------------------------------------------------- histogram, items


def histogram_table(bins: list, title: Sequence[str]) -> Table:
    rows = [[b.label, b.count, "是" if b.passing else "否"] for b in bins]
    return Table("分数分布", ("分数段", "人数", "及格段"), rows, title)


def items_table(items: list, title: Sequence[str]) -> Table:
    rows = [
        [
            s.question.type.label,
            s.question.stem,
            f"{s.question.law_ref} {s.question.article_ref}".strip(),
            s.shown,
            s.answered,
            s.correct,
            s.correct_rate,
            s.top_wrong or NO_FIGURE,
            s.top_wrong_count,
        ]
        for s in items
    ]
    headers = ("题型", "题目", "法律依据", "出现人次", "作答人次", "答对人次")
    headers += ("正确率（答对/作答）", "最多人选的错误答案", "选该答案人次")
    return Table("试题分析", headers, rows, title, frozenset({6}))
