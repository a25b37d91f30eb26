"""Dates and months as people type and read them (issue 20.1): one parser for each, used by every
form, service and page, so "May 2026" and "2026-05" mean the same month everywhere."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template

from selfdirect.core.dates import format_date, month_name, parse_date, parse_moment, parse_month, period_name


@pytest.mark.parametrize("typed", ["2026-05", "May 2026", "may 2026", "  May   2026 ", "May 2026", "5/2026", "05 2026"])
def test_a_month_typed_any_usual_way_is_that_month(typed):
    assert parse_month(typed) == dt.date(2026, 5, 1)


@pytest.mark.parametrize("typed", ["", "May", "2026", "2026-13", "13/2026", "Maytember 2026", None])
def test_what_names_no_month_is_refused(typed):
    with pytest.raises(ValueError):
        parse_month(typed)


@pytest.mark.parametrize("typed", ["2026-10-31", "31 10 2026", "31/10/2026", "31-10-2026", "31 October 2026", "31 Oct 2026"])
def test_a_date_typed_any_usual_way_is_that_date(typed):
    assert parse_date(typed) == dt.date(2026, 10, 31)


@pytest.mark.parametrize("typed", ["", "31 11 2026", "2026-02-30", "yesterday", "10/31/2026"])
def test_what_names_no_date_is_refused(typed):
    with pytest.raises(ValueError):
        parse_date(typed)


def test_a_moment_is_a_date_and_a_24_hour_time():
    assert parse_moment("5 4 2026 23:00") == dt.datetime(2026, 4, 5, 23, 0)
    assert parse_moment("5 April 2026 23.30") == dt.datetime(2026, 4, 5, 23, 30)
    assert parse_moment("2026-04-05T23:00") == dt.datetime(2026, 4, 5, 23, 0)
    for bad in ("5 4 2026", "5 4 2026 25:00", "tonight"):
        with pytest.raises(ValueError):
            parse_moment(bad)


def test_dates_and_months_read_as_people_say_them():
    assert format_date(dt.date(2026, 4, 5)) == "5 April 2026"
    assert month_name(dt.date(2026, 4, 30)) == "April 2026"
    assert period_name("2026-04") == "April 2026"
    assert period_name("2026") == "2026"  # a whole year
    assert period_name("not a period") == "not a period"


def test_the_month_filter_takes_a_key_a_date_or_a_ledger_month():
    class LedgerMonth:
        start = dt.date(2026, 11, 1)

    template = Template("{% load selfdirect %}{{ a|month }}; {{ b|month }}; {{ c|month }}; {{ d|month }}")
    shown = template.render(Context({"a": "2026-05", "b": dt.date(2026, 6, 15), "c": LedgerMonth(), "d": ""}))
    assert shown == "May 2026; June 2026; November 2026; "
