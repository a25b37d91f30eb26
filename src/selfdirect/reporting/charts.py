"""Charts drawn on the server as SVG (Agg backend); each sits beside a table saying the same."""

from __future__ import annotations

import io
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .indicators import Table  # noqa: E402


def table_svg(table: Table) -> str:
    """A horizontal bar chart of the table's chart column; '' when there is nothing to draw."""
    if table.chart is None or table.empty:
        return ""
    label_col, value_col = table.chart
    kind = table.columns[value_col].kind
    items = []
    for row in table.rows:
        value = row[value_col]
        if isinstance(value, int | Decimal):
            # display only: the figures in the table beside the chart are exact
            items.append((str(row[label_col])[:40], float(value) / (100 if kind == "pence" else 1)))
    if not items:
        return ""
    fig, ax = plt.subplots(figsize=(6, 0.6 + 0.4 * len(items)))
    ax.barh([i[0] for i in items], [i[1] for i in items], color="#1d70b8")
    ax.invert_yaxis()
    ax.set_xlabel({"pence": "£", "percent": "%", "days": "days"}.get(kind, "number"))
    ax.set_title(table.title[:70], fontsize=10)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    fig.tight_layout()
    out = io.StringIO()
    fig.savefig(out, format="svg")
    plt.close(fig)
    svg = out.getvalue()
    svg = svg[svg.index("<svg") :]
    return svg.replace("<svg ", '<svg role="img" aria-hidden="true" focusable="false" ', 1)
