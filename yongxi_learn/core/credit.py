"""学时 (yearly learning credit, DESIGN §3): the column every form of learning declares
its value in, its bounds, and how a value is written ("1.5学时", "12学时")."""

from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

# 0 to 99.9, one decimal: what a session, a reading, a course or a passed exam is worth.
CreditHours = sa.Numeric(4, 1)
HIGHEST = Decimal("99.9")
ZERO = Decimal(0)


def problem(value, label: str = "学时") -> str | None:
    """Why ``value`` cannot be a declared 学时, in words; None when it can."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return f"{label}应为数字"
    if not number.is_finite() or not ZERO <= number <= HIGHEST:
        return f"{label}应在0到{HIGHEST}之间"
    if number != number.quantize(Decimal("0.1")):
        return f"{label}最多保留一位小数"
    return None


def hours_text(value) -> str:
    """12.0 → "12", 1.50 → "1.5": the number as the pages and the report print it."""
    number = Decimal(value or 0).quantize(Decimal("0.1"))
    return f"{number.normalize():f}" if number else "0"
