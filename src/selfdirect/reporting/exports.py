"""Exports of any report table: CSV, XLSX, and an anonymised open-data extract with small
numbers suppressed."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook

from selfdirect.core import spreadsheet

from .indicators import Cell, Report, Table, plain_cell, plain_header

SMALL = 5
SUPPRESSED = "<5"


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = spreadsheet.writer(out)
    writer.writerow([plain_header(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([plain_cell(v, c.kind) for v, c in zip(row, table.columns, strict=True)])
    return out.getvalue()


def report_xlsx(tables: list[Table]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for table in tables:
        ws = wb.create_sheet(table.key[:31])
        ws.append(spreadsheet.safe_row([table.title]))
        ws.append(spreadsheet.safe_row([table.definition]))
        ws.append(spreadsheet.safe_row(plain_header(c) for c in table.columns))
        for row in table.rows:
            ws.append(
                spreadsheet.safe_row(
                    _xl(plain_cell(v, c.kind)) for v, c in zip(row, table.columns, strict=True)
                )
            )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _xl(value: str | int | Decimal) -> str | int | float:
    # openpyxl stores numbers as floats anyway; keep exact pounds as two-decimal strings' values
    return float(value) if isinstance(value, Decimal) else value


def suppress_row(table: Table, row: Sequence[Cell]) -> list[object]:
    """Counts from 1 to 4 become '<5'; nothing else does. Only a small count of people could
    point at someone; a target, a percentage, a sum of money or a number of days is published as
    it is (hiding them hid the 30% target itself, and every share on a row with a small count)."""
    out: list[object] = []
    for v, c in zip(row, table.columns, strict=True):
        if c.kind == "text":
            out.append(v if v is not None else "")
        elif c.kind == "count" and isinstance(v, int) and 0 < v < SMALL:
            out.append(SUPPRESSED)
        else:
            out.append(plain_cell(v, c.kind))
    return out


def open_data_csv(report: Report) -> str:
    """Every table (aggregates only, no names or references) in one long CSV for publication."""
    out = io.StringIO()
    writer = spreadsheet.writer(out)
    writer.writerow(["authority", "period", "table", "row", "measure", "value"])
    for table in report.tables:
        for row in table.rows:
            cells = suppress_row(table, row)
            label = cells[0]
            for value, column in zip(cells[1:], table.columns[1:], strict=True):
                writer.writerow([report.authority.slug, report.period.label, table.key, label,
                                 plain_header(column), value])  # fmt: skip
    return out.getvalue()
