"""Dates as every app counts them, in one place (pure Python: the engines use it too)."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int, anchor_day: int | None = None) -> dt.date:
    """``months`` later (or earlier, when negative) on ``anchor_day``, by default the day's own; the
    month's last day when that day is not in it (31 January + 1 month is 28 or 29 February, and a
    schedule anchored on the 31st comes back to the 31st where it can)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(anchor_day or day.day, calendar.monthrange(year, month)[1]))


def month_name(day: dt.date) -> str:
    """A month as people say it: "April 2026"."""
    return f"{day:%B %Y}"
