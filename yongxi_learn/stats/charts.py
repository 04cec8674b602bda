"""Chart geometry for the server-rendered inline SVG (templates/stats/_charts.html).

No JavaScript: the page computes where each bar goes, the template draws it. The
drawing is 300 units wide and scales to the screen, so it reads on a 360 px phone;
every bar carries its number as text, and the same numbers are in the table below.
"""

from dataclasses import dataclass

from ..core.formatting import Rate

WIDTH = 300
LABEL_HEIGHT = 18
BAR_HEIGHT = 13
BAR_GAP = 3
GROUP_GAP = 10
BAR_AREA = 228  # 100% reaches here; the number is written after the bar


@dataclass(frozen=True)
class Bar:
    y: float
    width: float
    text: str
    css: str
    label: str


@dataclass(frozen=True)
class BarGroup:
    label: str
    y: float
    bars: list[Bar]


@dataclass(frozen=True)
class BarChart:
    title: str
    height: int
    groups: list[BarGroup]
    series: list[tuple[str, str]]  # (label, css class) for the legend
    width: int = WIDTH
    bar_area: int = BAR_AREA
    bar_height: int = BAR_HEIGHT


def _bar(rate: Rate, y: float, css: str, label: str) -> Bar:
    fraction = rate.value if rate.value is not None else 0
    return Bar(y, round(float(fraction) * BAR_AREA, 1), str(rate), css, label)


def rate_chart(title: str, rows: list[tuple[str, list[Rate]]], series: list[tuple[str, str]]):
    """Horizontal bars: per unit its label, then one bar per series (参考率, 通过率)."""
    groups, y = [], 26.0
    for label, rates in rows:
        bars = []
        bar_y = y + LABEL_HEIGHT
        for rate, (name, css) in zip(rates, series, strict=True):
            bars.append(_bar(rate, bar_y, css, name))
            bar_y += BAR_HEIGHT + BAR_GAP
        groups.append(BarGroup(label, y, bars))
        y = bar_y + GROUP_GAP
    return BarChart(title, int(y), groups, series)


def unit_rate_chart(report) -> BarChart:
    rows = [(r.label, [r.figures.participation, r.figures.pass_rate]) for r in report.rows]
    series = [("参考率", "bar-a"), ("通过率", "bar-b")]
    return rate_chart(f"{report.exam.title}：各单位参考率、通过率", rows, series)


# ---------------------------------------------------------------- histogram

PLOT_TOP, PLOT_HEIGHT, PLOT_LEFT, SLOT = 20, 120, 12, 27.6


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    height: float
    count: int
    label: str
    passing: bool


@dataclass(frozen=True)
class Histogram:
    title: str
    columns: list[Column]
    ticks: list[tuple[float, str]]
    baseline: float
    height: int
    width: int = WIDTH
    column_width: float = SLOT - 4


def histogram(title: str, bins: list) -> Histogram:
    highest = max((b.count for b in bins), default=0) or 1
    columns, ticks = [], []
    baseline = PLOT_TOP + PLOT_HEIGHT
    for i, b in enumerate(bins):
        height = round(b.count / highest * PLOT_HEIGHT, 1)
        x = round(PLOT_LEFT + i * SLOT, 1)
        columns.append(Column(x + 2, baseline - height, height, b.count, b.label, b.passing))
        if i % 2 == 0:  # every other tick: 13 px numbers would collide on a phone
            ticks.append((round(x, 1), _short(b.low)))
    if bins:
        ticks.append((round(PLOT_LEFT + len(bins) * SLOT, 1), _short(bins[-1].high)))
    return Histogram(title, columns, ticks, baseline, baseline + 24)


def _short(value) -> str:
    return f"{value.normalize():f}"
