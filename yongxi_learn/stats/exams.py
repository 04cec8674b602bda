"""Figures of the exams feature (DESIGN §3); exported through stats.queries.

For a formal exam (with its 补考) and a unit subtree, over the frozen enrolment:
应考 = enrolled and not exempted; 参考 = of those, with a finished attempt (handed in,
or finalized at its deadline with what was saved) in the exam or a make-up; 通过 = of
those, best finished score >= the pass mark. 首考 (the first sitting) counts the formal
exam alone. The frozen enrolment unit and category decide where a person counts,
whatever happened since.

Everything is one or two GROUP BY queries; nothing loops over people in Python.
Practice papers (and personal ones) never count. An attempt left open past its
deadline counts as handed in with its saved answers whether or not it has been
finalized yet (``overdue_at``; see ``exams.overdue``): reading the figures writes
nothing.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from ..core.exceptions import NotFound
from ..core.formatting import Rate
from ..core.time import local_today
from ..exams import overdue
from ..exams.counting import COUNTS
from ..exams.models import Exam, ExamKind, ExamStatus, ExamTally
from ..extensions import db
from ..org.models import Category, OrgUnit, User
from ..org.ordering import unit_order
from ..org.permissions import Perm, scope_filter
from ..org.subtrees import child_units, subtree, unit_buckets
from .common import StatsError, ensure_view
from .exam_sql import live_per_unit, tally_rows

__all__ = [
    "DEFINITIONS",
    "AudienceGroup",
    "ExamFigures",
    "ExamReport",
    "UnitRow",
    "YearOverview",
    "default_year",
    "exam_audience",
    "exam_family",
    "exam_report",
    "exam_years",
    "formal_exam",
    "overdue_at",
    "year_overview",
]

DEFINITIONS = (
    "口径：参考率=参考人数/应考人数；通过率=通过人数/参考人数；另列通过人数/应考人数。"
    "应考人数不含免考；参考指交卷，或到截止时间按已保存的答案自动交卷；"
    "参考、通过均含补考，多次作答取最高分；首考指正式考试本身，不含补考："
    "首考参考率=首考参考人数/应考人数，首考通过率=首考通过人数/首考参考人数，"
    "另列首考通过人数/应考人数；"
    "按发布时冻结的应考名单及其所在单位统计，练习不计入。"
)


def overdue_at(now: datetime) -> overdue.Overdue:
    """The attempts overdue at ``now``, for the figures to count as finalized."""
    return overdue.find(now)


# ---------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class ExamFigures:
    """One exam's figures over some people (a unit subtree, maybe some categories)."""

    exempt: int = 0  # 免考
    enrolled: int = 0  # 应考人数
    sat: int = 0  # 参考人数 (exam or make-up)
    passed: int = 0  # 通过人数 (best score, exam or make-up)
    sat_first: int = 0  # 参考 at the first sitting (the formal exam alone)
    passed_first: int = 0
    average: Decimal | None = None  # of the best scores of those who sat
    lowest: Decimal | None = None

    @property
    def absent(self) -> int:
        return self.enrolled - self.sat

    @property
    def failed(self) -> int:
        return self.sat - self.passed

    @property
    def participation(self) -> Rate:
        """参考率 = 参考人数 / 应考人数."""
        return Rate(self.sat, self.enrolled)

    @property
    def pass_rate(self) -> Rate:
        """通过率 = 通过人数 / 参考人数."""
        return Rate(self.passed, self.sat)

    @property
    def pass_of_enrolled(self) -> Rate:
        """通过人数 / 应考人数."""
        return Rate(self.passed, self.enrolled)

    @property
    def participation_first(self) -> Rate:
        """首考参考率 = 首考参考人数 / 应考人数."""
        return Rate(self.sat_first, self.enrolled)

    @property
    def pass_rate_first(self) -> Rate:
        """首考通过率 = 首考通过人数 / 首考参考人数."""
        return Rate(self.passed_first, self.sat_first)

    @property
    def pass_of_enrolled_first(self) -> Rate:
        """首考通过人数 / 应考人数."""
        return Rate(self.passed_first, self.enrolled)

    @property
    def empty(self) -> bool:
        return not (self.enrolled or self.exempt)


@dataclass(frozen=True)
class UnitRow:
    """A child unit's figures; ``own`` marks the people of the parent unit itself."""

    unit: OrgUnit
    figures: ExamFigures
    own: bool = False

    @property
    def label(self) -> str:
        return f"{self.unit.name}（本级）" if self.own else self.unit.name


@dataclass(frozen=True)
class ExamReport:
    exam: Exam
    makeups: list[Exam]
    unit: OrgUnit
    categories: tuple[Category, ...]
    total: ExamFigures
    rows: list[UnitRow]


@dataclass(frozen=True)
class YearOverview:
    year: int
    unit: OrgUnit
    categories: tuple[Category, ...]
    reports: list[ExamReport]


# ---------------------------------------------------------------- which exams count


