"""Charging and statements in the browser's terms: the statement PDF, the person's assessed
contribution (net or gross by policy), arrears, and disputes with a status and outcome (seed 004
Q8). Finance records and decides; the person raises a dispute about their own contribution and
sees its status; no one reaches another person's or another authority's."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone
from ledger_support import YEAR_START, make_budget

from helpers import client_for, token_for
from selfdirect.core.constants import Role
from selfdirect.ledger import services, statements
from selfdirect.ledger.models import ChargeAssessment, Dispute, Transaction


def _run(world, side, month="2026-04"):
    s = getattr(world, side)
    return services.execute_run(services.start_run(s.users[Role.FINANCE], s.authority, month).pk)


def test_statement_pdf_is_a_pdf_with_the_figures_and_only_for_those_who_see_the_budget(world):
    budget = make_budget(
        world.north.self_person, 886340, indicative_pence=431132,
        difference_reasons="The panel found night-time needs the RAS does not score.",
        routes=[{"route": "council_managed", "share": 85, "payee_name": "Home Care Ltd"},
                {"route": "direct_payment", "share": 15}],
    )  # fmt: skip
    _run(world, "north")
    url = f"/money/budgets/{budget.pk}/statement.pdf"
    person = client_for(world.north.users[Role.PERSON])
    assert url in person.get(f"/money/budgets/{budget.pk}/").content.decode()  # linked from the page
    response = person.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="statement-{budget.pk}.pdf"' in response["Content-Disposition"]
    assert client_for(world.north.users[Role.ASSESSOR]).get(url).status_code == 200  # their team
    other = make_budget(world.north.caseload_person, 624000)
    assert person.get(f"/money/budgets/{other.pk}/statement.pdf").status_code == 404  # not theirs
    assert client_for(world.south.users[Role.FINANCE]).get(url).status_code == 404  # other authority
    assert client_for(world.north.users[Role.COMMISSIONER]).get(url).status_code == 404
    # What the PDF lays out: 886340 / 12 = 73861.67 a month -> April paid 73862 (largest remainder).
    html = render_to_string(
        "ledger/statement_pdf.html", {**statements.statement_context(budget), "made_on": YEAR_START}
    )
    assert "£4,311.32 a year" in html and "£8,863.40 a year" in html and "night-time needs" in html
    assert "What your current services cost" in html and "Home Care Ltd" in html
    assert 'Paid so far</th><td class="num">£738.62' in html
    assert "Bar chart of the budget for the period" in html and "Spending against your budget" in html
    assert "What happens next" in html and "The next payment of £738.62 is due on 1 May 2026" in html
    assert "app-bars__track" in html and "Budget for the period" in html
    # The CLI writes the same documents.
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        call_command("statement", str(budget.pk), "--as", "northshire-person", "--out", f"{tmp}/s.pdf")
        assert Path(f"{tmp}/s.pdf").read_bytes().startswith(b"%PDF")
        call_command("statement", str(budget.pk), "--as", "northshire-person", "--out", f"{tmp}/s.csv")
        text = Path(f"{tmp}/s.csv").read_text()
        assert "Paid so far,738.62" in text and "paid to Home Care Ltd" in text
        try:
            call_command("statement", str(other.pk), "--as", "northshire-person", "--out", f"{tmp}/x.pdf")
        except CommandError as exc:
            assert "no budget" in str(exc)
        else:
            raise AssertionError("the person reached someone else's statement")


def test_finance_records_a_gross_contribution_and_money_received_and_the_person_sees_arrears(world):
    person = world.north.self_person
    make_budget(person, 624000)
    finance = client_for(world.north.users[Role.FINANCE])
    url = f"/money/people/{person.pk}/charging/assess/"
    good = {"weekly": "10.00", "starts_on_0": "1", "starts_on_1": "4", "starts_on_2": "2026", "mode": "gross",
            "reason": "Financial assessment of 20 March"}  # fmt: skip
    assert finance.post(url, {**good, "weekly": "-1"}).status_code == 400
    assert finance.post(url, {**good, "reason": ""}).status_code == 400
    assert not ChargeAssessment.objects.exists()
    assert finance.post(url, good).status_code == 302
    _run(world, "north")  # April: 30 days at £10 a week = 4285.71 -> 4286 invoiced
    receipt = f"/money/people/{person.pk}/charging/receipts/"
    day = {"on_0": "20", "on_1": "4", "on_2": "2026"}
    assert finance.post(receipt, {**day, "amount": "20.001", "reason": "cheque"}).status_code == 400
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    future = {"on_0": str(tomorrow.day), "on_1": str(tomorrow.month), "on_2": str(tomorrow.year)}
    refused = finance.post(receipt, {**future, "amount": "20.00", "reason": "cheque"})
    assert refused.status_code == 400 and "cannot be in the future" in refused.content.decode()
    assert not Transaction.objects.filter(kind="receipt").exists()
    assert finance.post(receipt, {**day, "amount": "20.00", "reason": "cheque"}).status_code == 302
    page = (
        client_for(world.north.users[Role.PERSON])
        .get(f"/money/people/{person.pk}/charging/")
        .content.decode()
    )
    assert "£10.00 from 1 April 2026" in page and "Gross: invoiced" in page
    assert 'data-testid="charged">£42.86' in page and 'data-testid="arrears">£22.86' in page
    s = services.charging_summary(person)
    assert (s.invoiced, s.received, s.arrears) == (4286, 2000, 2286)
    # Reversing the receipt puts the arrears back.
    services.reverse_transaction(
        world.north.users[Role.FINANCE], Transaction.objects.get(kind="receipt"), "bounced"
    )
    assert services.charging_summary(person).arrears == 4286


def test_the_person_raises_a_dispute_about_their_contribution_sees_its_status_and_the_outcome(world):
    person = world.north.self_person
    make_budget(person, 624000)
    charge = services.assess_charge(world.north.users[Role.FINANCE], person, weekly_pence=1500,
                                    starts_on=YEAR_START, reason="financial assessment")  # fmt: skip
    me = client_for(world.north.users[Role.PERSON])
    new = f"/money/people/{person.pk}/disputes/new/"
    form = me.get(new).content.decode()
    assert f"charge:{charge.pk}" in form and "My contribution of £15.00 a week" in form
    assert me.post(new, {"about": f"charge:{charge.pk}", "subject": ""}).status_code == 400
    assert me.post(new, {"about": "charge:99999", "subject": "x"}).status_code == 400  # not a choice
    response = me.post(new, {"about": f"charge:{charge.pk}", "subject": "My disability costs were left out",
                             "amount": "15.00"})  # fmt: skip
    assert response.status_code == 302
    dispute = Dispute.objects.get()
    assert dispute.charge == charge and dispute.amount_pence == 1500 and dispute.status == "open"
    page = me.get(f"/money/people/{person.pk}/charging/").content.decode()
    assert "My disability costs were left out" in page and "Not decided yet" in page
    assert f"/money/disputes/{dispute.pk}/decide/" not in page
    assert me.get(f"/money/disputes/{dispute.pk}/decide/").status_code == 403
    assert me.get("/money/disputes/").status_code == 403
    finance = client_for(world.north.users[Role.FINANCE])
    assert "My disability costs were left out" in finance.get("/money/disputes/").content.decode()
    decide = f"/money/disputes/{dispute.pk}/decide/"
    assert finance.post(decide, {"status": "upheld", "outcome": ""}).status_code == 400
    assert finance.post(decide, {"status": "upheld", "outcome": "Disability-related costs of £15 a week allowed; "
                                 "contribution now nil"}).status_code == 302  # fmt: skip
    page = me.get(f"/money/people/{person.pk}/charging/").content.decode()
    assert "Upheld" in page and "contribution now nil" in page
    assert client_for(world.south.users[Role.FINANCE]).get(decide).status_code == 404


def test_charging_pages_access(world):
    north, south = world.north, world.south
    for side in (north, south):
        make_budget(side.self_person, 624000)
    pages = ["charging/", "charging/assess/", "charging/receipts/", "disputes/new/"]
    # (role, whose) -> expected status for each page in order
    cases = {
        (Role.PERSON, "self"): [200, 403, 403, 200],
        (Role.PERSON, "caseload"): [404] * 4,
        (Role.REPRESENTATIVE, "self"): [404] * 4,  # not allowed to manage the money
        (Role.ASSESSOR, "self"): [200, 403, 403, 403],  # their team: read only
        (Role.ASSESSOR, "other_team"): [404] * 4,
        (Role.FINANCE, "self"): [200] * 4,
        (Role.FINANCE, "other_team"): [200] * 4,
        (Role.COMMISSIONER, "self"): [404] * 4,
    }
    targets = {"self": north.self_person, "caseload": north.caseload_person, "other_team": north.other_person}
    for (role, whose), statuses in cases.items():
        client = client_for(north.users[role])
        for page, status in zip(pages, statuses, strict=True):
            assert client.get(f"/money/people/{targets[whose].pk}/{page}").status_code == status, (
                role,
                whose,
                page,
            )
    finance = client_for(north.users[Role.FINANCE])
    for page in pages:
        assert finance.get(f"/money/people/{south.self_person.pk}/{page}").status_code == 404
    rep = north.representative
    rep.may_manage_money = True
    rep.save()
    assert (
        client_for(north.users[Role.REPRESENTATIVE])
        .get(f"/money/people/{north.self_person.pk}/disputes/new/")
        .status_code
        == 200
    )


def test_charging_api(world):
    north, south = world.north, world.south
    person = north.self_person
    make_budget(person, 624000)

    def call(role, method, url, body=None, side=north):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(side.users[role], side.authority)}"}
        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
        return getattr(Client(), method)(f"/api/v1/ledger{url}", **kwargs, **headers)

    charge = {
        "weekly_pence": 1000,
        "starts_on": "2026-04-01",
        "reason": "financial assessment",
        "mode": "gross",
    }
    assert call(Role.PERSON, "post", f"/people/{person.pk}/charges", charge).status_code == 403
    assert call(Role.FINANCE, "post", f"/people/{person.pk}/charges", charge, side=south).status_code == 404
    assert (
        call(Role.FINANCE, "post", f"/people/{person.pk}/charges", {**charge, "weekly_pence": -1}).status_code
        == 422
    )
    made = call(Role.FINANCE, "post", f"/people/{person.pk}/charges", charge)
    assert made.status_code == 201 and made.json()["mode"] == "gross"
    _run(world, "north")
    receipt = {"amount_pence": 2000, "on": "2026-04-20"}
    assert call(Role.PERSON, "post", f"/people/{person.pk}/receipts", receipt).status_code == 403
    got = call(Role.FINANCE, "post", f"/people/{person.pk}/receipts", receipt)
    assert got.status_code == 201 and got.json()["arrears_pence"] == 2286
    body = {"subject": "Charged for a week in hospital", "amount_pence": 1000, "charge_id": made.json()["id"]}
    assert call(Role.PERSON, "post", f"/people/{north.caseload_person.pk}/disputes", body).status_code == 404
    assert call(Role.ASSESSOR, "post", f"/people/{person.pk}/disputes", body).status_code == 403
    raised = call(Role.PERSON, "post", f"/people/{person.pk}/disputes", body)
    assert raised.status_code == 201 and raised.json()["status"] == "open"
    dispute_id = raised.json()["id"]
    decide = {"status": "settled", "outcome": "One week refunded"}
    assert call(Role.PERSON, "post", f"/disputes/{dispute_id}/decide", decide).status_code == 403
    assert call(Role.FINANCE, "post", f"/disputes/{dispute_id}/decide", decide, side=south).status_code == 404
    assert call(Role.FINANCE, "post", f"/disputes/{dispute_id}/decide", decide).json()["status"] == "settled"
    assert call(Role.FINANCE, "post", f"/disputes/{dispute_id}/decide", decide).status_code == 422  # decided
    mine = call(Role.PERSON, "get", f"/people/{person.pk}/charging").json()
    assert mine["arrears_pence"] == 2286 and mine["disputes"][0]["outcome"] == "One week refunded"
    assert call(Role.PERSON, "get", f"/disputes/{dispute_id}").status_code == 200
    assert call(Role.FINANCE, "get", f"/disputes/{dispute_id}", side=south).status_code == 404
    assert call(Role.FINANCE, "get", f"/people/{person.pk}/charging", side=south).status_code == 404


def test_charging_cli(world, capsys):
    person = world.north.self_person
    make_budget(person, 624000)
    base = ["--authority", "northshire", "--person", person.reference]
    call_command("charging", "assess", *base, "--as", "northshire-finance", "--weekly", "10", "--on", "2026-04-01",
                 "--mode", "gross", "--reason", "financial assessment")  # fmt: skip
    _run(world, "north")
    call_command(
        "charging", "receive", *base, "--as", "northshire-finance", "--amount", "20", "--on", "2026-04-20"
    )
    call_command("charging", "dispute", *base, "--as", "northshire-person", "--subject", "Too high")
    out = capsys.readouterr().out
    assert "arrears £22.86" in out and "open: Too high" in out
    try:
        call_command("charging", "assess", *base, "--as", "northshire-person", "--weekly", "1", "--on", "2026-04-01",
                     "--reason", "x")  # fmt: skip
    except CommandError as exc:
        assert "may not" in str(exc)
    else:
        raise AssertionError("the person assessed their own contribution")
    dispute = Dispute.objects.get()
    call_command("charging", "decide", "--authority", "northshire", "--as", "northshire-finance",
                 "--dispute", str(dispute.pk), "--status", "rejected", "--reason", "The assessment stands")  # fmt: skip
    dispute.refresh_from_db()
    assert dispute.status == "rejected" and dispute.outcome == "The assessment stands"
