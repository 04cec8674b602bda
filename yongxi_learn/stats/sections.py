"""The parts of the year overview (统计总览), and of its download.

Each part is a ``Section``: what it computes for a ``Scope`` (year, unit subtree,
categories, viewer), the template fragment that shows it, and the tables it adds to
the overview's XLSX (and its CSV). Exams are built in; training's and study's are in
``training_section`` and ``study_section``, registered by ``stats.register``::

    register_section(Section("training", "集中学习", build, "stats/_training.html", tables))

The template is included with ``section``, ``data`` and ``scope`` in its context.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..org.models import Category, OrgUnit, User
from . import queries
from .tables import Table, detail_table, summary_table, title_lines


@dataclass(frozen=True)
class Scope:
    """What a dashboard or download is about, and who asks (None: the system/CLI)."""

    year: int
    unit: OrgUnit
    user: User | None
    now: datetime
    categories: tuple[Category, ...] = ()


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    build: Callable[[Scope], Any]
    template: str
    tables: Callable[[Scope, Any], list[Table]] | None = None


SECTIONS: list[Section] = []


def register_section(section: Section) -> None:
    """Add (or, with the same key, replace) a section of the year overview."""
    for i, existing in enumerate(SECTIONS):
        if existing.key == section.key:
            SECTIONS[i] = section
            return
    SECTIONS.append(section)


def get_section(key: str) -> Section | None:
    return next((s for s in SECTIONS if s.key == key), None)


# ---------------------------------------------------------------- exams


def _exam_build(scope: Scope) -> queries.YearOverview:
    return queries.year_overview(
        scope.year, scope.unit, user=scope.user, categories=scope.categories, now=scope.now
    )


def _exam_tables(scope: Scope, overview: queries.YearOverview) -> list[Table]:
    title = title_lines(scope.year, scope.unit, "考试统计（全部正式考试及补考）", scope.categories)
    pairs = [
        (
            r.exam.title,
            queries.names_select(
                r.exam,
                scope.unit,
                queries.NameList.ALL,
                user=scope.user,
                categories=scope.categories,
                now=scope.now,
            ),
        )
        for r in overview.reports
    ]
    return [summary_table(overview.reports, title), detail_table(pairs, title)]


register_section(Section("exams", "考试", _exam_build, "stats/_exam_section.html", _exam_tables))
