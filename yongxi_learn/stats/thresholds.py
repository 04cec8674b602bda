"""Thresholds, not rankings (达标要求): the district sets, per year, what each town is
held to — 参考率 and 通过率 of the year's formal exams (补考 included, as
``stats.exams`` counts them), the share of villages reached by 集中学习
(``units_reached``), and the 2 + 1 choice made by every leading cadre — and each
unit is shown 达标 / 未达标 on each, with the names behind every shortfall.

Towns hold no thresholds of their own: a unit reads the nearest row on its path (its
district's), so the district's board and a town's own judge alike. Every figure
judged is one the dashboards already show; nothing here counts anew. Rows are in the
order of their units' names (pinyin), never of a figure: the board is not a ranking.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from ..core.formatting import Rate
from ..exams.models import Exam
from ..extensions import db
from ..org import audit
from ..org.models import Category, OrgUnit, UnitKind, User
from ..org.names import pinyin_key
from ..org.permissions import Perm, ensure
from ..org.subtrees import child_units
from ..org.year_close import ensure_year_open
from ..study.plan_models import StudyList
from . import queries
from .common import ensure_view
from .study import lists_covering
from .threshold_models import YearThreshold

VILLAGE_CADRES = [Category.VILLAGE_CADRE.value]


class ThresholdError(Exception):
    """Thresholds that cannot be set; the message is shown."""


# ---------------------------------------------------------------- the rule


def meets(rate: Rate, percent: Decimal) -> bool | None:
    """达标: the rate, as printed (89.96% is 90%), is at least ``percent``; None when
    there is no figure to judge (nobody to divide by)."""
    if not rate.denominator:
        return None
    return rate.percent >= percent


def percent_text(value: Decimal) -> str:
    """92.5 → "92.5%", 100.0 → "100%"."""
    value = Decimal(value)
    shown = value.quantize(Decimal(1)) if value == value.to_integral_value() else value
    return f"{shown}%"


# ---------------------------------------------------------------- setting them


def thresholds_for(year: int, unit: OrgUnit) -> YearThreshold | None:
    """The thresholds ``unit`` is held to in ``year``: the nearest row on its path."""
    ids = unit.path_ids
    rows = {
        row.unit_id: row
        for row in db.session.scalars(
            sa.select(YearThreshold).where(
                YearThreshold.year == year, YearThreshold.unit_id.in_(ids)
            )
        )
    }
    return next((rows[i] for i in reversed(ids) if i in rows), None)


def _clean(value, name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ThresholdError(f"{name}须为0至100之间的数") from None
    if not number.is_finite() or not 0 <= number <= 100:
        raise ThresholdError(f"{name}须为0至100之间的数")
    if number != number.quantize(Decimal("0.1")):
        raise ThresholdError(f"{name}最多保留一位小数")
    return number.quantize(Decimal("0.1"))


def describe(row: YearThreshold | None) -> str:
    """The thresholds in words, for the audit log and the pages."""
    if row is None or row.empty:
        return "未设定"
    parts = [
        f"{name}≥{percent_text(value)}"
        for name, value in (
            ("参考率", row.participation),
            ("通过率", row.pass_rate),
            ("村（社区）集中学习覆盖率", row.villages),
        )
        if value is not None
    ]
    if row.leaders_chosen:
        parts.append("领导干部“2+1”选学全部完成")
    return "，".join(parts)


def set_thresholds(
    unit: OrgUnit,
    year: int,
    *,
    participation=None,
    pass_rate=None,
    villages=None,
    leaders_chosen: bool = False,
    actor,
    now: datetime,
) -> YearThreshold:
    """Set ``unit``'s (a district's) thresholds for ``year``; audited with the old and
    new values. ``actor``: an ``org.services.Actor`` (user None: the system)."""
    if actor.user is not None:
        ensure(actor.user, Perm.SET_THRESHOLDS, unit)
    if unit.kind is not UnitKind.DISTRICT:
        raise ThresholdError("达标要求由区设定，各镇（街道）沿用区的要求")
    if not 2000 <= int(year) <= 2100:
        raise ThresholdError("年度须在2000至2100之间")
    ensure_year_open(unit, int(year), error=ThresholdError)
    values = {
        "participation": _clean(participation, "参考率"),
        "pass_rate": _clean(pass_rate, "通过率"),
        "villages": _clean(villages, "村（社区）集中学习覆盖率"),
    }
    row = db.session.scalar(
        sa.select(YearThreshold).where(YearThreshold.unit_id == unit.id, YearThreshold.year == year)
    )
    before = describe(row)
    if row is None:
        row = YearThreshold(unit_id=unit.id, year=year)
        db.session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.leaders_chosen = bool(leaders_chosen)
    row.updated_by_id = getattr(actor.user, "id", None)
    row.updated_at = now
    audit.record(
        "thresholds.set",
        actor=actor.user,
        address=actor.address,
        obj=unit,
        detail=f"{unit.name}{year}年达标要求：{describe(row)}（原：{before}）",
    )
    db.session.flush()
    return row


def copy_to_next_year(unit: OrgUnit, year: int, *, actor, now: datetime) -> YearThreshold:
    """复制到新年度: the district's thresholds of ``year`` as those of ``year + 1`` (the
    new year starts with its own; refused when the new year already has some)."""
    row = db.session.scalar(
        sa.select(YearThreshold).where(YearThreshold.unit_id == unit.id, YearThreshold.year == year)
    )
    if row is None or row.empty:
        raise ThresholdError(f"{year}年没有设定达标要求，无可复制")
    if thresholds_for_own(year + 1, unit) is not None:
        raise ThresholdError(f"{year + 1}年已设定达标要求，请直接修改")
    copied = set_thresholds(
        unit,
        year + 1,
        participation=row.participation,
        pass_rate=row.pass_rate,
        villages=row.villages,
        leaders_chosen=row.leaders_chosen,
        actor=actor,
        now=now,
    )
    # The 学时 targets are copied beside them on their own page
    # (stats.credits.copy_targets_to_next_year).
    audit.record(
        "thresholds.copy_year",
        actor=actor.user,
        address=actor.address,
        obj=unit,
        detail=f"{unit.name}{year}年达标要求复制为{year + 1}年：{describe(copied)}",
    )
    return copied


def thresholds_for_own(year: int, unit: OrgUnit) -> YearThreshold | None:
    return db.session.scalar(
        sa.select(YearThreshold).where(YearThreshold.unit_id == unit.id, YearThreshold.year == year)
    )


# ---------------------------------------------------------------- judging


@dataclass(frozen=True)
class Requirement:
    """One column of the board: a threshold, for one exam where it is an exam's."""

    key: str  # participation, pass_rate, villages, leaders
    name: str  # 参考率 ...
    percent: Decimal
    exam: Exam | None = None

    @property
    def label(self) -> str:
        if self.key == "leaders":
            return "领导干部“2+1”选学全部完成"
        what = f"{self.name}≥{percent_text(self.percent)}"
        return f"{what}（{self.exam.title}）" if self.exam is not None else what

    @property
    def names_kind(self) -> str:
        """The exam name list behind a shortfall (stats.names)."""
        return {"participation": "absent", "pass_rate": "failed"}.get(self.key, "")


