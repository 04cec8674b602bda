"""集中学习 in the statistics pages: the overview section, its downloads, and the name
lists behind its figures (参训名单, 未参训名单). Figures come from stats.queries."""

from dataclasses import dataclass
from decimal import Decimal

from ..core.formatting import Rate
from ..extensions import db
from ..org.models import Category, OrgUnit, UnitKind, User
from ..org.privacy import phone_shower
from . import queries
from .sections import Scope, Section, register_section
from .tables import Table, title_lines

OFFICIALS = (Category.LEADER, Category.OFFICIAL)
VILLAGE_CADRES = (Category.VILLAGE_CADRE,)
# The groups whose coverage the report speaks of: the town's officials (the 2024
# report's "全镇机关干部", leading cadres included: the label says so), and the 两委
# cadres of its villages (社区 included).
GROUPS = {
    "officials": ("机关干部（含领导干部）", OFFICIALS, (UnitKind.TOWN, UnitKind.OFFICE)),
    "village": ("村(社区)两委干部", VILLAGE_CADRES, (UnitKind.VILLAGE,)),
}


# Shown under the figures on the page and as the downloads' second title line.
DEFINITIONS = (
    "口径：参训人次=签到记录数；参训人数=去重人数；覆盖率=参训人数/年内在岗人数，"
    "签到按签到时所在单位和人员类别计入（其后调动的人员仍计在原单位），"
    "未签到的按现所在单位计；机关干部（含领导干部）=镇本级及科室站所的领导干部和机关干部；"
    "不含已取消场次和撤销的签到；补录=管理员代为签到"
)
TOTAL = "合计"


def own_label(unit: OrgUnit) -> str:
    """The row of a unit's own people, beside its child units' rows: "雍溪镇（本级）"
    (alone, "雍溪镇" would read as the town's total)."""
    return f"{unit.name}（本级）"


@dataclass(frozen=True)
class TrainingOverview:
    figures: queries.TrainingFigures
    rows: list[queries.TrainingUnitRow]
    total: queries.TrainingUnitRow  # the whole subtree, each person once
    coverage: dict[str, Rate]  # by GROUPS key
    villages: Rate  # villages with at least one 两委 cadre trained
    definitions: str = DEFINITIONS
    total_label: str = TOTAL

    def coverage_label(self, key: str) -> str:
        return f"{GROUPS[key][0]}覆盖率"

    def row_label(self, row: queries.TrainingUnitRow) -> str:
        return row_label(row, self.total.unit)


@dataclass(frozen=True)
class Attendee:
    """A row of the 参训名单: a person at the unit and category they signed in with."""

    person: User
    unit: OrgUnit
    category: Category
    times: int
    hours: Decimal
    manual: int  # of ``times``, marked by an admin (补录)
    reasons: tuple[str, ...]  # the reasons given for those marks, each once
    home_path: str  # the path of the person's unit now, for shown_phone

    @property
    def note(self) -> str:
        """备注: "补录1次（忘带手机）", or "" when the person signed in every time."""
        if not self.manual:
            return ""
        return f"补录{self.manual}次（{'、'.join(self.reasons)}）"


def build(scope: Scope) -> TrainingOverview:
    categories = [c.value for c in scope.categories]
    groups = queries.training_groups(scope.year, scope.unit)
    coverage = {}
    for key, (_, cats, kinds) in GROUPS.items():
        wanted = [c.value for c in cats if not scope.categories or c in scope.categories]
        coverage[key] = groups.coverage(wanted, kinds) if wanted else Rate(0, 0)
    figures = queries.training_figures(scope.year, scope.unit, categories)
    total = queries.TrainingUnitRow(
        scope.unit,
        figures.person_times,
        figures.people,
        figures.hours,
        groups.coverage(categories),  # = training_coverage(year, unit, categories)
    )
    return TrainingOverview(
        figures=figures,
        rows=queries.training_by_unit(scope.year, scope.unit, categories, groups),
        total=total,
        coverage=coverage,
        villages=queries.units_reached(
            scope.year, scope.unit, UnitKind.VILLAGE, [c.value for c in VILLAGE_CADRES]
        ),
    )


def attendees(scope: Scope) -> list[Attendee]:
    """参训名单 of the scope, with the 补录 among each row's sign-ins."""
    categories = [c.value for c in scope.categories]
    reasons: dict[tuple, list[str]] = {}
    marks = queries.training_marks_select(scope.year, scope.unit, categories)
    for user_id, unit_id, category, reason, _starts in db.session.execute(marks):
        found = reasons.setdefault((user_id, unit_id, Category(category)), [])
        if reason not in found:
            found.append(reason)
    rows = db.session.execute(queries.training_attendees_select(scope.year, scope.unit, categories))
    return [
        Attendee(
            person,
            unit,
            Category(category),
            times,
            Decimal(hours),
            manual,
            tuple(reasons.get((person.id, unit.id, Category(category)), ())),
            home_path,
        )
        for person, unit, category, times, hours, manual, home_path in rows
    ]


def uncovered(scope: Scope, key: str) -> list[User]:
    _, cats, kinds = GROUPS[key]
    wanted = [c.value for c in cats if not scope.categories or c in scope.categories]
    if not wanted:
        return []
    query = queries.training_uncovered_select(
        scope.year, scope.unit, wanted, [k.value for k in kinds]
    )
    return list(db.session.scalars(query))


def row_label(row: queries.TrainingUnitRow, root: OrgUnit) -> str:
    """The 单位 cell of a by-unit row: a child unit's name, or the root's own people."""
    return own_label(row.unit) if row.unit.id == root.id else row.unit.name


def _tables(scope: Scope, data: TrainingOverview) -> list[Table]:
    title = title_lines(scope.year, scope.unit, "集中学习统计", scope.categories)
    title[1] = DEFINITIONS
    summary = Table(
        name="集中学习汇总",
        headers=["单位", "参训人次", "参训人数", "学时", "覆盖率"],
        rows=[
            [label, r.person_times, r.people, r.hours, r.coverage]
            for label, r in [
                *((row_label(r, scope.unit), r) for r in data.rows),
                (TOTAL, data.total),
            ]
        ],
        title=title,
        rate_columns=frozenset({4}),
    )
    show = phone_shower()
    detail = Table(
        name="参训名单",
        headers=["单位（签到时）", "姓名", "手机号", "人员类别", "参训次数", "学时", "备注"],
        rows=[
            [
                a.unit.name,
                a.person.name,
                show(a.person.phone, a.home_path),
                a.category.label,
                a.times,
                a.hours,
                a.note,
            ]
            for a in attendees(scope)
        ],
        title=title,
        text_columns=frozenset({2}),
    )
    return [summary, detail]


def register() -> None:
    register_section(
        Section("training", "集中学习", build, "stats/_training_section.html", _tables)
    )
