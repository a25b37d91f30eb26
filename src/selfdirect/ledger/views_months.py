"""The months of the books as finance works through them, for the money page, the home page, the run
form and a run's page: which months are still open (the current month included, before anything is
posted in it), and for each month the next thing to do, as a link where there is a page for it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from selfdirect.core.dates import add_months, month_name
from selfdirect.core.models import Authority
from selfdirect.core.money import format_pence

from . import books, services
from .access import period_scope
from .constants import PeriodStatus, RunStatus
from .models import PaymentRun, Period

# How many months the money page lists, newest first.
MONTHS_SHOWN = 24
# The most open months offered at once (a council that has not closed a month for a year or more).
OPEN_SHOWN = 12


@dataclass(frozen=True)
class Month:
    """One month of the books and its next step: ``step`` says it, ``url`` is where it is done ("" when
    it is words only), ``note`` says how the month's payment run stands."""

    start: dt.date
    period: Period | None
    run: PaymentRun | None
    step: str
    url: str
    note: str

    @property
    def name(self) -> str:
        return month_name(self.start)

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m}"

    @property
    def is_closed(self) -> bool:
        return self.period is not None and self.period.status == PeriodStatus.CLOSED

    @property
    def status(self) -> str:
        return "Closed" if self.is_closed else "Open"


def _run_of(period: Period | None) -> PaymentRun | None:
    return next(iter(period.runs.all()), None) if period is not None else None


def run_note(run: PaymentRun | None) -> str:
    """How a month's payment run stands, in words."""
    if run is None:
        return "Not made yet"
    if run.status == RunStatus.DONE:
        return f"Finished: {run.paid_count} paid, {format_pence(run.paid_pence)}"
    return run.get_status_display()


def month(authority: Authority, start: dt.date, period: Period | None, run: PaymentRun | None) -> Month:
    """The month starting ``start`` and its next step: make its run, see it, close the month once its
    run has finished (or why it cannot be closed yet, as the close itself would say), or see what
    closing it did."""
    name = month_name(start)
    label = f"{start:%Y-%m}"
    note = run_note(run)
    if period is not None and period.status == PeriodStatus.CLOSED:
        return Month(start, period, run, f"Results of closing {name}", reverse("ledger:close", args=[label]), note)
    if run is None:
        return Month(start, period, run, f"Make the payment run for {name}",
                     f"{reverse('ledger:run-start')}?period={label}", note)  # fmt: skip
    run_url = reverse("ledger:run", args=[run.pk])
    if run.status == RunStatus.FAILED:
        return Month(start, period, run, f"See why the payment run for {name} stopped", run_url, note)
    if run.status != RunStatus.DONE or period is None:
        return Month(start, period, run, f"See the payment run for {name} ({note.lower()})", run_url, note)
    refusal = services.close_refusal(authority, period)
    if refusal:
        return Month(start, period, run, f"{refusal}.", "", note)
    return Month(start, period, run, f"Close {name}", reverse("ledger:close", args=[label]), note)


def open_months(user: Any, authority: Authority, today: dt.date) -> list[Month]:
    """The months still open, oldest first: every open month of the books, and the current month even
    before anything is posted in it (or, once the current month is closed, the next)."""
    through = books.closed_through(authority.pk)
    current = today.replace(day=1)
    if through is not None and current <= through:
        current = add_months(through, 1)
    periods = {
        p.start: p
        for p in period_scope(user, authority).filter(status=PeriodStatus.OPEN).prefetch_related("runs")
        if through is None or p.start > through
    }
    starts = sorted({*periods, current})
    if len(starts) > OPEN_SHOWN:  # the oldest (the next to close) and the latest (the next to pay)
        starts = [*starts[: OPEN_SHOWN - 1], starts[-1]]
    return [month(authority, s, periods.get(s), _run_of(periods.get(s))) for s in starts]


def months_table(user: Any, authority: Authority, opened: list[Month]) -> list[Month]:
    """The months for the money page's table, newest first: the open months (``opened``, from
    :func:`open_months`: those not posted in yet too) and the latest closed ones, each with its next
    step."""
    rows = {m.start: m for m in opened}
    for period in period_scope(user, authority).prefetch_related("runs").order_by("-start")[:MONTHS_SHOWN]:
        rows.setdefault(period.start, month(authority, period.start, period, _run_of(period)))
    return [rows[start] for start in sorted(rows, reverse=True)][:MONTHS_SHOWN]


def month_of_run(authority: Authority, run: PaymentRun) -> Month:
    """A run's month and its next step (closing it, once the run has finished)."""
    return month(authority, run.period.start, run.period, run)