def formal_exam(exam: Exam, unit: OrgUnit) -> Exam:
    """The formal exam whose figures ``exam`` belongs to (a 补考 gives its parent).

    Its owner must lie on ``unit``'s branch (above it: the town's exam seen by a
    village; or below it), else NotFound: another town's exam is not even named."""
    owner = exam.owner_unit
    if not (owner.contains(unit) or unit.contains(owner)):
        raise NotFound(exam.id)
    if exam.personal or exam.kind is ExamKind.PRACTICE:
        raise StatsError("练习不计入统计")
    if exam.kind is ExamKind.MAKEUP:
        if exam.parent_exam is None:
            raise StatsError("该补考没有对应的正式考试")
        return exam.parent_exam
    return exam


def exam_family(formal: Exam) -> list[Exam]:
    """The 补考 of ``formal`` that were not cancelled, oldest first."""
    return _makeups_of([formal.id])[formal.id]


def _makeups_of(formal_ids: list[int]) -> dict[int, list[Exam]]:
    """{formal exam id: its 补考 not cancelled, oldest first}, in one query."""
    found: dict[int, list[Exam]] = {formal_id: [] for formal_id in formal_ids}
    makeups = db.session.scalars(
        sa.select(Exam)
        .where(
            Exam.parent_exam_id.in_(formal_ids),
            Exam.kind == ExamKind.MAKEUP,
            Exam.status != ExamStatus.CANCELLED,
        )
        .order_by(Exam.id)
    )
    for makeup in makeups:
        found[makeup.parent_exam_id].append(makeup)
    return found


def year_exams(year: int, unit: OrgUnit) -> list[Exam]:
    """Published formal exams of ``year`` with anyone of ``unit``'s subtree enrolled."""
    # exam_tally has a row for every (unit, category) of a formal exam's enrolment.
    enrolled_here = (
        sa.select(ExamTally.exam_id)
        .join(OrgUnit, ExamTally.unit_id == OrgUnit.id)
        .where(ExamTally.exam_id == Exam.id, subtree(OrgUnit.path, unit))
        .exists()
    )
    return list(
        db.session.scalars(
            sa.select(Exam)
            .where(
                Exam.year == year,
                Exam.kind == ExamKind.FORMAL,
                Exam.status == ExamStatus.PUBLISHED,
                Exam.personal.is_(False),
                enrolled_here,
            )
            .order_by(Exam.opens_at, Exam.id)
        )
    )


def exam_years(unit: OrgUnit) -> list[int]:
    """Years with a published formal exam enrolling people of ``unit``'s subtree, newest
    first."""
    query = (
        sa.select(Exam.year)
        .join(ExamTally, ExamTally.exam_id == Exam.id)
        .join(OrgUnit, ExamTally.unit_id == OrgUnit.id)
        .where(
            Exam.kind == ExamKind.FORMAL,
            Exam.status == ExamStatus.PUBLISHED,
            Exam.personal.is_(False),
            subtree(OrgUnit.path, unit),
        )
        .distinct()
        .order_by(Exam.year.desc())
    )
    return list(db.session.scalars(query))


def default_year(unit: OrgUnit) -> int:
    """The latest year with an exam, else this year."""
    years = exam_years(unit)
    return years[0] if years else local_today().year


def _decimal(value, places: str = "0.1") -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(places))


@dataclass(frozen=True)
class _Counts:
    """The summable figures of a group of enrolments (one row of figure_columns)."""

    exempt: int = 0
    enrolled: int = 0
    sat: int = 0
    passed: int = 0
    sat_first: int = 0
    passed_first: int = 0
    scored: int = 0
    score_sum: Decimal = Decimal(0)
    lowest: Decimal | None = None

    @classmethod
    def of(cls, row) -> "_Counts":
        counts = {name: int(getattr(row, name) or 0) for name in COUNTS}
        score_sum = Decimal(str(row.score_sum)) if row.score_sum is not None else Decimal(0)
        return cls(**counts, score_sum=score_sum, lowest=row.lowest)

    def __add__(self, other: "_Counts") -> "_Counts":
        lows = [v for v in (self.lowest, other.lowest) if v is not None]
        counts = {name: getattr(self, name) + getattr(other, name) for name in COUNTS}
        return _Counts(
            **counts, score_sum=self.score_sum + other.score_sum, lowest=min(lows, default=None)
        )

    @property
    def average(self) -> Decimal | None:
        return self.score_sum / self.scored if self.scored else None


def figures_of(row: _Counts | None) -> ExamFigures:
    if row is None:
        return ExamFigures()
    return ExamFigures(
        exempt=row.exempt,
        enrolled=row.enrolled,
        sat=row.sat,
        passed=row.passed,
        sat_first=row.sat_first,
        passed_first=row.passed_first,
        average=_decimal(row.average),
        lowest=_decimal(row.lowest, "0.01"),
    )


# ---------------------------------------------------------------- reports


