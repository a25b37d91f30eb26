"""Statement charts, drawn on the server as SVG (a table beside each says the same in words)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def bars_svg(title: str, items: list[tuple[str, int]]) -> str:
    """A horizontal bar chart of pence amounts, in pounds, as an SVG string."""
    fig, ax = plt.subplots(figsize=(6, 0.5 + 0.45 * max(len(items), 1)))
    labels = [label for label, _ in items]
    values = [pence / 100 for _, pence in items]  # display only; the figures shown are pence-exact
    # A negative figure (money overspent) is drawn to the left of nought, in red, never left out.
    ax.barh(labels, values, color=["#1d70b8" if v >= 0 else "#d4351c" for v in values])
    if any(v < 0 for v in values):
        ax.axvline(0, color="#0b0c0c", linewidth=1)
    ax.invert_yaxis()
    ax.ticklabel_format(axis="x", style="plain", useOffset=False)
    ax.set_xlabel("£")
    ax.set_title(title)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    fig.tight_layout()
    out = io.StringIO()
    fig.savefig(out, format="svg")
    plt.close(fig)
    svg = out.getvalue()
    return svg[svg.index("<svg") :]
