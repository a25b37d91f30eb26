"""The what-if's chart (an HTML bar chart, core/charts.py, beside the table with the same figures)
and its tables as CSV."""

from __future__ import annotations

import io
from typing import Any

from selfdirect.core import spreadsheet, words
from selfdirect.core.charts import Chart, bar_chart


def stream_rows(result: dict[str, Any], authority: Any) -> list[tuple[str, dict[str, Any]]]:
    """The result's streams as (label, figures), in order of their labels: the result is kept as
    JSON, and PostgreSQL's jsonb does not keep the order its keys were written in."""
    return sorted(((words.label("stream", authority, s), row) for s, row in result["streams"].items()),
                  key=lambda pair: pair[0])  # fmt: skip


def what_if_chart(result: dict[str, Any], authority: Any) -> Chart | None:
    """Total a year per funding stream under each version, side by side: the streams and the
    versions named as the page names them (the authority's labels, never their codes)."""
    base, proposed = (
        words.label("policy_version", authority, result[side]["policy_version"])
        for side in ("base", "proposed")
    )
    caption = f"Bar chart of the total a year per funding stream now ({base}) and as proposed ({proposed})"
    if base == proposed:  # one version against itself: the key still tells the two apart
        base, proposed = f"{base} (now)", f"{proposed} (proposed)"
    return bar_chart(
        [(label, [row["base_pence"], row["proposed_pence"]]) for label, row in stream_rows(result, authority)],
        kind="pence", names=[base, proposed],
        caption=caption,
    )  # fmt: skip


def what_if_csv(result: dict[str, Any]) -> str:
    """The what-if tables as CSV: streams, then each reporting group (money in pence)."""
    out = io.StringIO()
    w = spreadsheet.writer(out)
    w.writerow(
        ["section", "key", "people", "base_pence", "proposed_pence", "change_pence", "winners", "losers"]
    )
    for s, row in result["streams"].items():
        w.writerow(
            [
                "stream",
                s,
                result["people"],
                row["base_pence"],
                row["proposed_pence"],
                row["change_pence"],
                "",
                "",
            ]
        )
    w.writerow(
        ["total", "all", result["people"], result["base"]["total_pence"], result["proposed"]["total_pence"],
         result["proposed"]["total_pence"] - result["base"]["total_pence"], result["winners"], result["losers"]]
    )  # fmt: skip
    for group, table in result["groups"].items():
        for key, row in table.items():
            w.writerow(
                [group, key, row["people"], row["base_pence"], row["proposed_pence"],
                 row["proposed_pence"] - row["base_pence"], row["winners"], row["losers"]]
            )  # fmt: skip
    return out.getvalue()
