"""Matrix (Essex style): level of need (rows) x where the person lives (columns) -> hours a week
(a figure, a range the policy says where to pay in, or 24/7), times an hourly rate, for a year."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import numpy as np

from ..money import CENTI, IntArray, format_fp, format_number, format_rate
from ..schema import MatrixCell, MatrixMethod
from .common import (
    UNCHOSEN_HOURLY_RATE,
    AllocationMethod,
    Everyone,
    Loc,
    OnePerson,
    Part,
    PolicyChecks,
    hours_fp,
    hours_twice_centi,
    year_of_hours,
)


class Matrix(AllocationMethod[MatrixMethod]):
    schema = MatrixMethod

    # ---- calculation
    def parts(self, person: OnePerson, m: MatrixMethod) -> list[Part]:
        row = person.answers.get(m.row_question)
        col = person.answers.get(m.column_question)
        if row is None or col is None:
            return [unanswered(m)]
        cell = m.cells[row][col]
        h2 = cell_hours_twice_centi(cell, m.hours_in_range)
        hourly = year_of_hours(person, m.rate, h2)
        if hourly is None:
            return [UNCHOSEN_HOURLY_RATE]
        rid, amount, fp = hourly
        return [explain(m, row, col, cell, h2, rid, amount, person.model.weeks_per_year, fp)]

    def population(
        self, everyone: Everyone, m: MatrixMethod, final: Mapping[str, IntArray]
    ) -> IntArray | int:
        """Each (row answer, column answer) pair's hours a week, looked up from one table; nothing
        without both answers, as for one person."""
        w = everyone.model.weeks_per_year
        rows, cols = everyone.codes(m.row_question), everyone.codes(m.column_question)
        if rows is None or cols is None:
            return 0
        row_cats = everyone.categories(m.row_question)
        col_cats = everyone.categories(m.column_question)
        # Index (row code + 1) x (columns + 1) + (column code + 1): an unanswered row or column
        # (code -1) lands on the table's first row or column, which holds no hours.
        width = len(col_cats) + 1
        h2 = np.zeros((len(row_cats) + 1) * width, np.int64)
        for i, r in enumerate(row_cats, 1):
            for j, c in enumerate(col_cats, 1):
                cell = m.cells.get(r, {}).get(c)
                if cell is not None:
                    h2[i * width + j] = cell_hours_twice_centi(cell, m.hours_in_range)
        idx = np.add(rows, np.int32(1), dtype=np.int64)
        np.multiply(idx, width, out=idx)
        np.add(idx, cols, out=idx)
        np.add(idx, 1, out=idx)
        rate = everyone.rate_fp(m.rate)
        if isinstance(rate, int):
            lut = np.array([hours_fp(int(h), rate, w) for h in h2.tolist()], np.int64)
            return np.take(lut, idx)
        return hours_fp(np.take(h2, idx), rate, w)

    # ---- checks
    def check(self, checks: PolicyChecks, m: MatrixMethod, loc: Loc, stream: str) -> None:
        checks.rate(m.rate, loc + ("rate",), ("hour",))
        rq = checks.question(m.row_question, loc + ("row_question",), ("single_choice",))
        cq = checks.question(m.column_question, loc + ("column_question",), ("single_choice",))
        if rq is None or cq is None or rq.type != "single_choice" or cq.type != "single_choice":
            return
        rows = [o.value for o in rq.options]
        cols = [o.value for o in cq.options]
        ranges = []
        for r, row in m.cells.items():
            if r not in rows:
                checks.add(loc + ("cells", r), f"{r!r} is not an option of {rq.id!r}")
                continue
            for c, cell in row.items():
                cloc = loc + ("cells", r, c)
                if c not in cols:
                    checks.add(cloc, f"{c!r} is not an option of {cq.id!r}")
                checks.hours(cell.min, cloc)
                checks.hours(cell.max, cloc)
                if cell.min > cell.max:
                    checks.add(
                        cloc,
                        f"the range runs from {cell.min} down to {cell.max}: put the lower figure first",
                    )
                elif cell.is_range:
                    ranges.append(cloc)
        # A range pays one of its figures: the policy must say which, never the engine.
        if ranges and m.hours_in_range is None:
            checks.add(
                ranges[0],
                "this cell is a range of hours: say which figure of a range the council pays with "
                "hours_in_range: lower, upper or midpoint",
            )
        for r in rows:
            for c in cols:
                if c not in m.cells.get(r, {}):
                    checks.add(
                        loc + ("cells", r) if r in m.cells else loc + ("cells",),
                        f"matrix has no hours for need {r!r} with tenure {c!r}",
                    )


def cell_hours_twice_centi(cell: MatrixCell, where: str | None) -> int:
    """A cell's hours a week (see :func:`.common.hours_twice_centi`); a single figure needs no
    ``where`` (the loader refuses a range without one)."""
    return hours_twice_centi(cell.min, cell.max, where or "lower")


# ---- explanation
def cell_text(cell: MatrixCell) -> str:
    """A cell as its table gives it: '10-15', '6', or '24/7 = 168'."""
    if cell.text == "24/7":
        return f"24/7 = {format_number(cell.max)}"
    if cell.is_range:
        return f"{format_number(cell.min)}-{format_number(cell.max)}"
    return format_number(cell.min)


def unanswered(m: MatrixMethod) -> Part:
    return Part(
        "matrix",
        "We need your level of need and where you live to work this out.",
        f"matrix needs {m.row_question} and {m.column_question}",
        0,
    )


def explain(
    m: MatrixMethod, row: str, col: str, cell: MatrixCell, h2: int, rid: str, amount: Decimal, w: int, fp: int
) -> Part:
    hours = Decimal(h2) / (2 * CENTI)
    tag = " (illustrative figures)" if m.illustrative else ""
    if cell.is_range:
        where = {"lower": "the lower end", "upper": "the upper end", "midpoint": "the middle"}[
            m.hours_in_range or "lower"
        ]
        person = (
            f"For your level of need and where you live, the council's guide is {cell_text(cell)} hours "
            f"a week, and it pays {where} of that range: {format_number(hours)} hours a week at "
            f"{format_rate(amount)} an hour."
        )
        figure = f"{cell_text(cell)} h/wk, {m.hours_in_range} = {format_number(hours)} h/wk"
    else:
        allows = (
            f"care round the clock (24/7), {format_number(hours)} hours a week,"
            if cell.text == "24/7"
            else f"{format_number(hours)} hours a week"
        )
        person = (
            f"For your level of need and where you live, the council allows {allows} at "
            f"{format_rate(amount)} an hour."
        )
        figure = f"{cell_text(cell)} h/wk"
    return Part(
        "matrix",
        person,
        f"matrix{tag}: {m.row_question}={row}, {m.column_question}={col} -> "
        f"{figure} x {rid} {format_rate(amount)}/h x {w} weeks = {format_fp(fp)}",
        fp,
    )


METHOD = Matrix()
