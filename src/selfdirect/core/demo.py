"""The demo's calendar. A fresh demo has a year of history: its council started using selfdirect
twelve months before the day the demo is loaded (its caseload was brought in then), and people,
assessments, plans, budgets, payment runs, closes and reviews are dated across the twelve whole
months since. Every demo loader dates what it makes from one :class:`DemoCalendar`, built from the
load day (``timezone.localdate()``, or ``manage.py load_demo --today``), so the same day always
gives the same demo and any day gives a demo whose last twelve months are full.

The months are numbered from 0 (the first month of the history, twelve months before this one) to
11 (last month); 12 is this month, which the demo leaves open (its payment run not made yet)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

DEMO_AUTHORITIES = ("northshire", "southvale")
DEMO_PASSWORD = "selfdirect-demo"  # noqa: S105 - made-up accounts on made-up councils
HISTORY_MONTHS = 12
THIS_MONTH = HISTORY_MONTHS


def _shift(first: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after (or before) the month starting ``first``."""
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class DemoCalendar:
    today: dt.date

    @classmethod
    def on(cls, today: dt.date | None = None) -> DemoCalendar:
        return cls(today or timezone.localdate())

    @property
    def start(self) -> dt.date:
        """The first day of the history (month 0): the day the demo council went live."""
        return self.month_start(0)

    def month_start(self, month: int) -> dt.date:
        return _shift(self.today.replace(day=1), month - HISTORY_MONTHS)

    def month_end(self, month: int) -> dt.date:
        first = self.month_start(month)
        return first.replace(day=calendar.monthrange(first.year, first.month)[1])

    def label(self, month: int) -> str:
        """The month as the ledger and reports name it: 2026-11."""
        return f"{self.month_start(month):%Y-%m}"

    def day(self, month: int, day: int) -> dt.date:
        """Day ``day`` of ``month`` (the month's last day if it is shorter), never after today."""
        first = self.month_start(month)
        return min(first.replace(day=min(day, self.month_end(month).day)), self.today)

    def month_of(self, day: dt.date) -> int:
        """The number of the month holding ``day`` (negative before the history)."""
        return (day.year - self.today.year) * 12 + day.month - self.today.month + HISTORY_MONTHS

    def at(self, day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
        """A moment on ``day`` in the authority's time zone; on the real today, never later than now."""
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour % 24, minute % 60)))
        return min(moment, timezone.now()) if day == timezone.localdate() else moment

    @property
    def last_month(self) -> str:
        return self.label(THIS_MONTH - 1)

    def describe(self) -> str:
        """One line for the person loading the demo: which months hold what."""
        first, last = self.month_start(0), self.month_start(THIS_MONTH - 1)
        return (
            f"History: {first:%B %Y} to {last:%B %Y}, each month paid and closed; {self.today:%B %Y} is "
            f"open, its payment run not made yet. Reports for last month: --period {self.last_month}."
        )


def financial_year(day: dt.date) -> tuple[dt.date, dt.date]:
    """The English councils' financial year (1 April to 31 March) holding ``day``."""
    year = day.year if day.month >= 4 else day.year - 1
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def backdate(model: type[models.Model], pk: Any, **fields: Any) -> None:
    """Set the recorded moments of one demo row that its service stamps with "now" (created_at,
    agreed_at...) to when the demo says it happened. Never used on the audit log or the ledger's
    posted records, which are append-only."""
    model._default_manager.filter(pk=pk).update(**fields)
