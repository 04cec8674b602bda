"""Imported external results (来源：导入) in the statistics pages' year overview and its
download, from stats.external's figures."""

from ..extensions import db
from .external import (
    DEFINITIONS,
    SOURCE,
    ExternalExam,
    ExternalList,
    ExternalOverview,
    UnitRow,
    names_select,
    year_external,
)
from .sections import Scope, Section, register_section
from .tables import Table, title_lines


def _build(scope: Scope) -> ExternalOverview:
    return year_external(scope.year, scope.unit)


SUMMARY_HEADERS = ["来源", "考试名称", "组织单位", "单位", "参考人数", "通过人数", "通过率"]
DETAIL_HEADERS = ["来源", "考试名称", "姓名", "单位", "成绩", "结果", "考试日期"]


def _tables(scope: Scope, data: ExternalOverview) -> list[Table]:
    if not data.exams:
        return []
    title = title_lines(scope.year, scope.unit, "外部考试成绩（导入）")
    title[1] = DEFINITIONS
    summary = [
        [
            SOURCE,
            f.exam.title,
            f.exam.organiser,
            row.unit.name + ("（本级）" if row.own else ""),
            row.sat,
            row.passed,
            row.pass_rate,
        ]
        for f in data.exams
        for row in [UnitRow(scope.unit, False, f.sat, f.passed), *f.by_unit]
    ]
    detail = [
        [
            SOURCE,
            f.exam.title,
            r.name,
            r.unit_name,
            r.score,
            "通过" if r.passed else "未通过",
            r.sat_on.isoformat() if r.sat_on else "",
        ]
        for f in data.exams
        for r in db.session.execute(names_select(f.exam, scope.unit, ExternalList.SAT))
    ]
    return [
        Table("外部考试汇总", SUMMARY_HEADERS, summary, title, frozenset({6})),
        Table("外部考试明细", DETAIL_HEADERS, detail, title),
    ]


def names_tables(exam: ExternalExam, kind: ExternalList, scope: Scope) -> list[Table]:
    title = title_lines(scope.year, scope.unit, f"{exam.title} {kind.label}（导入）")
    title[1] = DEFINITIONS
    rows = [
        [
            SOURCE,
            exam.title,
            r.name,
            r.unit_name,
            r.score,
            "通过" if r.passed else "未通过",
            r.sat_on.isoformat() if r.sat_on else "",
        ]
        for r in db.session.execute(names_select(exam, scope.unit, kind))
    ]
    return [Table(kind.label, DETAIL_HEADERS, rows, title, primary=True)]


def register() -> None:
    register_section(
        Section("external", "外部考试成绩（导入）", _build, "stats/_external_section.html", _tables)
    )
