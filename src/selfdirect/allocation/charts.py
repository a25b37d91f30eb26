"""What-if charts, rendered on the server to SVG (matplotlib, Agg) with a table beside each."""

from __future__ import annotations

import base64
import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from selfdirect.core import spreadsheet  # noqa: E402


def _pounds(pence: int) -> float:
    # Display only: the chart's bar heights; every figure a reader sees is in the table, in pence-exact pounds.
    return pence / 100


def what_if_svg(result: dict[str, Any]) -> str:
    """A data URI of an SVG bar chart: total per stream, base against proposed."""
    streams = list(result["streams"])
    base = [_pounds(result["streams"][s]["base_pence"]) for s in streams]
    proposed = [_pounds(result["streams"][s]["proposed_pence"]) for s in streams]
    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=72)
    x = range(len(streams))
    ax.bar([i - 0.2 for i in x], base, width=0.4, label=result["base"]["policy_version"], color="#1d70b8")
    ax.bar(
        [i + 0.2 for i in x], proposed, width=0.4, label=result["proposed"]["policy_version"], color="#f47738"
    )
    ax.set_xticks(list(x))
    ax.set_xticklabels([s.replace("_", " ") for s in streams])
    ax.set_ylabel("£ a year")
    ax.legend(fontsize=8)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"£{v:,.0f}"))
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue().encode()).decode()


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
