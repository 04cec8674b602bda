"""The year's study figures (DESIGN §3) over a unit's subtree, from each list's and
reading's own figures (``study.figures``): leading cadres' 2 + 1 and reading
completion; exported through stats.queries."""

from dataclasses import dataclass

import sqlalchemy as sa

from ..core.formatting import Rate
from ..extensions import db
from ..org.models import Category, OrgUnit
from ..org.ordering import people_order
from ..study.figures import (
    ReadingFigures,
    StudyListFigures,
    reading_people_select,
    study_list_figures,
    study_people_select,
)
from ..study.plan_models import StudyList
from ..study.reading_models import ReadingAssignment
from ..study.readings import in_year

__all__ = [
    "LeaderStudy",
    "completion_of",
    "leader_study",
    "leaders_chosen_by_unit",
    "leaders_of",
    "leaders_unchosen",
    "lists_covering",
    "reading_completion",
]


@dataclass(frozen=True)
class LeaderStudy:
    year: int
    lists: int
    people: int
    chosen: Rate
    completed: Rate


def lists_covering(year: int, unit: OrgUnit) -> list[StudyList]:
    """The year's lists owned at, above or below ``unit``."""
    return [
        lst
        for lst in db.session.scalars(sa.select(StudyList).where(StudyList.year == year))
        if lst.owner_unit.contains(unit) or unit.contains(lst.owner_unit)
    ]


def leader_study(year: int, unit: OrgUnit) -> LeaderStudy:
    """Leading cadres' 2 + 1 for the year: per list and person (a person on two lists
    counts twice), selection done and completion."""
    lists = lists_covering(year, unit)
    people = chosen = completed = 0
    for lst in lists:
        rows = study_people_select(lst, unit, Category.LEADER).subquery()
        n, c, d = db.session.execute(
            sa.select(
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(rows.c.chosen), 0),
                sa.func.coalesce(sa.func.sum(rows.c.completed), 0),
            )
        ).one()
        people, chosen, completed = people + n, chosen + int(c), completed + int(d)
    return LeaderStudy(year, len(lists), people, Rate(chosen, people), Rate(completed, people))


def leaders_of(year: int, lists: list[StudyListFigures]) -> LeaderStudy:
    """leader_study(year, unit) from the lists' figures for the same unit (no query)."""
    n = sum(f.leaders[0] for f in lists)
    c, d = sum(f.leaders[1] for f in lists), sum(f.leaders[2] for f in lists)
    return LeaderStudy(year, len(lists), n, Rate(c, n), Rate(d, n))


def _readings_of_year(year: int, unit: OrgUnit) -> list[ReadingAssignment]:
    readings = db.session.scalars(sa.select(ReadingAssignment).where(in_year(year)))
    return [r for r in readings if r.owner_unit.contains(unit) or unit.contains(r.owner_unit)]


def completion_of(readings: list[ReadingFigures]) -> Rate:
    """reading_completion(year, unit) from the year's readings' figures for the unit."""
    return Rate(sum(f.confirmed.numerator for f in readings), sum(f.assigned for f in readings))


def reading_completion(year: int, unit: OrgUnit) -> Rate:
    """Confirmed / assigned over the year's readings (person-readings) in the subtree."""
    assigned = confirmed = 0
    for reading in _readings_of_year(year, unit):
        people = reading_people_select(reading, unit).subquery()
        n, c = db.session.execute(
            sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(people.c.confirmed), 0))
        ).one()
        assigned, confirmed = assigned + n, confirmed + int(c)
    return Rate(confirmed, assigned)


def leaders_chosen_by_unit(year: int, unit: OrgUnit) -> dict[int, Rate]:
    """leader_study(year, child).chosen for each child unit of ``unit`` (and, under
    ``unit``'s own id, for the people of ``unit`` itself): from each list's figures
    for the leading cadres, by child unit (a person on two lists counts twice)."""
    counts: dict[int, tuple[int, int]] = {}
    for lst in lists_covering(year, unit):
        for row in study_list_figures(lst, unit, Category.LEADER).by_unit:
            n, c = counts.get(row.unit.id, (0, 0))
            counts[row.unit.id] = (n + row.people, c + row.first.numerator)
    return {unit_id: Rate(c, n) for unit_id, (n, c) in counts.items()}


def leaders_unchosen(year: int, unit: OrgUnit, *, own: bool = False) -> list[str]:
    """The names behind leaders_chosen_by_unit's shortfall: the leading cadres of
    ``unit``'s subtree (``own``: of ``unit`` itself) who have not made the 2 + 1
    choice on one of the year's lists, in the people's order, each once."""
    names: dict[int, str] = {}
    for lst in lists_covering(year, unit):
        people = study_people_select(lst, unit, Category.LEADER).subquery()
        query = sa.select(people.c.user_id, people.c.name).where(people.c.chosen == 0)
        if own:
            query = query.where(people.c.unit_id == unit.id)
        c = people.c
        order = people_order(c.unit_id, c.post_rank, c.name_sort, c.user_id)
        for user_id, name in db.session.execute(query.order_by(*order)):
            names.setdefault(user_id, name)
    return list(names.values())
