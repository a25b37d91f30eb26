"""Cells for CSV and XLSX exports that a spreadsheet shows as text, never runs as formulas.

A family name ``=HYPERLINK("http://…","Click")`` or a payee ``@SUM(…)`` is data someone typed; opened
in Excel or LibreOffice straight from an export it would become a live formula ("CSV injection").
Every export writes its cells through :func:`safe_cell` (CSV through :func:`writer`), which puts a
single quote before a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return, as OWASP advises. Numbers are left alone, including numbers written as text: a refund of
``-12.50`` stays a number a spreadsheet can add up. An import reading an export back takes the quote
off again (:func:`unquote`), so an export still re-imports as it was.

Pure Python, so the engines' own CSVs (the Extra Care rota) use it too.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_MESSAGE = "must not start with =, +, - or @: a spreadsheet would take it for a formula"
"""Said where a value bound for a spreadsheet (a payee's name or account) is typed."""
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def formula_like(text: str) -> bool:
    """True when a spreadsheet could take ``text`` for a formula: it starts with one of
    :data:`FORMULA_STARTS` and is not simply a number."""
    return text[:1] in FORMULA_STARTS and _NUMBER.fullmatch(text) is None


def safe_cell(value: Any) -> Any:
    """``value`` as an export should write it: formula-like text gets a leading single quote;
    anything else (numbers, dates, ordinary text) is returned as it is."""
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]


def unquote(text: str) -> str:
    """The inverse of :func:`safe_cell` for a cell read back from an export."""
    if text.startswith("'") and formula_like(text[1:]):
        return text[1:]
    return text


class SafeWriter:
    """``csv.writer`` whose every cell goes through :func:`safe_cell`."""

    def __init__(self, out: Any, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: Any, **options: Any) -> SafeWriter:
    """The CSV writer every export uses (options as for ``csv.writer``)."""
    return SafeWriter(out, **options)
