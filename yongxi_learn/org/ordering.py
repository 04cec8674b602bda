"""One order for every list of units and people: the unit tree's order (siblings by
sort_order, then id), then, within a unit, by the rank of the 职务 (org/posts.py), then
by the pinyin of the name.

A unit's path holds ids ("/1/10/" sorts before "/1/2/") and ignores sort_order, so it
cannot order a list; the tree order is computed from the units and given to the query
as a CASE over unit ids.
"""

import sqlalchemy as sa

from ..extensions import db
from .models import OrgUnit, User
from .services import tree_order


def unit_positions() -> dict[int, int]:
    """Each unit's place in the whole tree's order (a few hundred rows at most)."""
    rows = db.session.execute(sa.select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.sort_order))
    return {unit.id: i for i, unit in enumerate(tree_order(rows))}


def unit_order(unit_id_column) -> sa.ColumnElement:
    """ORDER BY this to list rows of units in the tree's order."""
    positions = unit_positions()
    if not positions:
        return sa.literal(0)
    return sa.case(positions, value=unit_id_column, else_=len(positions))


def people_order(
    unit_id_column, post_rank=User.post_rank, name_sort=User.name_sort, user_id=User.id
) -> tuple:
    """ORDER BY these to list people by unit (tree order), rank, then name. The columns
    can be a subquery's (``people.c.post_rank`` ...)."""
    return unit_order(unit_id_column), post_rank, name_sort, user_id
