"""Numbers as people write them, for pages, messages and downloads."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

NO_FIGURE = "—"  # a rate with nothing to divide by, a missing score


def format_score(value: Decimal | None) -> str:
    """Jinja filter ``score``: 8.00 → "8", 7.50 → "7.5", None → ""."""
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"


def percent(fraction) -> Decimal | None:
    """The one rounding of every percentage shown (DESIGN §3): half up, at most one
    decimal, no trailing ".0" — 1/8 → 12.5, 2/3 → 66.7, 0.9745 → 97.5, 1 → 100.
    Pages, downloads (CSV and XLSX), the CLI and the report all print through it."""
    if fraction is None:
        return None
    exact = (Decimal(str(fraction)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return exact.quantize(Decimal(1)) if exact == exact.to_integral_value() else exact


def format_percent(fraction) -> str:
    """``percent`` as text: "12.5%", "100%", and "—" for no figure."""
    value = percent(fraction)
    return NO_FIGURE if value is None else f"{value}%"


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
        """Percent as every page and file prints it (``core.formatting.percent``):
        97.45 → 97.5, 100 → 100."""
        return percent(self.value)

    @property
    def complete(self) -> bool:
        return bool(self.denominator) and self.numerator == self.denominator

    def __str__(self) -> str:
        return format_percent(self.value)
