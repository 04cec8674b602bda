"""Numbers as people write them, for pages and messages."""

from decimal import Decimal


def format_score(value: Decimal | None) -> str:
    """Jinja filter ``score``: 8.00 → "8", 7.50 → "7.5", None → ""."""
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"
