"""What every figure shares: rates that never divide by zero, and the split of a
unit subtree into its child units, done by the database in one GROUP BY."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from ..extensions import db
from ..org.models import OrgUnit

NO_FIGURE = "—"


@dataclass(frozen=True)
class Rate:
    """numerator / denominator, e.g. 参考人数 / 应考人数."""

    numerator: int
    denominator: int

    @property
    def value(self) -> Decimal | None:
        """The rate as a fraction, or None when there is nothing to divide by."""
        if not self.denominator:
            return None
        return Decimal(self.numerator) / Decimal(self.denominator)

    @property
    def percent(self) -> Decimal | None:
        """Percent rounded half up to one decimal: 97.45 → 97.5, 100 → 100."""
        if self.value is None:
            return None
        exact = (self.value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return exact.quantize(Decimal(1)) if exact == exact.to_integral_value() else exact

    @property
    def complete(self) -> bool:
        return bool(self.denominator) and self.numerator == self.denominator

    def __str__(self) -> str:
        return NO_FIGURE if self.percent is None else f"{self.percent}%"


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
