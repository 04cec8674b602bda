"""How the town's reports write numbers: "8次", "200余人次", "100%", "均达100%"; name
the level they speak for: 全镇, 镇领导班子, 依法治镇 (or 全区, 依法治街 ...) and an exam's
audience as its enrolment was; and which rates fall short of the achievements.

Pure functions over plain numbers, ``stats.common.Rate`` and unit names; the report
template calls them as filters or reads their words.
"""

from decimal import Decimal
from typing import NamedTuple

from ..core.formatting import Rate
from ..org.models import Category, UnitKind
from ..stats.thresholds import meets


class Place(NamedTuple):
    """A unit's level as a report names it: 全{word}机关干部, 依法治{short},
    组织{cadres}集中学法, {leaders}开展法治讲堂, and {total} before a count of the whole
    subtree (a district's count sums its towns': 全区开展中心组专题学法12次)."""

    word: str
    short: str
    cadres: str
    leaders: str
    total: str = ""


# By the unit's name: 雍溪镇, 龙岗街道, 某某乡, 大足区 ... (a 街道 rules 依法治街).
PLACES = {
    "街道": Place("街道", "街", "街道、村（社区）干部", "街道领导班子成员"),
    "镇": Place("镇", "镇", "镇村（社区）干部", "镇领导班子成员"),
    "乡": Place("乡", "乡", "乡村（社区）干部", "乡领导班子成员"),
    "区": Place("区", "区", "区、镇（街道）、村（社区）干部", "区和镇（街道）领导班子成员", "全区"),
    "县": Place(
        "县", "县", "县、乡镇（街道）、村（社区）干部", "县和乡镇（街道）领导班子成员", "全县"
    ),
}


def place(name: str, kind: UnitKind) -> Place:
    """The level ``name`` speaks for; by ``kind`` when the name does not say it (a
    district is a 区, anything else writes as the town of the 2024 report)."""
    for suffix, words in PLACES.items():
        if name.endswith(suffix):
            return words
    return PLACES["区" if kind is UnitKind.DISTRICT else "镇"]


def approx(count: int) -> str:
    """Counts of 100 or more as their leading digits + 余 (207 → 200余, 1250 → 1200余,
    23456 → 23000余); exact below 100 and when nothing is left over (300 → 300)."""
    if count < 100:
        return str(count)
    unit = 100 if count < 10_000 else 10 ** (len(str(count)) - 2)
    rounded = count // unit * unit
    return str(count) if rounded == count else f"{rounded}余"


def percent(rate: Rate) -> str:
    """ "100%" when exact, one decimal at most ("97.5%"), "—" when there is no figure."""
    return str(rate)


def rates_pair(first_name: str, first: Rate, second_name: str, second: Rate) -> str:
    """ "参考率及通过率均达100%" when both are 100%, else both stated."""
    if first.complete and second.complete:
        return f"{first_name}及{second_name}均达100%"
    return f"{first_name}{percent(first)}，{second_name}{percent(second)}"


def coverage(rate: Rate, *, whole: str = "全覆盖") -> str:
    """ "全覆盖" only when it really is 100%; otherwise "覆盖率97.5%"."""
    return whole if rate.complete else f"覆盖率{percent(rate)}"


# ---------------------------------------------------------------- an exam's audience

# How the report names each category of people, in the order it lists them.
AUDIENCE_LABELS = {
    Category.LEADER: "领导干部",
    Category.OFFICIAL: "机关干部",
    Category.VILLAGE_CADRE: "“两委”干部",
    Category.LEGAL_LIAISON: "法律明白人",
    Category.OTHER: "其他人员",
}
# Units named one by one up to this many; beyond, counted ("5个村（社区）").
NAMED_UNITS = 3
UNIT_NOUNS = {UnitKind.VILLAGE: "村（社区）", UnitKind.OFFICE: "科室（站所）"}


class Enrolled(NamedTuple):
    """People of one unit and one category on an exam's enrolment list."""

    unit: str
    kind: UnitKind
    category: Category
    count: int


def audience(groups: list[Enrolled], *, place: str, whole: frozenset[Category]) -> str:
    """Who an exam was for, as its enrolment says: "全镇领导干部、机关干部和8个村（社区）
    “两委”干部", "石佛村、红岩村6名“两委”干部". ``whole``: the categories the exam was
    set for across the whole place (its audience held the report's unit), which alone
    may be called 全{place}...; the others are named by unit with their number."""
    parts, run = [], False
    for category, label in AUDIENCE_LABELS.items():
        mine = [g for g in groups if g.category is category]
        if not mine:
            continue
        units = list(dict.fromkeys((g.unit, g.kind) for g in mine))
        if category in whole:
            text = (
                f"{len(units)}个村（社区）{label}" if category is Category.VILLAGE_CADRE else label
            )
            parts.append(text if run else f"全{place}{text}")
            run = True
        else:
            parts.append(f"{_units(units)}{sum(g.count for g in mine)}名{label}")
            run = False
    if len(parts) < 2:
        return "".join(parts)
    return "、".join(parts[:-1]) + "和" + parts[-1]


def _units(units: list[tuple[str, UnitKind]]) -> str:
    if len(units) <= NAMED_UNITS:
        return "、".join(name for name, _ in units)
    kinds = {kind for _, kind in units}
    noun = UNIT_NOUNS.get(kinds.pop(), "单位") if len(kinds) == 1 else "单位"
    return f"{len(units)}个{noun}"


def falls_short(rate: Rate, threshold: Decimal) -> bool:
    """A rate that belongs among the weak points, not the achievements: 0%, or not
    meeting ``threshold`` percent as the 达标情况 pages judge it (``stats.thresholds.
    meets``: as printed, so "89.96%", printed 90%, is not under 90)."""
    return bool(rate.denominator) and (not rate.numerator or not meets(rate, threshold))