def _by_child(
    formal_ids: list[int],
    unit: OrgUnit,
    children,
    categories,
    user,
    late: overdue.Overdue,
    live: bool = False,
) -> dict[tuple, _Counts]:
    """{(formal exam id, bucket unit id): counts}, plus totals per exam under the key
    (exam id, None). Per (exam, frozen unit) rows from exam_tally (or, ``live``, from
    the enrolment and attempts) are summed into child-unit buckets (unit_buckets);
    totals add the buckets."""
    if live:
        per_unit = live_per_unit(formal_ids, unit, categories, user, late)
    else:
        per_unit = tally_rows(formal_ids, categories, late)
    # Each unit's bucket computed once (a few hundred CASEs), not once per row.
    buckets = unit_buckets(unit, children)
    query = (
        sa.select(
            per_unit.c.exam_id,
            buckets.c.bucket,
            *(sa.func.sum(per_unit.c[name]).label(name) for name in COUNTS),
            sa.func.sum(per_unit.c.score_sum).label("score_sum"),
            sa.func.min(per_unit.c.lowest).label("lowest"),
        )
        .join_from(per_unit, buckets, per_unit.c.unit_id == buckets.c.unit_id)
        .group_by(per_unit.c.exam_id, buckets.c.bucket)
    )
    if not live and user is not None:  # live_per_unit's rows are scoped already
        query = query.where(scope_filter(user, Perm.VIEW_STATS, buckets.c.path))
    rows = db.session.execute(query).all()
    found: dict[tuple, _Counts] = {}
    for r in rows:
        counts = _Counts.of(r)
        found[(r.exam_id, r.bucket)] = counts
        found[(r.exam_id, None)] = found.get((r.exam_id, None), _Counts()) + counts
    return found


def _unit_rows(exam_id: int, unit: OrgUnit, children, found: dict) -> list[UnitRow]:
    """One row per child unit (an empty unit shows zeros; an inactive one only with
    people), then the parent's own people when there are any."""
    rows = [
        UnitRow(child, figures_of(found.get((exam_id, child.id))))
        for child in children
        if child.active or (exam_id, child.id) in found
    ]
    own = found.get((exam_id, unit.id))
    if own is not None or not rows:
        rows.append(UnitRow(unit, figures_of(own), own=True))
    return rows


def _clean_categories(categories) -> tuple[Category, ...]:
    return tuple(Category(c) for c in categories or ())


def exam_report(
    exam: Exam,
    unit: OrgUnit,
    *,
    user: User | None,
    categories=(),
    now: datetime,
    live: bool = False,
) -> ExamReport:
    """The figures of ``exam`` (a 补考 gives its formal exam) for ``unit``'s subtree,
    in total and per child unit; ``live``: from the source rows, not exam_tally."""
    ensure_view(user, unit)
    formal = formal_exam(exam, unit)
    categories = _clean_categories(categories)
    children = child_units(unit)
    found = _by_child([formal.id], unit, children, categories, user, overdue_at(now), live)
    return _report(formal, unit, children, categories, found, exam_family(formal))


def _report(formal: Exam, unit, children, categories, found: dict, makeups) -> ExamReport:
    return ExamReport(
        exam=formal,
        makeups=makeups,
        unit=unit,
        categories=categories,
        total=figures_of(found.get((formal.id, None))),
        rows=_unit_rows(formal.id, unit, children, found),
    )


def year_overview(
    year: int,
    unit: OrgUnit,
    *,
    user: User | None,
    categories=(),
    now: datetime,
    live: bool = False,
) -> YearOverview:
    """Every published formal exam of ``year`` that enrolled people of ``unit``'s
    subtree, each with its make-ups, totals and child-unit rows (two queries, on
    exam_tally; ``live``: from the source rows)."""
    ensure_view(user, unit)
    categories = _clean_categories(categories)
    exams = year_exams(year, unit)
    ids, children = [e.id for e in exams], child_units(unit)
    late = overdue_at(now) if exams else overdue.NONE
    found = _by_child(ids, unit, children, categories, user, late, live) if exams else {}
    makeups = _makeups_of(ids) if exams else {}
    return YearOverview(
        year=year,
        unit=unit,
        categories=categories,
        reports=[_report(e, unit, children, categories, found, makeups[e.id]) for e in exams],
    )


# ---------------------------------------------------------------- who it was for


@dataclass(frozen=True)
class AudienceGroup:
    """People of one unit and one category in a formal exam's frozen enrolment."""

    unit: OrgUnit
    category: Category
    enrolled: int  # 应考人数 (免考 not counted)


def exam_audience(exam: Exam, unit: OrgUnit, *, user: User | None) -> list[AudienceGroup]:
    """Who ``exam`` (formal) was for in ``unit``'s subtree, as its enrolment says: the
    (unit, category) groups with anyone 应考, in unit order. For the report, which
    names its audience as it was."""
    ensure_view(user, unit)
    rows = db.session.execute(
        sa.select(OrgUnit, ExamTally.category, ExamTally.enrolled)
        .join(OrgUnit, ExamTally.unit_id == OrgUnit.id)
        .where(ExamTally.exam_id == exam.id, ExamTally.enrolled > 0, subtree(OrgUnit.path, unit))
        .order_by(unit_order(OrgUnit.id), ExamTally.category)
    )
    return [AudienceGroup(u, Category(c), n) for u, c, n in rows]
