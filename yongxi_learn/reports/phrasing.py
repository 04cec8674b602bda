"""How the town's reports write numbers: "8次", "200余人次", "100%", "均达100%".

Pure functions over plain numbers and ``stats.common.Rate``; the report template calls
them as filters.
"""

from ..stats.common import Rate


def approx(count: int) -> str:
    """Counts of 100 or more as their leading digits + 余 (207 → 200余, 1250 → 1200余,
    23456 → 23000余); exact below 100 and when nothing is left over (300 → 300)."""
    if count < 100:
        return str(count)
    unit = 100 if count < 10_000 else 10 ** (len(str(count)) - 2)
    rounded = count // unit * unit
    return str(count) if rounded == count else f"{rounded}余"


def percent(rate: Rate) -> str:
    """ "100%" when exact, one decimal at most ("97.5%"), "—" when there is no figure."""
    return str(rate)


def rates_pair(first_name: str, first: Rate, second_name: str, second: Rate) -> str:
    """ "参考率及通过率均达100%" when both are 100%, else both stated."""
    if first.complete and second.complete:
        return f"{first_name}及{second_name}均达100%"
    return f"{first_name}{percent(first)}，{second_name}{percent(second)}"


def coverage(rate: Rate, *, whole: str = "全覆盖") -> str:
    """ "全覆盖" only when it really is 100%; otherwise "覆盖率97.5%"."""
    return whole if rate.complete else f"覆盖率{percent(rate)}"
