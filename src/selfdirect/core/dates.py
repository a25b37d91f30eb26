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


def format_date(day: dt.date) -> str:
    """A date as people write it: "5 April 2026"."""
    return f"{day.day} {day:%B %Y}"


def date_text(value: object) -> str:
    """A date as people write it ("5 April 2026") from a date or a stored ISO date ("2026-04-05",
    as JSON results keep it); anything else as it is, None as nothing."""
    if isinstance(value, dt.date):
        return format_date(value)
    try:
        return format_date(dt.date.fromisoformat(str(value)))
    except ValueError:
        return "" if value is None else str(value)


def month_name(day: dt.date) -> str:
    """A month as people say it: "April 2026"."""
    return f"{day:%B %Y}"


DATE_FORMATS = ("%Y-%m-%d", "%d %m %Y", "%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y")
"""How a date may be typed: as people write it ("31 10 2026", "31/10/2026", "31 October 2026") or
as files and the API give it ("2026-10-31")."""


def _first_form(text: str, forms: tuple[str, ...], what: str) -> dt.date:
    """The day ``text`` names in the first of ``forms`` that reads it (spaces tidied first)."""
    cleaned = " ".join(str(text or "").split())
    for form in forms:
        try:
            return dt.datetime.strptime(cleaned, form).date()
        except ValueError:
            continue
    raise ValueError(f"not a {what}: {text!r}")


def parse_date(text: str) -> dt.date:
    """The date ``text`` names (see DATE_FORMATS); ValueError when it names none."""
    return _first_form(text, DATE_FORMATS, "date")


def parse_moment(text: str) -> dt.datetime:
    """A date and a 24-hour time as people type them ("5 4 2026 23:00", "5 April 2026 23:00"), or
    ISO ("2026-04-05T23:00"); naive (the caller places it in its time zone). ValueError otherwise."""
    cleaned = " ".join(str(text or "").split())
    try:
        return dt.datetime.fromisoformat(cleaned)
    except ValueError:
        pass
    day, _, clock = cleaned.rpartition(" ")
    time = dt.datetime.strptime(clock.replace(".", ":"), "%H:%M").time()
    return dt.datetime.combine(parse_date(day), time)


MONTH_FORMATS = ("%Y-%m", "%B %Y", "%b %Y", "%m/%Y", "%m %Y")
"""How a month may be typed: as people write it ("May 2026", "may 2026", "5/2026") or as files and
addresses key it ("2026-05")."""


def parse_month(text: str) -> dt.date:
    """The first day of the month ``text`` names (see MONTH_FORMATS); ValueError when it names none."""
    return _first_form(text, MONTH_FORMATS, "month")


def period_name(label: str) -> str:
    """A period as the system keys it ("2026-04", or a year "2026") as people say it ("April 2026",
    "2026"); anything else as it is."""
    try:
        return month_name(dt.datetime.strptime(label, "%Y-%m").date())
    except (TypeError, ValueError):
        return label
