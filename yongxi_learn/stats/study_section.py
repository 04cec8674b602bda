"""学习清单 and 阅读任务 in the statistics pages' year overview (figures from
stats.queries)."""

from dataclasses import dataclass

from ..core.formatting import Rate
from . import queries
from .sections import Scope, Section, register_section
from .study import _readings_of_year, lists_covering
from .tables import Table, title_lines

DEFINITIONS = (
    "口径：选学率=按规则完成选学人数/应学人数；完成率=学完全部条目人数/应学人数；"
    "阅读完成率=已确认/应读；领导干部应学人数按清单计（一人列入两份清单计两次）"
)


@dataclass(frozen=True)
class StudyOverview:
    leaders: queries.LeaderStudy
    lists: list[queries.StudyListFigures]
    readings: list[queries.ReadingFigures]
    reading_completion: Rate
    definitions: str = DEFINITIONS


def build(scope: Scope) -> StudyOverview:
    year, unit = scope.year, scope.unit
    lists = [queries.study_list_figures(lst, unit) for lst in lists_covering(year, unit)]
    readings = [queries.reading_figures(r, unit) for r in _readings_of_year(year, unit)]
    return StudyOverview(
        leaders=queries.leaders_of(year, lists),  # = leader_study(year, unit)
        lists=lists,
        readings=readings,
        reading_completion=queries.completion_of(readings),  # = reading_completion(...)
    )


def _tables(scope: Scope, data: StudyOverview) -> list[Table]:
    title = title_lines(scope.year, scope.unit, "学习清单与阅读任务", scope.categories)
    title[1] = DEFINITIONS
    rows = [
        ["学习清单", f.study_list.name, f.people, f.chosen, f.completed] for f in data.lists
    ] + [["阅读任务", f.reading.title, f.assigned, None, f.confirmed] for f in data.readings]
    return [
        Table(
            name="学习清单与阅读",
            headers=["类型", "名称", "应学/应读人数", "选学率", "完成率"],
            rows=rows,
            title=title,
            rate_columns=frozenset({3, 4}),
        )
    ]


def register() -> None:
    register_section(
        Section("study", "学习清单与阅读任务", build, "stats/_study_section.html", _tables)
    )
