"""Imported results of external exams (来源：导入) in the figures: per exam, 参考人数 and
通过人数 by unit, 通过率 = 通过人数/参考人数, with the names behind each.

An imported sheet has no 应考名单, so there is no 应考人数 and no 参考率: its figures
stand apart from the platform's own exams and never enter their 参考率. A unit's figures
count the results of the people now in its subtree (as every figure of people does)."""

from dataclasses import dataclass

import sqlalchemy as sa

from ..core.formatting import Rate
from ..core.labels import LabelledEnum
from ..extensions import db
from ..external.models import ExternalExam, ExternalResult
from ..org.models import OrgUnit, User
from ..org.ordering import people_order

SOURCE = "来源：导入"
DEFINITIONS = (
    "口径：外部考试成绩由管理员导入（来源：导入）；参考人数=导入成绩的人数，"
    "通过率=通过人数/参考人数；没有应考名单，不计算参考率，也不计入本平台考试的参考率"
)


class ExternalList(LabelledEnum):
    SAT = "sat", "参考名单"
    PASSED = "passed", "通过名单"
    FAILED = "failed", "未通过名单"


@dataclass(frozen=True)
class UnitRow:
    unit: OrgUnit
    own: bool  # the people of the unit itself, not of a unit below
    sat: int
    passed: int

    @property
    def pass_rate(self) -> Rate:
        return Rate(self.passed, self.sat)


@dataclass(frozen=True)
class ExternalFigures:
    exam: ExternalExam
    sat: int
    passed: int
    by_unit: list[UnitRow]

    @property
    def pass_rate(self) -> Rate:
        return Rate(self.passed, self.sat)


@dataclass(frozen=True)
class ExternalOverview:
    exams: list[ExternalFigures]
    definitions: str = DEFINITIONS
    source: str = SOURCE


def _in_subtree(unit: OrgUnit):
    return OrgUnit.path.startswith(unit.path, autoescape=True)


def exams_of_year(year: int, unit: OrgUnit) -> list[ExternalExam]:
    """The year's imported exams with a result of someone in ``unit``'s subtree."""
    has_people = (
        sa.select(ExternalResult.id)
        .join(User, ExternalResult.user_id == User.id)
        .join(OrgUnit, User.unit_id == OrgUnit.id)
        .where(ExternalResult.exam_id == ExternalExam.id, _in_subtree(unit))
        .exists()
    )
    query = (
        sa.select(ExternalExam)
        .where(ExternalExam.year == year, has_people)
        .order_by(ExternalExam.title, ExternalExam.id)
    )
    return list(db.session.scalars(query))


def external_figures(exam: ExternalExam, unit: OrgUnit) -> ExternalFigures:
    """参考人数 and 通过人数 over ``unit``'s subtree, and by its child units (and its
    own people)."""
    rows = db.session.execute(
        sa.select(OrgUnit.path, ExternalResult.passed)
        .join(User, ExternalResult.user_id == User.id)
        .join(OrgUnit, User.unit_id == OrgUnit.id)
        .where(ExternalResult.exam_id == exam.id, _in_subtree(unit))
    ).all()
    children = sorted(unit.children, key=lambda c: (c.sort_order, c.name))
    counts: dict[int, list[int]] = {}
    for path, passed in rows:
        owner = next((c for c in children if path.startswith(c.path)), unit)
        pair = counts.setdefault(owner.id, [0, 0])
        pair[0] += 1
        pair[1] += int(bool(passed))
    by_unit = [UnitRow(u, u is unit, *counts[u.id]) for u in (unit, *children) if u.id in counts]
    return ExternalFigures(exam, len(rows), sum(int(bool(p)) for _, p in rows), by_unit)


def year_external(year: int, unit: OrgUnit) -> ExternalOverview:
    return ExternalOverview([external_figures(e, unit) for e in exams_of_year(year, unit)])


def names_select(exam: ExternalExam, unit: OrgUnit, kind: ExternalList) -> sa.Select:
    """The people behind a figure, in the people's order."""
    query = (
        sa.select(
            User.id.label("user_id"),
            User.name,
            User.phone,
            OrgUnit.name.label("unit_name"),
            OrgUnit.path.label("unit_path"),
            ExternalResult.score,
            ExternalResult.passed,
            ExternalResult.sat_on,
        )
        .join(User, ExternalResult.user_id == User.id)
        .join(OrgUnit, User.unit_id == OrgUnit.id)
        .where(ExternalResult.exam_id == exam.id, _in_subtree(unit))
    )
    if kind is ExternalList.PASSED:
        query = query.where(ExternalResult.passed.is_(True))
    elif kind is ExternalList.FAILED:
        query = query.where(ExternalResult.passed.is_(False))
    return query.order_by(*people_order(User.unit_id))
