"""集中学习 in the statistics pages: the overview section, its downloads, and the name
lists behind its figures (参训名单, 未参训名单). Figures come from stats.queries."""

from dataclasses import dataclass

from ..extensions import db
from ..org.models import Category, UnitKind, User
from ..stats import queries
from ..stats.common import Rate
from ..stats.sections import Scope, Section, register_section
from ..stats.tables import Table, title_lines

OFFICIALS = (Category.LEADER, Category.OFFICIAL)
VILLAGE_CADRES = (Category.VILLAGE_CADRE,)
# The groups whose coverage the report speaks of: the town's officials, and the 两委
# cadres of its villages (社区 included).
GROUPS = {
    "officials": ("机关干部（含领导干部）", OFFICIALS, (UnitKind.TOWN, UnitKind.OFFICE)),
    "village": ("村(社区)两委干部", VILLAGE_CADRES, (UnitKind.VILLAGE,)),
}


DEFINITIONS = (
    "口径：参训人次=签到记录数；参训人数=去重人数；覆盖率=参训人数/年内在岗人数"
    "（不含已取消场次和撤销的签到）"
)


@dataclass(frozen=True)
class TrainingOverview:
    figures: queries.TrainingFigures
    rows: list[queries.TrainingUnitRow]
    coverage: dict[str, Rate]  # by GROUPS key
    villages: Rate  # villages with at least one 两委 cadre trained


def build(scope: Scope) -> TrainingOverview:
    categories = [c.value for c in scope.categories]
    groups = queries.training_groups(scope.year, scope.unit)
    coverage = {}
    for key, (_, cats, kinds) in GROUPS.items():
        wanted = [c.value for c in cats if not scope.categories or c in scope.categories]
        coverage[key] = groups.coverage(wanted, kinds) if wanted else Rate(0, 0)
    return TrainingOverview(
        figures=queries.training_figures(scope.year, scope.unit, categories),
        rows=queries.training_by_unit(scope.year, scope.unit, categories, groups),
        coverage=coverage,
        villages=queries.units_reached(
            scope.year, scope.unit, UnitKind.VILLAGE, [c.value for c in VILLAGE_CADRES]
        ),
    )


def attendees(scope: Scope):
    categories = [c.value for c in scope.categories]
    return db.session.execute(queries.training_attendees_select(scope.year, scope.unit, categories))


def uncovered(scope: Scope, key: str) -> list[User]:
    _, cats, kinds = GROUPS[key]
    wanted = [c.value for c in cats if not scope.categories or c in scope.categories]
    if not wanted:
        return []
    query = queries.training_uncovered_select(
        scope.year, scope.unit, wanted, [k.value for k in kinds]
    )
    return list(db.session.scalars(query))


def _tables(scope: Scope, data: TrainingOverview) -> list[Table]:
    title = title_lines(scope.year, scope.unit, "集中学习统计", scope.categories)
    title[1] = (
        "口径：参训人次=签到记录数；参训人数=去重人数；覆盖率=参训人数/在岗人数（不含已取消场次）"
    )
    summary = Table(
        name="集中学习汇总",
        headers=["单位", "参训人次", "参训人数", "学时", "覆盖率"],
        rows=[[r.unit.name, r.person_times, r.people, r.hours, r.coverage] for r in data.rows],
        title=title,
        rate_columns=frozenset({4}),
    )
    detail = Table(
        name="参训名单",
        headers=["单位", "姓名", "手机号", "人员类别", "参训次数", "学时"],
        rows=[
            [u.unit.name, u.name, u.phone, u.category.label, times, hours]
            for u, times, hours in attendees(scope)
        ],
        title=title,
        text_columns=frozenset({2}),
    )
    return [summary, detail]


def register() -> None:
    register_section(
        Section("training", "集中学习", build, "stats/_training_section.html", _tables)
    )