@dataclass(frozen=True)
class Cell:
    """A unit's figure on one requirement, whether it is met, and who falls short:
    ``count`` names behind it (an exam's 未参考 / 未通过), or the ``names`` themselves
    (villages not reached, leading cadres who have not chosen)."""

    rate: Rate | None = None
    met: bool | None = None
    count: int = 0
    names: tuple[str, ...] = ()

    @property
    def verdict(self) -> str:
        return "—" if self.met is None else ("达标" if self.met else "未达标")


@dataclass(frozen=True)
class BoardRow:
    unit: OrgUnit
    cells: list[Cell]
    own: bool = False  # the people of the board's unit itself

    @property
    def label(self) -> str:
        return f"{self.unit.name}（本级）" if self.own else self.unit.name

    @property
    def short(self) -> bool:
        return any(c.met is False for c in self.cells)


@dataclass(frozen=True)
class Board:
    year: int
    unit: OrgUnit
    thresholds: YearThreshold | None
    requirements: list[Requirement]
    rows: list[BoardRow] = field(default_factory=list)
    # The year's study lists the 2 + 1 is judged on (their 未按规则选学 lists name
    # the leading cadres behind a shortfall).
    lists: list[StudyList] = field(default_factory=list)

    @property
    def set_by(self) -> OrgUnit | None:
        return self.thresholds.unit if self.thresholds is not None else None


