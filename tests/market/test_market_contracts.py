"""Contracts (seed 003 Section 2B; seed 002 "Contractual arrangements"; seed 004 Q7)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from selfdirect.core.models import AuditEvent
from selfdirect.market import services
from selfdirect.market.constants import BlockBasis, ContractKind, DoubleFunding, Funding
from selfdirect.market.models import Arrangement, Contract, ContractUsage


def contract_data(market, **extra):
    provider = market.north.providers[0]
    data = {
        "reference": "T-1", "title": "Test", "provider": provider, "service": provider.services.get(name="Home care"),
        "kind": ContractKind.BLOCK, "block_basis": BlockBasis.HOURS, "extra_care": True,
        "starts_on": dt.date(2026, 4, 1), "ends_on": dt.date(2029, 3, 31), "volume": Decimal(175),
        "unit_price_pence": 1500,
    }  # fmt: skip
    data.update(extra)
    return data


def test_extra_care_contract_dates_review_and_tender_notice(market, world):
    c = services.save_contract(
        world.north.users["commissioner"], world.north.authority, contract_data(market), "x"
    )
    assert c.review_on == dt.date(2027, 4, 1)  # annual review: the first anniversary
    # The council's notice period (6 months unless its market settings say otherwise) before the end
    assert c.tender_notice_on == dt.date(2028, 9, 30)
    assert services.contract_warnings(c) == []  # exactly three years: as seed 003 advises


def test_the_re_tendering_notice_is_the_councils_setting(market, world):
    side = world.north
    services.save_settings(side.users["commissioner"], side.authority, {"retender_notice_months": 9}, "x")
    c = services.save_contract(side.users["commissioner"], side.authority, contract_data(market), "x")
    assert c.tender_notice_on == dt.date(2028, 6, 30)  # 9 months before 31 March 2029


def test_an_extra_care_contract_longer_than_three_years_is_kept_with_a_warning(market, world, client):
    # Seed 003 2B: "should probably be no longer than three years"; integrated housing and care
    # agreements may run 20 or 25 years (2.5). Advice: shown, not a refusal.
    side = world.north
    c = services.save_contract(
        side.users["commissioner"], side.authority,
        contract_data(market, reference="ECH-25", ends_on=dt.date(2051, 3, 31)), "x",
    )  # fmt: skip
    assert Contract.objects.filter(pk=c.pk, ends_on=dt.date(2051, 3, 31)).exists()
    (warning,) = services.contract_warnings(c)
    assert "runs past 31 March 2029" in warning and "probably be no longer than three years" in warning
    client.force_login(side.users["commissioner"])
    page = client.get(f"/market/contracts/{c.pk}/").content.decode()
    assert 'data-testid="contract-warning"' in page and "runs past 31 March 2029" in page
    # Other contracts may run as long as they like, without a warning.
    other = services.save_contract(
        side.users["commissioner"], side.authority,
        contract_data(market, reference="T-2", extra_care=False, ends_on=dt.date(2031, 3, 31)), "x",
    )  # fmt: skip
    assert services.contract_warnings(other) == []


@pytest.mark.parametrize("field", ["volume", "posts", "units_set_aside"])
def test_volumes_below_zero_are_refused_naming_the_field(market, world, field):
    with pytest.raises(services.ServiceError) as exc:
        services.save_contract(
            world.north.users["commissioner"],
            world.north.authority,
            contract_data(market, **{field: Decimal(-1)}),
            "x",
        )
    assert field in exc.value.errors
    assert not Contract.objects.filter(reference="T-1").exists()


def test_a_block_needs_its_basis(market, world):
    with pytest.raises(services.ServiceError) as exc:
        services.save_contract(
            world.north.users["commissioner"],
            world.north.authority,
            contract_data(market, block_basis=""),
            "x",
        )
    assert "block_basis" in exc.value.errors


def test_abatement_takes_units_sold_to_budget_holders_off_the_block(market):
    # Demo block: 175 hours a week (seed 003 minimum cover) × £15.00 = £2,625.00; 12 hours sold to
    # budget holders × £15.00 = £180.00 abated; the authority pays £2,445.00.
    contract = market.north.contract
    usage = contract.usage.get(period_start=dt.date(2026, 4, 1))
    effect = services.contract_effect(contract, usage)
    assert (effect.block_pence, effect.adjustment_pence, effect.payment_pence) == (262500, -18000, 244500)
    assert effect.utilisation_percent == Decimal("96.0")  # 168 of 175 hours used
    assert "abated" in effect.explanation and "£2,445.00" in effect.explanation


def test_set_aside_and_increase_capacity(market):
    contract = market.north.contract
    usage = contract.usage.get(period_start=dt.date(2026, 4, 1))
    contract.double_funding = DoubleFunding.SET_ASIDE
    contract.units_set_aside = Decimal(10)
    effect = services.contract_effect(contract, usage)
    # 10 hours set aside are not paid by the block: £2,625.00 - £150.00.
    assert effect.payment_pence == 247500
    assert "bought 10 of the 10 set-aside" in effect.explanation and "2.00 more" in effect.explanation
    contract.double_funding = DoubleFunding.INCREASE_CAPACITY
    effect = services.contract_effect(contract, usage)
    assert effect.payment_pence == 262500 and effect.capacity_units == Decimal(187)


def test_lump_sum_and_spot(market, world):
    c = services.save_contract(
        world.north.users["commissioner"], world.north.authority,
        contract_data(market, block_basis=BlockBasis.LUMP_SUM, lump_sum_pence=300000, double_funding=DoubleFunding.ABATE),
        "x",
    )  # fmt: skip
    u = services.record_usage(None, c, {"period_start": dt.date(2026, 4, 1), "period_end": dt.date(2026, 4, 7),
                                        "units_used": Decimal(100), "budget_units": Decimal(4)}, "x")  # fmt: skip
    assert services.contract_effect(c, u).payment_pence == 300000 - 6000
    spot = services.save_contract(
        world.north.users["commissioner"], world.north.authority,
        contract_data(market, reference="S-1", kind=ContractKind.SPOT, block_basis=""), "x",
    )  # fmt: skip
    u = services.record_usage(None, spot, {"period_start": dt.date(2026, 4, 1), "period_end": dt.date(2026, 4, 7),
                                           "units_used": Decimal("10.5")}, "x")  # fmt: skip
    assert services.contract_effect(spot, u).payment_pence == 15750


def test_usage_below_zero_or_outside_the_contract_is_refused(market):
    contract = market.north.contract
    count = ContractUsage.objects.count()
    for data, field in [
        (
            {
                "period_start": dt.date(2026, 5, 1),
                "period_end": dt.date(2026, 5, 7),
                "units_used": Decimal(-1),
            },
            "units_used",
        ),
        (
            {
                "period_start": dt.date(2030, 5, 1),
                "period_end": dt.date(2030, 5, 7),
                "units_used": Decimal(1),
            },
            "period_start",
        ),
        (
            {
                "period_start": dt.date(2026, 5, 7),
                "period_end": dt.date(2026, 5, 1),
                "units_used": Decimal(1),
            },
            "period_end",
        ),
    ]:
        with pytest.raises(services.ServiceError) as exc:
            services.record_usage(None, contract, data, "x")
        assert field in exc.value.errors
    assert ContractUsage.objects.count() == count


def test_moving_from_block_to_personal_budget_leaves_no_gap_and_no_overlap(market, world):
    # Seed 004 Q7: "In a transition from a block contract to a PB there should be no hiatus in payment".
    old = market.north.arrangement
    assert old.funding == Funding.BLOCK and old.ends_on is None
    new = services.transfer_to_budget(
        world.north.users["assessor"], old, dt.date(2026, 6, 15), "Chose a personal budget"
    )
    old.refresh_from_db()
    assert old.ends_on == dt.date(2026, 6, 14)
    assert new.starts_on == dt.date(2026, 6, 15)
    assert (new.starts_on - old.ends_on).days == 1  # no gap, no overlap
    assert new.funding == Funding.BUDGET and new.contract is None and new.previous == old
    assert new.service == old.service and new.units_per_week == old.units_per_week
    # Every day from the start is paid by exactly one of the two.
    day = old.starts_on
    while day <= dt.date(2026, 12, 31):
        paying = [a for a in (old, new) if a.starts_on <= day and (a.ends_on is None or day <= a.ends_on)]
        assert len(paying) == 1, day
        day += dt.timedelta(days=1)
    assert AuditEvent.objects.filter(person_id=old.person_id, object_type="market.arrangement").count() >= 3


@pytest.mark.parametrize("day", [dt.date(2026, 4, 1), dt.date(2026, 3, 1)])
def test_a_transfer_on_or_before_the_start_is_refused(market, world, day):
    with pytest.raises(services.ServiceError) as exc:
        services.transfer_to_budget(world.north.users["assessor"], market.north.arrangement, day, "x")
    assert "transfer_on" in exc.value.errors
    assert Arrangement.objects.filter(person=market.north.arrangement.person).count() == 1
    market.north.arrangement.refresh_from_db()
    assert market.north.arrangement.ends_on is None


def test_a_budget_arrangement_cannot_be_transferred_again(market, world):
    new = services.transfer_to_budget(None, market.north.arrangement, dt.date(2026, 6, 15), "x")
    with pytest.raises(services.ServiceError):
        services.transfer_to_budget(None, new, dt.date(2026, 7, 1), "x")


def test_preferred_services_for_virtual_budgets(market, world):
    entries = services.preferred_services(world.north.authority, dt.date(2026, 5, 1))
    assert sorted(e.fixed_price_pence for e in entries) == [1500, 1600]
    assert not services.preferred_services(world.north.authority, dt.date(2026, 3, 1)).exists()
