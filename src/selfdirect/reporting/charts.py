"""The report tables' charts: each table names the columns to draw (core/charts.py draws them)."""

from __future__ import annotations

from selfdirect.core.charts import Chart, bar_chart

from .indicators import Table


def table_chart(table: Table) -> Chart | None:
    """The table's chart, or None when it has none or nothing to draw."""
    if table.chart is None or table.empty:
        return None
    label_col, value_col = table.chart
    columns = [value_col] if table.chart_beside is None else [value_col, table.chart_beside]
    rows = table.rows if table.chart_rows is None else table.rows[: table.chart_rows]
    names = [table.columns[c].label for c in columns]
    what = " and ".join(n.lower() for n in names)
    return bar_chart(
        [(str(row[label_col]), [row[c] for c in columns]) for row in rows],
        kind=table.columns[value_col].kind,
        caption=f"Bar chart of {what} by {table.columns[label_col].label.lower()}",
        names=names if len(columns) > 1 else (),
    )
