"""Rates for unsocial hours come from the rate table: its bands and precedence (seed 004 Q4; nights
10 p.m. to 7 a.m., seed 003). Demo home-care rates: standard £15.00 (seed 002: SP £15-18 an hour),
evening £16.50, night £18.00, weekend £17.00, bank holiday £22.50."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from selfdirect.market import rates, services
from selfdirect.market.models import RateTable, Service


def at(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


@pytest.fixture
def home_care(market):
    return Service.objects.get(provider=market.north.providers[0], name="Home care")


def test_sunday_23_00_uses_the_night_rate_by_precedence(home_care):
    # 5 April 2026 is a Sunday (and Easter Sunday is not a bank holiday in England).
    quote = rates.quote(home_care, at(2026, 4, 5, 23, 0))
    assert (quote.pence, quote.band) == (1800, "night")
    assert rates.rate_for(home_care, at(2026, 4, 5, 23, 0)) == 1800
    assert quote.explanation == (
        "£18.00 per hour: the night rate of the rate table from 1 April 2026. Sunday 5 April 2026 at 23:00 falls "
        "in night and weekend; where several apply, the first in this order is used: bank holiday, night, weekend, "
        "evening, standard."
    )


def test_a_bank_holiday_overrides_the_night_rate(home_care):
    # Easter Monday, 6 April 2026, 23:00: bank holiday beats night.
    assert rates.rate_for(home_care, at(2026, 4, 6, 23, 0)) == 2250


@pytest.mark.parametrize(
    ("moment", "pence", "band"),
    [
        ((2026, 4, 7, 10, 0), 1500, "standard"),  # Tuesday morning
        ((2026, 4, 7, 19, 0), 1650, "evening"),  # Tuesday evening
        ((2026, 4, 7, 6, 0), 1800, "night"),  # before 7 a.m. is still night
        ((2026, 4, 11, 14, 0), 1700, "weekend"),  # Saturday afternoon
        ((2026, 4, 11, 19, 0), 1700, "weekend"),  # Saturday evening: weekend beats evening
    ],
)
def test_each_band(home_care, moment, pence, band):
    quote = rates.quote(home_care, at(*moment))
    assert (quote.pence, quote.band) == (pence, band)


def test_precedence_is_data_on_the_rate_table(home_care):
    RateTable.objects.filter(service=home_care).update(precedence="weekend,bank_holiday,night,evening")
    assert rates.rate_for(home_care, at(2026, 4, 5, 23, 0)) == 1700


def test_a_band_without_a_rate_falls_through_to_the_next(home_care):
    RateTable.objects.filter(service=home_care).update(night_pence=None)
    assert rates.quote(home_care, at(2026, 4, 5, 23, 0)).band == "weekend"
    assert rates.rate_for(home_care, at(2026, 4, 7, 23, 0)) == 1500  # weekday night: standard


def test_time_bands_are_data_too(home_care):
    RateTable.objects.filter(service=home_care).update(night_from=dt.time(23, 0))
    assert (
        rates.rate_for(home_care, at(2026, 4, 7, 22, 0)) == 1500
    )  # evening ends 22:00, night now starts 23:00


def test_cost_of_a_visit_across_bands(home_care):
    # Tuesday 21:30-22:30: half an hour at £16.50 and half at £18.00 = £17.25.
    assert rates.cost_for(home_care, at(2026, 4, 7, 21, 30), at(2026, 4, 7, 22, 30)) == 1725
    # A period takes the band in force for most of it.
    assert rates.rate_for(home_care, at(2026, 4, 7, 21, 30), at(2026, 4, 7, 23, 0)) == 1800


def test_no_rate_before_the_table_starts(home_care):
    with pytest.raises(rates.NoRate):
        rates.rate_for(home_care, at(2026, 3, 31, 10, 0))


def test_overlapping_rate_tables_are_refused_and_nothing_is_saved(home_care, world):
    before = RateTable.objects.count()
    with pytest.raises(services.ServiceError) as exc:
        services.save_rate_table(
            world.north.users["commissioner"], home_care,
            {"starts_on": dt.date(2027, 1, 1), "standard_pence": 1600}, "new rates",
        )  # fmt: skip
    assert "overlap" in exc.value.errors["starts_on"][0]
    assert RateTable.objects.count() == before
    # Ending the current table first makes room.
    table = home_care.rate_tables.get()
    services.save_rate_table(
        world.north.users["commissioner"], home_care, {"ends_on": dt.date(2026, 12, 31)}, "end", table
    )
    services.save_rate_table(
        world.north.users["commissioner"],
        home_care,
        {"starts_on": dt.date(2027, 1, 1), "standard_pence": 1600},
        "new",
    )
    assert rates.rate_for(home_care, at(2027, 1, 5, 10, 0)) == 1600
    assert rates.rate_for(home_care, at(2026, 12, 29, 10, 0)) == 1500


def test_a_service_needs_a_unit(market, world):
    with pytest.raises(services.ServiceError) as exc:
        services.save_service(
            world.north.users["commissioner"], market.north.providers[0],
            {"name": "Unitless", "support_type": "social", "unit": ""}, "x",
        )  # fmt: skip
    assert "unit" in exc.value.errors


@pytest.mark.parametrize(
    ("field", "value"), [("precedence", "night,weekend"), ("precedence", "night,night,weekend,evening,bank_holiday"),
                         ("weekend_days", "7")],
)  # fmt: skip
def test_bad_bands_are_refused(home_care, world, field, value):
    with pytest.raises(services.ServiceError) as exc:
        services.save_rate_table(
            world.north.users["commissioner"], home_care,
            {"starts_on": dt.date(2030, 1, 1), "standard_pence": 1600, field: value}, "x",
        )  # fmt: skip
    assert field in exc.value.errors


@pytest.mark.django_db
def test_rates_parse_precedence_names_every_band():
    assert rates.parse_precedence("bank_holiday,night,weekend,evening") == [
        "bank_holiday",
        "night",
        "weekend",
        "evening",
    ]
    with pytest.raises(ValueError, match="unknown"):
        rates.parse_precedence("holiday,night,weekend,evening")


@pytest.mark.postgres
def test_postgres_itself_refuses_overlapping_rate_tables(home_care):
    from django.db import IntegrityError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL-only; services.py checks on SQLite")
    with pytest.raises(IntegrityError, match="market_rate_no_overlap"), transaction.atomic():
        RateTable.objects.create(
            authority=home_care.authority, service=home_care, starts_on=dt.date(2027, 1, 1), standard_pence=1
        )
    # Adjacent tables are fine: end the first, start the next the day after.
    RateTable.objects.filter(service=home_care).update(ends_on=dt.date(2026, 12, 31))
    RateTable.objects.create(
        authority=home_care.authority, service=home_care, starts_on=dt.date(2027, 1, 1), standard_pence=1
    )
