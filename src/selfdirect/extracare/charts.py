"""Charts rendered on the server with matplotlib (Agg) as SVG, shown as images with a data table
beside each, so the page needs no JavaScript and screen-reader users get the figures."""

from __future__ import annotations

import base64
import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def data_uri(svg: str) -> str:
    """An SVG as a data: URI for an <img>, so the chart needs no extra request or script."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def viability_chart_svg(viability: dict[str, Any]) -> str:
    """Pooled headroom after planned care against the core's weekly cost, by occupied flats."""
    xs = [p["occupied"] for p in viability["curve"]]
    fig, ax = plt.subplots(figsize=(6, 3.4))
    ax.plot(xs, [p["headroom_pence"] / 100 for p in viability["curve"]], marker=".", label="Pooled headroom")
    ax.axhline(viability["core_weekly_pence"] / 100, linestyle="--", color="grey", label="Core cost")
    if viability["break_even_occupancy"]:
        ax.axvline(viability["break_even_occupancy"], linestyle=":", color="black", label="Break-even")
    ax.set_xlabel("Occupied flats")
    ax.set_ylabel("£ a week")
    ax.set_title("Can pooled budgets pay for the core?")
    ax.legend()
    return _svg(fig)


def phasing_chart_svg(steps: list[dict[str, Any]]) -> str:
    """Block hours a week as the scheme fills (a step chart)."""
    fig, ax = plt.subplots(figsize=(6, 3))
    labels = [s["starts_on"] for s in steps]
    ax.step(range(len(steps)), [float(s["weekly_hours"]) for s in steps], where="post", marker="o")
    ax.set_xticks(range(len(steps)), labels, rotation=20)
    ax.set_ylabel("Block hours a week")
    ax.set_title("Phasing in the block")
    return _svg(fig)
