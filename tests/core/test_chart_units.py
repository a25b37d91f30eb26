"""Chart figures with a unit: hours and minutes as people write them, never in scientific notation."""

from __future__ import annotations

from decimal import Decimal

from selfdirect.core.charts import MINUS, bar_chart, figure


def test_hours_and_minutes_are_written_with_their_unit():
    assert figure(12.5, "hours") == "12.5 hours"
    assert figure(196.0, "hours") == "196 hours"  # no trailing noughts
    assert figure(342.25, "hours") == "342.25 hours"
    assert figure(1.0, "hours") == "1 hour"
    assert figure(0.0, "hours") == "0 hours"
    assert figure(24.82, "minutes") == "24.8 minutes"
    assert figure(6.0, "minutes") == "6 minutes"
    assert figure(1.04, "minutes") == "1 minute"
    assert figure(-2.26, "minutes") == f"{MINUS}2.3 minutes"


def test_large_and_tiny_figures_are_never_in_scientific_notation():
    assert figure(1e12, "hours") == "1,000,000,000,000 hours"
    assert figure(1e-7, "minutes") == "0 minutes"
    assert figure(123456789.5, "minutes") == "123,456,789.5 minutes"


def test_a_chart_of_hours_says_its_scale_in_hours():
    chart = bar_chart([("1 April 2026", [Decimal("310")]), ("1 June 2026", [Decimal("400")])],
                      kind="hours", caption="Bar chart of block hours")  # fmt: skip
    assert chart is not None
    assert (
        chart.caption
        == "Bar chart of block hours, on a scale from 0 hours to 400 hours. The table gives the figures."
    )
    assert [(row.label, row.bars[0].figure, row.bars[0].length) for row in chart.rows] == [
        ("1 April 2026", "310 hours", 77.5), ("1 June 2026", "400 hours", 100.0),
    ]  # fmt: skip
