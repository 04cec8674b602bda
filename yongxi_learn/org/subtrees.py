"""A unit's subtree in SQL: the rows under a unit, and their split into its child
units (办公室, 石佛村...) done by the database in one GROUP BY. Every figure, of every
feature, is counted over these."""

import sqlalchemy as sa

from ..extensions import db
from .models import OrgUnit


def subtree(path_column, unit: OrgUnit):
    """WHERE ``path_column`` lies in ``unit``'s subtree (an indexed range scan)."""
    return path_column.startswith(unit.path, autoescape=True)


def child_units(root: OrgUnit) -> list[OrgUnit]:
    return list(
        db.session.scalars(
            sa.select(OrgUnit)
            .where(OrgUnit.parent_id == root.id)
            .order_by(OrgUnit.sort_order, OrgUnit.id)
        )
    )


def child_bucket(path_column, root: OrgUnit, children: list[OrgUnit]):
    """A SQL expression giving, for a row under ``root``, the id of the child unit whose
    subtree holds it, or ``root.id`` for rows of the root unit itself. GROUP BY it to
    get one row per child unit (办公室, 石佛村...) in one query."""
    if not children:
        return sa.literal(root.id)
    return sa.case(
        *((path_column.startswith(c.path, autoescape=True), c.id) for c in children),
        else_=root.id,
    )


def unit_buckets(root: OrgUnit, children: list[OrgUnit]):
    """A subquery (unit_id, path, kind, bucket): each unit of ``root``'s subtree with its
    child_bucket. Join rows to it on their unit and GROUP BY ``bucket``: the CASE then
    runs once per unit (a few hundred) instead of once per row (20,000 people,
    100,000 sign-ins), and the grouping key is a plain integer. A MATERIALIZED common
    table expression: as a plain subquery SQLite merged it into the outer query and
    ran the CASE for every row again."""
    unit = sa.orm.aliased(OrgUnit, name="bucket_unit")
    return (
        sa.select(
            unit.id.label("unit_id"),
            unit.path.label("path"),
            unit.kind.label("kind"),
            child_bucket(unit.path, root, children).label("bucket"),
        )
        .where(subtree(unit.path, root))
        .cte("buckets")
        .prefix_with("MATERIALIZED")
    )
