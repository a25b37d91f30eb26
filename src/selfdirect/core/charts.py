"""Bar charts laid out as HTML, with a thin SVG bar per figure (core/includes/bar_chart.html).

A chart used to be one SVG drawn at a fixed size: scaled down to fit half a page its text was 9 px,
its labels were cut at 38 characters, and a share of 3.1% drew a bar as long as 100% when it was
the largest figure. Here the words are HTML text (body size, wrapping, readable at 320 px and in a
PDF) and each bar is a small SVG whose length is a percentage of its track, so nothing overlaps at
any width. Shares are drawn on a scale from 0% to 100%; money, counts, hours and minutes from
nought (or the lowest negative figure) to the highest. Every chart sits beside a table with the
same figures, so the bars are hidden from screen readers; the caption says what the chart shows and
on what scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .money import MINUS

BLUE = "#1d70b8"
GREEN = "#00703c"
RED = "#d4351c"
SERIES = (BLUE, GREEN)

Figure = int | Decimal | str | None


@dataclass(frozen=True)
class Bar:
    figure: str  # as the reader sees it: "66.7%", "−£1,667"
    start: float  # where the bar starts along its track, 0 to 100
    length: float  # how much of the track it covers, 0 to 100
    colour: str
    name: str = ""  # which figure of a pair ("Share at review"); "" when a row has one


@dataclass(frozen=True)
class Row:
    label: str
    bars: list[Bar]


@dataclass(frozen=True)
class Chart:
    caption: str
    rows: list[Row]
    key: list[tuple[str, str]]  # (colour, name) for a chart of pairs
    zero: float | None  # where nought is along the track, when some figure is below it
    scale: str  # "0% to 100%"

    @property
    def paired(self) -> bool:
        return bool(self.key)


# Figures with a unit, as (decimal places at most, the unit): "12.5 hours", "1 minute".
_UNITS = {"hours": (2, "hours"), "minutes": (1, "minutes")}


def figure(value: float, kind: str) -> str:
    """A chart's figure (pounds for money, hours and minutes with their unit), rounded as a chart
    needs it; never in scientific notation."""
    sign = MINUS if value < 0 else ""
    value = abs(value)
    if kind == "pence":
        return f"{sign}£{value:,.0f}"
    if kind == "percent":
        return f"{sign}{value:,.1f}%"
    if kind == "days":
        return f"{sign}{value:,.1f} days"
    if kind in _UNITS:
        places, unit = _UNITS[kind]
        shown = f"{value:,.{places}f}".rstrip("0").rstrip(".")  # "12.5", "196": no trailing noughts
        return f"{sign}{shown} {unit if shown != '1' else unit[:-1]}"
    return f"{sign}{value:,.0f}"


def _end(value: float, kind: str) -> str:
    """An end of the scale: 0% and 100% rather than 0.0% and 100.0%."""
    return f"{value:.0f}%" if kind == "percent" and value.is_integer() else figure(value, kind)


def _number(value: object, kind: str) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None  # nothing to divide by, say: no bar, and the table says why
    return float(value) / (100 if kind == "pence" else 1)  # display only: the table's figures are exact


def bar_chart(
    rows: Sequence[tuple[str, Sequence[Figure]]], *, kind: str, caption: str, names: Sequence[str] = ()
) -> Chart | None:
    """A chart of ``rows`` (a label, and one figure a series: pence, a percentage, a count, days,
    hours or minutes, as ``kind`` says; anything else draws no bar); with two ``names``, the two
    series side by side with a key. None when there is nothing to draw. ``caption`` says what is
    drawn; the scale is added to it."""
    numbers = [(label, [_number(v, kind) for v in values]) for label, values in rows]
    numbers = [(label, values) for label, values in numbers if any(v is not None for v in values)]
    if not numbers:
        return None
    drawn = [v for _, values in numbers for v in values if v is not None]
    low = min(0.0, *drawn)
    high = max(100.0 if kind == "percent" else 0.0, *drawn)
    span = (high - low) or 1.0
    chart_rows = []
    for label, values in numbers:
        bars = []
        for i, value in enumerate(values):
            if value is None:
                continue
            length = abs(value) / span * 100
            length = max(length, 0.5) if value else 0.0  # a figure other than nought always shows
            start = (min(value, 0.0) - low) / span * 100
            bars.append(Bar(figure(value, kind), round(start, 2), round(length, 2),
                            RED if value < 0 else SERIES[i], names[i] if len(names) > 1 else ""))  # fmt: skip
        chart_rows.append(Row(label, bars))
    scale = f"{_end(low, kind)} to {_end(high, kind)}"
    return Chart(
        caption=f"{caption}, on a scale from {scale}. The table gives the figures.",
        rows=chart_rows,
        key=list(zip(SERIES, names, strict=False)) if len(names) > 1 else [],
        zero=round(-low / span * 100, 2) if low < 0 else None,
        scale=scale,
    )
