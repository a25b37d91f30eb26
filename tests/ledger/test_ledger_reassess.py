"""Reassessment replaces an agreed budget (seed 004 Q5): the old one ends the day before the new
one starts, instalments neither double-pay nor leave a gap across the changeover, the unpaid
commitment is released, and the reasons sit beside both figures. Figures worked by hand."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from ledger_support import YEAR_END, YEAR_START, make_budget

from helpers import client_for, token_for
from selfdirect.core.constants import Role
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import AuditEvent
from selfdirect.ledger import books, services
from selfdirect.ledger.constants import BudgetStatus
from selfdirect.ledger.models import Budget, Instalment, Payment, Transaction

REASON = "Reassessed after a fall: needs help at night (review of 10 June)"


def _pay(world, *months):
    finance = world.north.users[Role.FINANCE]
    for month in months:
        services.execute_run(services.start_run(finance, world.north.authority, month).pk)


def _live(*budgets):
    """Every instalment still to be paid or paid, in date order."""
    return sorted(Instalment.objects.filter(budget__in=budgets, cancelled=False), key=lambda i: i.covers_from)


def _assert_contiguous(instalments):
    assert instalments[0].covers_from == YEAR_START and instalments[-1].covers_to == YEAR_END
    for before, after in zip(instalments, instalments[1:]):
        assert after.covers_from == before.covers_to + dt.timedelta(days=1), (before, after)


def test_a_change_on_a_month_boundary_ends_the_old_budget_and_pays_the_new_one_from_that_day(world):
    finance = world.north.users[Role.FINANCE]
    old = make_budget(world.north.caseload_person, 624000)  # £520 a month
    _pay(world, "2026-04", "2026-05", "2026-06")
    new = services.reassess_budget(
        finance, old, on=dt.date(2026, 7, 1), agreed_annual_pence=730000, reason=REASON,
        approved_by_ref="Support plan approved 20 June",
    )  # fmt: skip
    old.refresh_from_db()
    assert old.period_end == dt.date(2026, 6, 30) and old.status == BudgetStatus.ENDED
    assert old.instalments.filter(cancelled=True).count() == 9  # July to March, unpaid
    assert new.replaces == old and new.change_reason == REASON and new.status == BudgetStatus.AGREED
    assert new.starts_on == dt.date(2026, 7, 1) and new.period_end == YEAR_END
    # 274 days of 365 at £7,300 a year = £20 a day x 274 = £5,480.00
    assert sum(new.instalments.values_list("amount_pence", flat=True)) == 548000
    _assert_contiguous(_live(old, new))
    chart = books.Chart(world.north.authority)
    assert books.balance(chart.budget(old.pk)) == 0  # 624000 committed - 156000 paid - 468000 released
    assert Transaction.objects.get(kind="release", budget=old).legs.get(side="C").amount == 468000
    assert books.balance(chart.budget(new.pk)) == 548000
    _pay(world, "2026-07")
    july = Payment.objects.filter(run__period__start=dt.date(2026, 7, 1))
    # 548000 over 9 equal months: 60888.89 -> eight of 60889 and one of 60888; July is the first
    assert list(july.values_list("instalment__budget_id", "amount_pence")) == [(new.pk, 60889)]
    tb = books.trial_balance(world.north.authority)
    assert sum(r["debits"] for r in tb) == sum(r["credits"] for r in tb)


def test_a_change_inside_an_unpaid_month_cuts_that_instalment_pro_rata(world):
    finance = world.north.users[Role.FINANCE]
    old = make_budget(world.north.caseload_person, 624000)
    _pay(world, "2026-04", "2026-05")
    new = services.reassess_budget(
        finance, old, on=dt.date(2026, 6, 15), agreed_annual_pence=730000, reason=REASON,
        approved_by_ref="reassessment 10 June",
    )  # fmt: skip
    june = old.instalments.get(seq=3)
    # June covers 30 days; 14 of them (1-14 June) stay with the old budget: 52000 x 14 / 30 = 24266.67
    assert (june.covers_from, june.covers_to, june.amount_pence) == (
        dt.date(2026, 6, 1), dt.date(2026, 6, 14), 24267
    )  # fmt: skip
    old.refresh_from_db()
    assert old.status == BudgetStatus.ACTIVE and old.period_end == dt.date(2026, 6, 14)  # June still to pay
    # 15 June to 31 March is 290 days: £20 a day = £5,800.00
    assert sum(new.instalments.values_list("amount_pence", flat=True)) == 580000
    live = _live(old, new)
    _assert_contiguous(live)
    # The year costs exactly the two parts: April and May, 14 days of June, then the new budget.
    assert sum(i.amount_pence for i in live) == 52000 * 2 + 24267 + 580000
    released = Transaction.objects.get(kind="release", budget=old).legs.get(side="C").amount
    assert released == (52000 - 24267) + 9 * 52000
    _pay(world, "2026-06")
    paid_june = dict(
        Payment.objects.filter(run__period__start=dt.date(2026, 6, 1)).values_list(
            "instalment__budget_id", "instalment__covers_from"
        )
    )
    assert paid_june == {old.pk: dt.date(2026, 6, 1), new.pk: dt.date(2026, 6, 15)}
    # Paying June again pays nothing twice.
    before = Payment.objects.count()
    _pay(world, "2026-06")
    assert Payment.objects.count() == before
    chart = books.Chart(world.north.authority)
    assert books.balance(chart.budget(old.pk)) == 0


def test_the_run_that_pays_a_replaced_budgets_last_instalment_ends_it(world):
    finance = world.north.users[Role.FINANCE]
    old = make_budget(world.north.caseload_person, 624000)
    _pay(world, "2026-04", "2026-05")
    new = services.reassess_budget(
        finance, old, on=dt.date(2026, 6, 15), agreed_annual_pence=730000, reason=REASON, approved_by_ref="plan",
    )  # fmt: skip
    old.refresh_from_db()
    assert old.status == BudgetStatus.ACTIVE  # 1-14 June (24267p) still to pay
    other = make_budget(world.north.other_person, 624000)  # paid in the same run, not replaced
    _pay(world, "2026-06")
    old.refresh_from_db()
    new.refresh_from_db()
    other.refresh_from_db()
    assert old.status == BudgetStatus.ENDED
    assert (new.status, other.status) == (BudgetStatus.ACTIVE, BudgetStatus.ACTIVE)
    assert Payment.objects.get(instalment__budget=old, instalment__seq=3).amount_pence == 24267
    event = AuditEvent.objects.get(
        object_type="ledger.budget", object_id=str(old.pk), reason__startswith="Replaced at"
    )
    assert event.changes == {"status": ["active", "ended"]} and "2026-06 run" in event.reason
    _pay(world, "2026-07")  # the ended budget has nothing more; the new one is paid on
    assert not Payment.objects.filter(instalment__budget=old, run__period__start=dt.date(2026, 7, 1)).exists()
    assert Payment.objects.filter(instalment__budget=new, run__period__start=dt.date(2026, 7, 1)).count() == 1


def test_a_change_dated_inside_a_paid_instalment_takes_effect_after_what_was_paid(world):
    finance = world.north.users[Role.FINANCE]
    old = make_budget(world.north.caseload_person, 624000)
    _pay(world, "2026-04", "2026-05", "2026-06")  # June is paid in advance, to 30 June
    new = services.reassess_budget(
        finance, old, on=dt.date(2026, 6, 15), agreed_annual_pence=730000, reason=REASON, approved_by_ref="plan",
    )  # fmt: skip
    assert new.starts_on == dt.date(2026, 7, 1)
    assert sum(new.instalments.values_list("amount_pence", flat=True)) == 548000
    _assert_contiguous(_live(old, new))


def test_short_term_changes_and_bad_input_are_refused_with_nothing_half_written(world):
    finance = world.north.users[Role.FINANCE]
    old = make_budget(world.north.caseload_person, 624000)
    draft = make_budget(world.north.other_person, 624000, agree=False)
    counts = (
        Budget.objects.count(),
        Instalment.objects.filter(cancelled=True).count(),
        Transaction.objects.count(),
    )
    cases = [
        (old, {"reason": " "}, "reason"),
        (old, {"approved_by_ref": ""}, "approved_by"),
        (old, {"agreed_annual_pence": 624000}, "agreed_annual_pence"),  # nothing changes
        (old, {"agreed_annual_pence": 1.5}, "agreed_annual_pence"),
        (old, {"on": dt.date(2026, 4, 1)}, "on"),  # not after it starts
        (old, {"on": dt.date(2027, 4, 1)}, "on"),  # after the period
        (draft, {}, "budget"),  # agree a draft instead
        (old, {"indicative_pence": 431132}, "difference_reasons"),  # differs from the allocation: say why
    ]
    for budget, change, field in cases:
        kwargs = {"on": dt.date(2026, 7, 1), "agreed_annual_pence": 730000, "reason": REASON,
                  "approved_by_ref": "plan", **change}  # fmt: skip
        with pytest.raises(ServiceError) as exc:
            services.reassess_budget(finance, budget, **kwargs)
        assert field in exc.value.errors, (change, exc.value.errors)
    assert counts == (
        Budget.objects.count(), Instalment.objects.filter(cancelled=True).count(), Transaction.objects.count()
    )  # fmt: skip
    services.reassess_budget(finance, old, on=dt.date(2026, 7, 1), agreed_annual_pence=730000, reason=REASON,
                             approved_by_ref="plan")  # fmt: skip
    with pytest.raises(ServiceError, match="already been replaced"):
        services.reassess_budget(finance, old, on=dt.date(2026, 8, 1), agreed_annual_pence=800000,
                                 reason=REASON, approved_by_ref="plan")  # fmt: skip


def test_reassess_page_shows_both_figures_and_the_reason_and_is_finance_only(world):
    old = make_budget(world.north.self_person, 624000)
    url = f"/money/budgets/{old.pk}/reassess/"
    person = client_for(world.north.users[Role.PERSON])
    assert person.get(url).status_code == 403  # sees the budget, may not change it
    assert client_for(world.south.users[Role.FINANCE]).get(url).status_code == 404
    finance = client_for(world.north.users[Role.FINANCE])
    assert "Reassess this budget" in finance.get(f"/money/budgets/{old.pk}/").content.decode()
    good = {"on_0": "1", "on_1": "7", "on_2": "2026", "agreed": "7,300.00", "indicative": "7300",
            "approved_by": "Support plan approved 20 June", "reason": REASON}  # fmt: skip
    bad = finance.post(url, {**good, "reason": ""})
    assert bad.status_code == 400 and Budget.objects.count() == 1
    bad = finance.post(url, {**good, "on_0": "1", "on_1": "4", "on_2": "2027"})
    assert bad.status_code == 400 and "by the end of its period" in bad.content.decode()
    assert finance.post(url, {**good, "agreed": "7300.001"}).status_code == 400
    response = finance.post(url, good)
    new = Budget.objects.get(replaces=old)
    assert response.status_code == 302 and response["Location"] == f"/money/budgets/{new.pk}/"
    page = person.get(f"/money/budgets/{new.pk}/").content.decode()
    assert "£6,240.00 a year" in page and "£7,300.00 a year" in page and "needs help at night" in page
    old_page = person.get(f"/money/budgets/{old.pk}/").content.decode()
    assert "Replaced at reassessment" in old_page and "£7,300.00 a year" in old_page
    assert "needs help at night" in old_page
    assert "Reassess this budget" not in finance.get(f"/money/budgets/{old.pk}/").content.decode()


def test_reassess_api_and_cli(world, capsys):
    old = make_budget(world.north.self_person, 624000)
    body = {"on": "2026-07-01", "agreed_annual_pence": 730000, "reason": REASON, "approved_by": "plan 7"}

    def post(role, side, budget_id, payload):
        user = getattr(world, side).users[role]
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user, getattr(world, side).authority)}"}
        return Client().post(f"/api/v1/ledger/budgets/{budget_id}/reassess", data=json.dumps(payload),
                             content_type="application/json", **headers)  # fmt: skip

    assert post(Role.PERSON, "north", old.pk, body).status_code == 403
    assert post(Role.FINANCE, "south", old.pk, body).status_code == 404
    assert post(Role.FINANCE, "north", old.pk, {**body, "on": "2026-04-01"}).status_code == 422
    response = post(Role.FINANCE, "north", old.pk, body)
    assert response.status_code == 201
    data = response.json()
    assert (
        data["replaces_id"] == old.pk and data["change_reason"] == REASON and data["period_pence"] == 548000
    )
    other = make_budget(world.north.caseload_person, 624000)
    with pytest.raises(CommandError, match="may not"):
        call_command("reassess_budget", str(other.pk), "--as", "northshire-assessor", "--on", "2026-07-01",
                     "--annual", "7300", "--approved-by", "plan", "--reason", REASON)  # fmt: skip
    with pytest.raises(CommandError, match="--annual"):
        call_command("reassess_budget", str(other.pk), "--as", "northshire-finance", "--on", "2026-07-01",
                     "--annual", "73.001", "--approved-by", "plan", "--reason", REASON)  # fmt: skip
    call_command("reassess_budget", str(other.pk), "--as", "northshire-finance", "--on", "2026-07-01",
                 "--annual", "7300", "--approved-by", "plan", "--reason", REASON)  # fmt: skip
    assert "£5,480.00 in 9 instalments" in capsys.readouterr().out
