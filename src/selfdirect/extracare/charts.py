"""The Extra Care charts: HTML bar charts (core/charts.py, core/includes/bar_chart.html), each
beside a table with the same figures, built from the figures the page (or the stored run) has."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from selfdirect.core.charts import Chart, bar_chart
from selfdirect.core.dates import format_date

from .templatetags.extracare import percent


def _decimal(value: Any, scale: int = 1) -> Decimal | None:
    """A stored figure (a float, or hours as text, in the JSON the page reads) as a Decimal for the
    chart, times ``scale`` (100 for a share drawn as a percentage); None (no figure) draws no bar."""
    if value is None or isinstance(value, bool):
        return None
    return Decimal(str(value)) * scale


def _flats(n: int) -> str:
    return f"{n} occupied flat{'' if n == 1 else 's'}"


CHART_ROWS = 10


def viability_chart(viability: dict[str, Any]) -> Chart | None:
    """Pooled headroom after planned care beside the core's weekly cost, at each number of occupied
    flats: where the first bar is at least as long as the second, pooling pays for the core."""
    core = viability["core_weekly_pence"]
    curve = viability["curve"]
    # One row a flat made a chart 4,000 px long on a phone for a 40-flat scheme: about ten rows, with
    # the break-even point and the full scheme always drawn (the table beside has every count).
    step = max(1, -(-len(curve) // CHART_ROWS))
    keep = {viability.get("break_even_occupancy"), curve[-1]["occupied"] if curve else None}
    shown = [p for i, p in enumerate(curve) if i % step == step - 1 or p["occupied"] in keep]
    every = f", every {step} flats" if step > 1 else ""
    return bar_chart(
        [(_flats(p["occupied"]), [p["headroom_pence"], core]) for p in shown],
        kind="pence", names=["Pooled headroom", "Core cost"],
        caption="Bar chart of the pooled headroom a week (what residents' budgets leave after planned care) "
        f"and the core's weekly cost by occupied flats{every}",
    )  # fmt: skip


def phasing_chart(steps: Sequence[dict[str, Any]]) -> Chart | None:
    """Block hours a week from each phasing step's start date, as the scheme fills."""
    return bar_chart(
        [(format_date(dt.date.fromisoformat(s["starts_on"])), [_decimal(s["weekly_hours"])]) for s in steps],
        kind="hours", caption="Bar chart of the block hours a week as the scheme fills, from the date each step starts",
    )  # fmt: skip


def utilisation_chart(result: dict[str, Any]) -> Chart | None:
    """A simulated year: the share of on-shift staff time in use, by hour of day (a stored result)."""
    by_hour = result.get("utilisation_by_hour") or []
    return bar_chart(
        [(f"{h:02d}:00", [_decimal(u, 100)]) for h, u in enumerate(by_hour)],
        kind="percent",
        caption=f"Bar chart of the share of on-shift staff time in use by hour of day, with "
        f"{percent(result.get('floating_share'))} of daytime cover floating",
    )


def response_chart(result: dict[str, Any]) -> Chart | None:
    """A sweep: median and 95th percentile minutes to answer a call at each floating share (a stored
    result, the means of its runs)."""
    runs = result.get("replications")
    return bar_chart(
        [(f"{percent(lv['floating_share'])} floating", [_decimal(lv["p50_minutes"]), _decimal(lv["p95_minutes"])])
         for lv in result.get("levels") or []],
        kind="minutes", names=["Median", "95th percentile"],
        caption=f"Bar chart of the median and 95th percentile minutes to answer a call (the mean of "
        f"{runs} run{'' if runs == 1 else 's'} at each level) by the share of daytime cover left floating",
    )  # fmt: skip
