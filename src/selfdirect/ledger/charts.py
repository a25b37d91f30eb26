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
    ax.barh(labels, values, color="#1d70b8")
    ax.invert_yaxis()
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