def requirements(row: YearThreshold | None, exams: list[Exam]) -> list[Requirement]:
    if row is None:
        return []
    found = []
    for exam in exams:
        if row.participation is not None:
            found.append(Requirement("participation", "参考率", row.participation, exam))
        if row.pass_rate is not None:
            found.append(Requirement("pass_rate", "通过率", row.pass_rate, exam))
    if row.villages is not None:
        found.append(Requirement("villages", "村（社区）集中学习覆盖率", row.villages))
    if row.leaders_chosen:
        found.append(Requirement("leaders", "领导干部“2+1”选学率", Decimal(100)))
    return found


def name_order(units: list[OrgUnit]) -> list[OrgUnit]:
    """Units in the order of their names (pinyin), whatever their figures."""
    return sorted(units, key=lambda u: (pinyin_key(u.name), u.name, u.id))


def board(year: int, unit: OrgUnit, *, user: User | None, now: datetime) -> Board:
    """Each child unit of ``unit`` (a district's towns; a town's offices and villages),
    then ``unit``'s own people when it has any, 达标 / 未达标 on each of the year's
    thresholds."""
    ensure_view(user, unit)
    row = thresholds_for(year, unit)
    if row is None or row.empty:
        return Board(year, unit, row, [])
    overview = queries.year_overview(year, unit, user=user, now=now)
    reports = [r for r in overview.reports if r.total.enrolled]
    wanted = requirements(row, [r.exam for r in reports])
    exam_rows = {r.exam.id: {(u.unit.id, u.own): u.figures for u in r.rows} for r in reports}
    leaders = queries.leaders_chosen_by_unit(year, unit) if row.leaders_chosen else {}
    children = [c for c in child_units(unit) if c.active]
    own = any((unit.id, True) in rows for rows in exam_rows.values()) or (
        leaders.get(unit.id, Rate(0, 0)).denominator > 0
    )
    units = [(c, False) for c in name_order(children)] + ([(unit, True)] if own else [])
    villages = {}
    if any(req.key == "villages" for req in wanted):
        villages = queries.units_reached_by_child(
            year, unit, UnitKind.VILLAGE, VILLAGE_CADRES, children
        )
    figures = _Figures(year, exam_rows, leaders, villages)
    rows = [
        BoardRow(u, [_cell(req, u, is_own, figures) for req in wanted], is_own)
        for u, is_own in units
    ]
    lists = lists_covering(year, unit) if row.leaders_chosen else []
    return Board(year, unit, row, wanted, rows, lists)


@dataclass(frozen=True)
class _Figures:
    """What the board's cells are judged on, read once for every row."""

    year: int
    exams: dict  # {exam id: {(unit id, own): ExamFigures}}
    leaders: dict  # {unit id: Rate of the 2 + 1 choice}
    villages: dict  # {child id: (Rate, the villages not reached)}


def _cell(req: Requirement, unit: OrgUnit, own: bool, found: _Figures) -> Cell:
    year, exam_rows, leaders = found.year, found.exams, found.leaders
    if req.exam is not None:
        figures = exam_rows[req.exam.id].get((unit.id, own))
        if figures is None or not figures.enrolled:
            return Cell()
        if req.key == "participation":
            rate, count = figures.participation, figures.absent
        else:
            rate, count = figures.pass_rate, figures.failed
        return Cell(rate, meets(rate, req.percent), count)
    if req.key == "villages":
        if own:
            return Cell()
        rate, missed = found.villages[unit.id]
        met = meets(rate, req.percent)
        if met is not False:
            return Cell(rate, met)
        return Cell(rate, met, len(missed), tuple(u.name for u in missed))
    rate = leaders.get(unit.id, Rate(0, 0))
    met = meets(rate, req.percent)
    if met is not False:
        return Cell(rate, met)
    names = tuple(queries.leaders_unchosen(year, unit, own=own))
    return Cell(rate, met, len(names), names)
