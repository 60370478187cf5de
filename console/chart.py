"""Geometry of the frequent-issues bar chart. The SVG itself is written by the issues template, so every
category name in it goes through the template's autoescaping like any other text."""

from dataclasses import dataclass
from typing import List, Optional, Sequence

from customer_care.issue_log import CategoryTrend

LABEL_WIDTH = 190
BAR_AREA = 330
VALUE_WIDTH = 200
ROW_HEIGHT = 34
TOP = 34  # room for the legend
BAR_HEIGHT = 14
PREVIOUS_HEIGHT = 6
MAX_LABEL_CHARACTERS = 26


@dataclass(frozen=True)
class Bar:
    category: str
    label: str  # the category, shortened to fit; the full name is the bar's tooltip
    count: int
    previous_count: int
    trend: str
    y: int  # top of this row
    width: float
    previous_width: float

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 2

    @property
    def previous_y(self) -> int:
        return self.y + BAR_HEIGHT + 2

    @property
    def value_x(self) -> float:
        return LABEL_WIDTH + max(self.width, self.previous_width) + 8


@dataclass(frozen=True)
class BarChart:
    bars: List[Bar]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT
    previous_height: int = PREVIOUS_HEIGHT


def category_chart(trends: Sequence[CategoryTrend], top: int = 10) -> Optional[BarChart]:
    """Bars for the `top` categories, this period over the previous one; None when there is nothing to draw."""
    shown = [trend for trend in trends[:top] if trend.count or trend.previous_count]
    if not shown:
        return None
    longest = max(max(trend.count, trend.previous_count) for trend in shown)
    scale = BAR_AREA / longest
    bars = [
        Bar(
            category=trend.category,
            label=_shorten(trend.category.replace("_", " ")),
            count=trend.count,
            previous_count=trend.previous_count,
            trend=trend.trend,
            y=TOP + index * ROW_HEIGHT,
            width=round(trend.count * scale, 1),
            previous_width=round(trend.previous_count * scale, 1),
        )
        for index, trend in enumerate(shown)
    ]
    return BarChart(bars=bars, width=LABEL_WIDTH + BAR_AREA + VALUE_WIDTH, height=TOP + len(bars) * ROW_HEIGHT)


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_LABEL_CHARACTERS else text[: MAX_LABEL_CHARACTERS - 1] + "…"
