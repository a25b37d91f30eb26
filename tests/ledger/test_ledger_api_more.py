"""The rest of issue 6's API and CLI: drafting a budget (mix and match, policy frequencies),
provider invoices, reversals, the payment file and the reconciliation; finance only, another
authority's records 404, bad input 422 with nothing half-written."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from ledger_support import make_budget

from helpers import token_for
from selfdirect.core.constants import Role
from selfdirect.core.errors import ServiceError
from selfdirect.ledger import services
from selfdirect.ledger.models import Budget, Spend, Transaction


def _call(world, role, method, url, body=None, side="north"):
    s = getattr(world, side)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(s.users[role], s.authority)}"}
    kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
    return getattr(Client(), method)(f"/api/v1/ledger{url}", **kwargs, **headers)


def test_finance_drafts_a_mix_and_match_budget_then_agrees_it(world):
    person = world.north.caseload_person
    body = {
        "person_id": person.pk, "stream": "adult_social_care", "period_start": "2026-04-01",
        "period_end": "2027-03-31", "starts_on": "2026-04-01", "agreed_annual_pence": 1040000,
        "frequency": "four_weekly", "reason": "from the approved plan",
        "deployments": [{"route": "council_managed", "share": 90, "payee_name": "Home Care Ltd"},
                        {"route": "direct_payment", "share": 10}],
    }  # fmt: skip
    assert _call(world, Role.PLANNER, "post", "/budgets", body).status_code == 403
    assert _call(world, Role.FINANCE, "post", "/budgets", body, side="south").status_code == 404
    assert _call(world, Role.FINANCE, "post", "/budgets", {**body, "frequency": "daily"}).status_code == 422
    bad = _call(world, Role.FINANCE, "post", "/budgets", {**body, "indicative_pence": 900000})
    assert bad.status_code == 422 and "difference_reasons" in bad.content.decode()
    assert not Budget.objects.exists()
    made = _call(world, Role.FINANCE, "post", "/budgets", body)
    assert made.status_code == 201 and made.json()["status"] == "draft"
    budget = Budget.objects.get()
    assert sorted(budget.deployments.values_list("route", "share")) == [
        ("council_managed", 90),
        ("direct_payment", 10),
    ]
    agreed = _call(
        world, Role.FINANCE, "post", f"/budgets/{budget.pk}/agree", {"approved_by": "plan", "reason": "ok"}
    )
    assert agreed.json()["period_pence"] == 1040000


def test_the_managers_fee_is_a_percentage_to_two_decimal_places(world):
    person = world.north.caseload_person
    body = {
        "person_id": person.pk, "stream": "adult_social_care", "period_start": "2026-04-01",
        "period_end": "2027-03-31", "starts_on": "2026-04-01", "agreed_annual_pence": 1040000,
        "frequency": "four_weekly", "reason": "from the approved plan",
        "deployments": [{"route": "third_party", "share": 100, "payee_name": "Brokerage Ltd", "fee_percent": 4.125}],
    }  # fmt: skip
    for fee in [4.125, 100.01, -1]:
        body["deployments"][0]["fee_percent"] = fee
        assert _call(world, Role.FINANCE, "post", "/budgets", body).status_code == 422, fee
    assert not Budget.objects.exists()
    body["deployments"][0]["fee_percent"] = 4.15  # not 4.1500000000000003552713678800500929355621337890625
    assert _call(world, Role.FINANCE, "post", "/budgets", body).status_code == 201
    assert str(Budget.objects.get().deployments.get().fee_percent) == "4.15"


def test_policy_limits_payment_frequencies(world, settings, tmp_path):
    import shutil

    from selfdirect.ledger.policy import load

    shutil.copytree(settings.PROJECT_DIR / "policies", tmp_path / "policies")
    path = tmp_path / "policies" / "northshire" / "ledger.yaml"
    path.write_text(path.read_text() + "payment_frequencies: [four_weekly, monthly]\n")
    settings.POLICY_DIR = tmp_path / "policies"
    load.cache_clear()
    with pytest.raises(ServiceError, match="weekly"):
        make_budget(world.north.caseload_person, frequency="weekly")
    assert make_budget(world.north.caseload_person, frequency="four_weekly").status == "agreed"


def test_provider_invoice_reversal_file_and_reconciliation(world, capsys):
    routes = [{"route": "isf", "share": 1, "payee_name": "Riverside", "payee_account": "PROV-1"}]
    budget = make_budget(world.north.self_person, 3000000, routes=routes)
    finance = world.north.users[Role.FINANCE]
    run = services.execute_run(services.start_run(finance, world.north.authority, "2026-04").pk)
    invoice = {"on": "2026-04-30", "route": "isf", "category": "agency_care", "payee": "Riverside",
               "description": "April support hours", "amount_pence": 240000}  # fmt: skip
    assert _call(world, Role.PERSON, "post", f"/budgets/{budget.pk}/invoices", invoice).status_code == 403
    assert (
        _call(
            world, Role.FINANCE, "post", f"/budgets/{budget.pk}/invoices", invoice, side="south"
        ).status_code
        == 404
    )
    wrong_route = _call(
        world, Role.FINANCE, "post", f"/budgets/{budget.pk}/invoices", {**invoice, "route": "direct_payment"}
    )
    assert wrong_route.status_code == 422 and not Spend.objects.exists()
    made = _call(world, Role.FINANCE, "post", f"/budgets/{budget.pk}/invoices", invoice)
    assert made.status_code == 201
    spend = Spend.objects.get()
    assert spend.source == "invoice" and spend.transaction.kind == "invoice" and spend.amount_pence == 240000
    assert services.statement(budget).held == 250000 - 240000
    # Reversal: finance only; a reversal is never reversed.
    url = f"/transactions/{spend.transaction_id}/reverse"
    assert _call(world, Role.PERSON, "post", url, {"reason": "wrong budget"}).status_code == 403
    assert (
        _call(world, Role.FINANCE, "post", url, {"reason": "wrong budget"}, side="south").status_code == 404
    )
    rev = _call(world, Role.FINANCE, "post", url, {"reason": "wrong budget", "on": "2026-04-30"})
    assert rev.status_code == 201 and rev.json()["reverses_id"] == spend.transaction_id
    assert _call(world, Role.FINANCE, "post", url, {"reason": "again"}).status_code == 422
    again = _call(
        world, Role.FINANCE, "post", f"/transactions/{rev.json()['id']}/reverse", {"reason": "undo"}
    )
    assert again.status_code == 422 and "cannot be reversed" in again.content.decode()
    assert services.statement(budget).held == 250000
    # The payment file and the reconciliation.
    file = _call(world, Role.FINANCE, "get", f"/runs/{run.pk}/payments.csv")
    assert file.status_code == 200 and "Riverside,PROV-1,2500.00,SD" in file.content.decode()
    assert _call(world, Role.ASSESSOR, "get", f"/runs/{run.pk}/payments.csv").status_code == 403
    rows = _call(world, Role.FINANCE, "get", "/reconciliation").json()
    assert rows == [{"run_id": run.pk, "period": "2026-04", "file_pence": 250000, "ledger_pence": 250000,
                     "difference_pence": 0}]  # fmt: skip
    assert _call(world, Role.COMMISSIONER, "get", "/reconciliation").status_code == 403
    # The same from the CLI.
    call_command("ledger_books", "reconciliation", "--authority", "northshire", "--as", "northshire-finance")
    call_command("ledger_books", "trial-balance", "--authority", "northshire", "--as", "northshire-finance")
    out = capsys.readouterr().out
    assert "2026-04: file £2,500.00, ledger £2,500.00, difference £0.00" in out and ": balances" in out
    receipt_txn = Transaction.objects.filter(kind="payment").first()
    with pytest.raises(CommandError, match="reason"):
        call_command("ledger_books", "reverse", "--authority", "northshire", "--as", "northshire-finance",
                     "--transaction", str(receipt_txn.pk))  # fmt: skip
    with pytest.raises(CommandError, match="may not"):
        call_command(
            "ledger_books", "trial-balance", "--authority", "northshire", "--as", "northshire-person"
        )
    with pytest.raises(CommandError, match="no transaction"):
        call_command("ledger_books", "reverse", "--authority", "southvale", "--as", "southvale-finance",
                     "--transaction", str(receipt_txn.pk), "--reason", "x")  # fmt: skip


def test_spending_is_matched_to_the_approved_plans_lines(world):
    import datetime as dt
    from decimal import Decimal

    from helpers import client_for
    from selfdirect.plans.models import SpendingLine, SupportPlan

    side = world.north
    person = side.self_person
    plan = SupportPlan.objects.create(authority=side.authority, person=person, indicative_budget_pence=624000)

    def line(kind, category, description, supplier, annual):
        return SpendingLine.objects.create(
            authority=side.authority, plan=plan, kind=kind, category=category, description=description,
            supplier=supplier, unit="hour", quantity=Decimal(1), frequency="year", unit_cost_pence=annual,
            annual_pence=annual,
        )  # fmt: skip

    pa = line("pa", "personal_care", "PA an hour each day", "", 400000)
    agency = line("service", "personal_care", "Home care at weekends", "Kelby Care", 150000)
    day = line("service", "daytime", "Day centre on Tuesdays", "Riverside", 74000)
    budget = make_budget(person, 624000, agree=False)
    services.agree_budget(side.users[Role.FINANCE], budget, plan, "support plan approved")
    services.execute_run(services.start_run(side.users[Role.FINANCE], side.authority, "2026-04").pk)
    budget.refresh_from_db()
    assert [x.pk for x in services.plan_lines(budget)] == [pa.pk, agency.pk, day.pk]
    me = side.users[Role.PERSON]
    rows = [
        # payee is the line's supplier -> that line
        {"on": dt.date(2026, 4, 4), "category": "agency_care", "description": "Weekend", "amount_pence": 6000,
         "payee": "kelby care"},
        # the only plan line in "daytime" -> the day centre
        {"on": dt.date(2026, 4, 7), "category": "day_activities", "description": "Tuesday", "amount_pence": 1400},
        # personal_care has two lines and no supplier match: not guessed
        {"on": dt.date(2026, 4, 8), "category": "personal_assistant", "description": "PA wages",
         "amount_pence": 8000},
        # named explicitly
        {"on": dt.date(2026, 4, 9), "category": "personal_assistant", "description": "PA wages",
         "amount_pence": 7000, "plan_line": pa.pk},
        # nothing in the plan for transport
        {"on": dt.date(2026, 4, 10), "category": "transport", "description": "Bus", "amount_pence": 250},
    ]  # fmt: skip
    made = services.record_spends(me, budget, rows)
    assert [s.plan_line_id for s in made] == [agency.pk, day.pk, None, pa.pk, None]
    match = services.plan_match(budget)
    assert [(r["id"], r["annual"], r["spent"]) for r in match["rows"]] == [
        (pa.pk, 400000, 7000), (agency.pk, 150000, 6000), (day.pk, 74000, 1400)
    ]  # fmt: skip
    assert match["unmatched"] == 8000 + 250
    with pytest.raises(ServiceError, match="not a line of the approved support plan"):
        services.record_spends(me, budget, [{**rows[0], "plan_line": 999999}])
    assert services.statement(budget).spent == 22650  # nothing half-written
    page = client_for(me).get(f"/money/budgets/{budget.pk}/").content.decode()
    assert "Your plan and what was spent" in page and 'data-testid="unmatched">£82.50' in page
    from django.template.loader import render_to_string

    from selfdirect.ledger.statements import statement_context

    pdf_html = render_to_string(
        "ledger/statement_pdf.html", {**statement_context(budget), "made_on": dt.date(2026, 4, 30)}
    )
    assert (
        'Home care at weekends (Kelby Care)</td><td class="num">£1,500.00</td><td class="num">£60.00'
        in pdf_html
    )
    assert client_for(me).get(f"/money/budgets/{budget.pk}/statement.pdf").content.startswith(b"%PDF")
    form = client_for(me).get(f"/money/budgets/{budget.pk}/spending/").content.decode()
    assert "Which part of your support plan is it for?" in form and "Day centre on Tuesdays" in form
    response = client_for(me).post(f"/money/budgets/{budget.pk}/spending/", {
        "on_0": "11", "on_1": "4", "on_2": "2026", "category": "other", "description": "Tea at the centre",
        "amount": "3.00", "plan_line": str(day.pk)})  # fmt: skip
    assert (
        response.status_code == 302
        and Spend.objects.get(description="Tea at the centre").plan_line_id == day.pk
    )
    api = _call(world, Role.PERSON, "post", f"/budgets/{budget.pk}/spending",
                {"on": "2026-04-12", "category": "transport", "description": "Taxi", "amount_pence": 900,
                 "plan_line_id": pa.pk})  # fmt: skip
    assert api.status_code == 201 and api.json()["plan_line_id"] == pa.pk


def test_finance_records_a_provider_invoice_in_the_browser(world):
    from helpers import client_for

    routes = [{"route": "isf", "share": 1, "payee_name": "Riverside", "payee_account": "PROV-1"}]
    budget = make_budget(world.north.self_person, 3000000, routes=routes)
    services.execute_run(
        services.start_run(world.north.users[Role.FINANCE], world.north.authority, "2026-04").pk
    )
    url = f"/money/budgets/{budget.pk}/invoices/"
    assert client_for(world.north.users[Role.PERSON]).get(url).status_code == 403
    assert client_for(world.south.users[Role.FINANCE]).get(url).status_code == 404
    finance = client_for(world.north.users[Role.FINANCE])
    assert url in finance.get(f"/money/budgets/{budget.pk}/").content.decode()
    good = {"on_0": "30", "on_1": "4", "on_2": "2026", "route": "isf", "payee": "Riverside",
            "category": "agency_care", "description": "April support hours", "amount": "2,400.00"}  # fmt: skip
    assert finance.post(url, {**good, "amount": "2400.001"}).status_code == 400
    assert finance.post(url, {**good, "route": "direct_payment"}).status_code == 400  # not how it is held
    assert not Spend.objects.exists()
    assert finance.post(url, good).status_code == 302
    spend = Spend.objects.get()
    assert (spend.source, spend.route, spend.amount_pence, spend.payee) == (
        "invoice",
        "isf",
        240000,
        "Riverside",
    )
    assert services.statement(budget).held == 10000


def test_policy_refuses_unknown_plan_categories_and_frequencies(settings):
    from selfdirect.ledger import policy

    text = (settings.PROJECT_DIR / "policies" / "northshire" / "ledger.yaml").read_text()
    with pytest.raises(
        policy.PolicyError, match="ledger.yaml:49: spending.plan_categories: 'gardening' is not one of spending.categories"
    ):
        policy.parse(text + "    gardening: [daytime]\n", "ledger.yaml")
    with pytest.raises(policy.PolicyError, match="payment_frequencies"):
        policy.parse(text + "payment_frequencies: [fortnightly]\n", "ledger.yaml")
