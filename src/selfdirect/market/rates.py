"""Which rate applies when: the rate table's own time bands and precedence decide.

    rate_for(service, start)            -> pence per unit for the hour starting at ``start``
    quote(service, start, end)          -> the same, with the band, the table and why
    cost_for(service, start, end)       -> pence for a visit, split minute by minute across bands

A moment belongs to every band whose rule it meets (a bank holiday date; between the night times,
across midnight; a weekend day; between the evening times). Of the bands it belongs to and for
which the table has a rate, the first in the table's precedence wins; otherwise the standard rate.
For a period, the band in force for the most minutes applies; a tie goes to the stronger band.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from selfdirect.core.dates import format_date
from selfdirect.core.money import format_pence, round_pence

from .constants import ENHANCED_BANDS, Band
from .models import BankHoliday, RateTable, Service


class NoRate(LookupError):
    """No rate table covers the date asked about."""


def parse_precedence(text: str) -> list[str]:
    """'bank_holiday,night,weekend,evening' -> the list; refuses unknown or repeated bands."""
    bands = [b.strip() for b in text.split(",") if b.strip()]
    known = {str(b) for b in ENHANCED_BANDS}
    unknown = [b for b in bands if b not in known]
    if unknown:
        raise ValueError(f"unknown band(s): {', '.join(unknown)}; use {', '.join(sorted(known))}")
    if len(set(bands)) != len(bands):
        raise ValueError("each band may appear only once")
    if set(bands) != known:
        missing = sorted(known - set(bands))
        raise ValueError(f"name every enhanced band; missing: {', '.join(missing)}")
    return bands


def parse_days(text: str) -> set[int]:
    days = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) > 6:
            raise ValueError(f"{part!r} is not a day number from 0 (Monday) to 6 (Sunday)")
        days.add(int(part))
    return days


def _in_span(t: dt.time, start: dt.time, end: dt.time) -> bool:
    """Is ``t`` in [start, end)? A span whose end is before its start runs across midnight."""
    if start == end:
        return False
    if start < end:
        return start <= t < end
    return t >= start or t < end


def bands_at(table: RateTable, moment: dt.datetime, holidays: set[dt.date]) -> list[str]:
    """Every enhanced band ``moment`` (local time) belongs to, whether or not it has a rate."""
    t = moment.time()
    found = []
    if moment.date() in holidays:
        found.append(Band.BANK_HOLIDAY)
    if _in_span(t, table.night_from, table.night_until):
        found.append(Band.NIGHT)
    if moment.weekday() in parse_days(table.weekend_days):
        found.append(Band.WEEKEND)
    if _in_span(t, table.evening_from, table.evening_until):
        found.append(Band.EVENING)
    return [str(b) for b in found]


def band_for(table: RateTable, moment: dt.datetime, holidays: set[dt.date]) -> str:
    """The band whose rate applies at ``moment``: the first, by precedence, that has a rate."""
    member = set(bands_at(table, moment, holidays))
    for band in parse_precedence(table.precedence):
        if band in member and table.pence_for(band) is not None:
            return band
    return str(Band.STANDARD)


@dataclass(frozen=True)
class Quote:
    pence: int
    band: str
    table_id: int
    starts_on: dt.date
    explanation: str


def _local(moment: dt.datetime) -> dt.datetime:
    if timezone.is_naive(moment):
        return moment
    return timezone.localtime(moment)


def holidays_for(service: Service) -> set[dt.date]:

    return set(BankHoliday.objects.filter(authority_id=service.authority_id).values_list("date", flat=True))


def table_for(service: Service, day: dt.date) -> RateTable:
    table = service.rate_table_on(day)
    if table is None:
        raise NoRate(f"{service.name} has no rates for {format_date(day)}")
    return table


def _minutes(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    if end <= start:
        raise ValueError("the end must be after the start")
    count = int((end - start).total_seconds() // 60)
    return [start + dt.timedelta(minutes=i) for i in range(count)]


def quote(service: Service, start: dt.datetime, end: dt.datetime | None = None) -> Quote:
    """The rate per unit for [start, end) (an hour from ``start`` if no end), and why."""
    start = _local(start)
    end = _local(end) if end is not None else start + dt.timedelta(hours=1)
    table = table_for(service, start.date())
    holidays = holidays_for(service)
    order = [*parse_precedence(table.precedence), str(Band.STANDARD)]
    counts = Counter(band_for(table, m, holidays) for m in _minutes(start, end))
    band = min(counts, key=lambda b: (-counts[b], order.index(b)))
    pence = table.pence_for(band)
    assert pence is not None
    member = bands_at(table, start, holidays)
    why = (
        f"{format_pence(pence)} per {service.unit}: the {Band(band).label.lower()} rate of the rate table "
        f"from {format_date(table.starts_on)}. {start:%A} {format_date(start.date())} at {start:%H:%M} falls in "
        f"{' and '.join(Band(b).label.lower() for b in member) or 'no enhanced band'}; where several apply, the "
        f"first in this order is used: {', '.join(Band(b).label.lower() for b in order)}."
    )
    return Quote(pence, band, table.pk, table.starts_on, why)


def rate_for(service: Service, start: dt.datetime, end: dt.datetime | None = None) -> int:
    """The rate in pence per unit for the hour (or period) starting at ``start``."""
    return quote(service, start, end).pence


def cost_for(service: Service, start: dt.datetime, end: dt.datetime) -> int:
    """The price of an hourly service from ``start`` to ``end``, each minute at its own band's rate."""
    start, end = _local(start), _local(end)
    holidays = holidays_for(service)
    total = Decimal(0)
    tables: dict[dt.date, RateTable] = {}
    for moment in _minutes(start, end):
        day = moment.date()
        if day not in tables:
            tables[day] = table_for(service, day)
        table = tables[day]
        rate = table.pence_for(band_for(table, moment, holidays))
        assert rate is not None
        total += Decimal(rate) / 60
    return round_pence(total)
