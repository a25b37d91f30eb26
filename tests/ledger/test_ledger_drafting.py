"""Drafting a budget on the finance page and from the CLI (issue 6, "Budgets" and "Deployment"):
figure, frequency from the policy's payment_frequencies, start date, routes with shares (mix and
match), payees, the manager's fee; indicative against agreed with reasons. Finance and admin only;
another authority's people are not found; bad input names the field and nothing is written."""

from __future__ import annotations

import html
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from helpers import client_for
from selfdirect.core.constants import Role
from selfdirect.core.models import AuditEvent
from selfdirect.ledger.models import Budget, Deployment, Instalment


def _date(name, day, month, year):
    return {f"{name}_0": str(day), f"{name}_1": str(month), f"{name}_2": str(year)}


def _form(person_ref=None, **changes):
    data = {
        "stream": "adult_social_care", **_date("period_start", 1, 4, 2026), **_date("period_end", 31, 3, 2027),
        **_date("starts_on", 1, 4, 2026), "agreed": "10,400.00", "indicative": "", "difference_reasons": "",
        "frequency": "four_weekly", "plan_cost": "", "source": "allocation and support plan",
        "reason": "from the approved plan",
        "share_council_managed": "90", "payee_council_managed": "Home Care Ltd", "account_council_managed": "PROV-7",
        "share_direct_payment": "10",
    }  # fmt: skip
    if person_ref is not None:
        data["person"] = person_ref
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_only_finance_and_admin_reach_the_draft_page_and_never_another_authoritys_people(world):
    north, south = world.north, world.south
    for role in Role:
        client = client_for(north.users[role])
        expected = 200 if role in (Role.FINANCE, Role.ADMIN) else 403
        assert client.get("/money/budgets/new/").status_code == expected, role
        # For one person: someone the user cannot see is not found; someone they see but may not
        # draft for is forbidden.
        sees_self = role in (Role.FINANCE, Role.ADMIN, Role.ASSESSOR, Role.PLANNER, Role.PERSON)
        status = client.get(f"/money/people/{north.self_person.pk}/budgets/new/").status_code
        assert status == (expected if sees_self else 404), role
        assert client.get(f"/money/people/{north.other_person.pk}/budgets/new/").status_code == (
            expected if role in (Role.FINANCE, Role.ADMIN) else 404
        ), role
        assert client.get(f"/money/people/{south.self_person.pk}/budgets/new/").status_code == 404, role
    planner = client_for(north.users[Role.PLANNER])
    assert planner.post("/money/budgets/new/", _form(north.self_person.reference)).status_code == 403
    # Finance of Northshire typing a Southvale reference: no such person here, nothing written.
    finance = client_for(north.users[Role.FINANCE])
    response = finance.post("/money/budgets/new/", _form(south.self_person.reference))
    assert response.status_code == 400 and 'id="id_person-error"' in response.content.decode()
    assert not Budget.objects.exists()


def test_finance_drafts_a_mix_and_match_budget_with_a_third_party_fee_and_then_agrees_it(world):
    person = world.north.caseload_person
    finance = client_for(world.north.users[Role.FINANCE])
    page = html.unescape(finance.get(f"/money/people/{person.pk}/budgets/new/").content.decode())
    assert "Every four weeks" in page and "Third-party managed account: manager's fee" in page
    response = finance.post(
        f"/money/people/{person.pk}/budgets/new/",
        _form(
            share_council_managed="80", share_direct_payment="10", share_third_party="10",
            payee_third_party="Brokerage Agency", fee_third_party="4.5",
            indicative="9,880", difference_reasons="Panel added night support the RAS does not score.",
            plan_cost="10,400",
        ),
    )  # fmt: skip
    budget = Budget.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/money/budgets/{budget.pk}/"
    assert (budget.person, budget.status, budget.frequency) == (person, "draft", "four_weekly")
    assert (budget.agreed_annual_pence, budget.indicative_pence, budget.plan_cost_pence) == (
        1040000,
        988000,
        1040000,
    )
    assert budget.difference_reasons == "Panel added night support the RAS does not score."
    routes = {
        d.route: (d.share, d.payee_name, d.payee_account, d.fee_percent) for d in budget.deployments.all()
    }
    assert routes == {
        "council_managed": (80, "Home Care Ltd", "PROV-7", Decimal("0")),
        "direct_payment": (10, str(person), "00-00-00 00000000", Decimal("0")),  # the person, by default
        "third_party": (10, "Brokerage Agency", "00-00-00 00000000", Decimal("4.50")),
    }
    event = AuditEvent.objects.get(object_type="ledger.budget", object_id=str(budget.pk))
    assert event.reason == "from the approved plan"
    assert not Instalment.objects.exists()  # a draft pays nothing
    statement = finance.get(f"/money/budgets/{budget.pk}/").content.decode()
    assert (
        "£9,880.00 a year" in statement and "£10,400.00 a year" in statement and "night support" in statement
    )
    finance.post(f"/money/budgets/{budget.pk}/agree/", {"approved_by": "plan 3", "reason": "approved"})
    # 1,040,000 a year four-weekly from 1 April: 13 instalments of 80,000 (364 days) and a 1-day
    # last one of 1,040,000 x 1/365 = 2,849.32 -> the period pays 1,040,000 x 365/365.
    assert sum(Instalment.objects.values_list("amount_pence", flat=True)) == 1040000


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"agreed": "10.005"}, "agreed", "Enter an amount in pounds"),
        ({"agreed": ""}, "agreed", "Enter agreed budget"),
        ({"indicative": "9,000"}, "difference_reasons", "record the reasons"),
        ({"frequency": "daily"}, "frequency", "Select one of the answers given"),
        ({"share_council_managed": "85"}, "share_direct_payment", "add up to 95%"),
        ({"share_council_managed": "", "share_direct_payment": ""}, "share_direct_payment", "at least one route"),
        ({"share_council_managed": "ninety"}, "share_council_managed", "whole number of per cent"),
        ({"share_isf": "10", "share_council_managed": "80"}, "payee_isf", "provider holding the ISF"),
        ({"fee_third_party": "5"}, "fee_third_party", "Give third-party managed account a share"),
        ({"share_third_party": "10", "share_council_managed": "80", "payee_third_party": "A",
          "fee_third_party": "101"}, "fee_third_party", "must be 100 or less"),
        ({**_date("starts_on", 1, 3, 2026)}, "starts_on", "within the budget"),
        ({**_date("period_end", 1, 3, 2026)}, "period_end", "end after it starts"),
        ({**_date("starts_on", 31, 2, 2026)}, "starts_on", "real date"),
        ({"reason": ""}, "reason", "required"),
    ],
)  # fmt: skip
def test_bad_input_names_the_field_and_writes_nothing(world, changes, field, words):
    finance = client_for(world.north.users[Role.FINANCE])
    response = finance.post(f"/money/people/{world.north.self_person.pk}/budgets/new/", _form(**changes))
    page = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}-error"' in page or f'href="#id_{field}' in page, page
    assert words in html.unescape(page)
    assert "govuk-error-summary" in page
    assert not Budget.objects.exists() and not Deployment.objects.exists()
    assert not AuditEvent.objects.filter(object_type="ledger.budget").exists()


def test_the_form_offers_only_the_policys_payment_frequencies(world, settings, tmp_path):
    import shutil

    from selfdirect.ledger.policy import load

    shutil.copytree(settings.PROJECT_DIR / "policies", tmp_path / "policies")
    path = tmp_path / "policies" / "northshire" / "ledger.yaml"
    path.write_text(path.read_text() + "payment_frequencies: [four_weekly, monthly]\n")
    settings.POLICY_DIR = tmp_path / "policies"
    load.cache_clear()
    finance = client_for(world.north.users[Role.FINANCE])
    page = finance.get("/money/budgets/new/").content.decode()
    assert 'value="four_weekly"' in page and 'value="monthly"' in page and 'value="weekly"' not in page
    url = f"/money/people/{world.north.self_person.pk}/budgets/new/"
    assert finance.post(url, _form(frequency="weekly")).status_code == 400
    assert not Budget.objects.exists()
    assert finance.post(url, _form(frequency="monthly")).status_code == 302


def test_cli_drafts_a_budget_and_refuses_bad_options_naming_them(world):
    person = world.north.caseload_person
    base = ["--authority", "northshire", "--as", "northshire-finance", "--person", person.reference,
            "--stream", "adult_social_care", "--period", "2026-04-01:2027-03-31", "--starts-on", "2026-04-01",
            "--annual", "10400", "--frequency", "four_weekly", "--reason", "from the approved plan"]  # fmt: skip
    bad = [
        (
            ["--route", "council_managed:90", "--route", "direct_payment:10", "--fee", "direct_payment=3"],
            "--fee",
        ),
        (["--route", "cash"], "--route"),
        (["--route", "direct_payment", "--indicative", "9000"], "--difference-reasons"),
        (["--route", "isf", "--payee", "isf=Riverside", "--starts-on", "2027-05-01"], "--starts-on"),
        (["--route", "direct_payment", "--annual", "12.345"], "--annual"),
        (["--route", "direct_payment", "--frequency", "daily"], "--frequency"),
        (["--route", "direct_payment", "--payee", "isf=Riverside"], "--payee"),
    ]
    for extra, option in bad:
        with pytest.raises(CommandError, match=option):
            call_command("draft_budget", *base, *extra)
    assert not Budget.objects.exists()
    with pytest.raises(CommandError, match="may not draft"):
        call_command("draft_budget", *[a if a != "northshire-finance" else "northshire-planner" for a in base],
                     "--route", "direct_payment")  # fmt: skip
    with pytest.raises(CommandError, match="--person"):
        call_command(
            "draft_budget", *base[:5], world.south.self_person.reference, *base[6:], "--route", "isf"
        )
    out = io.StringIO()
    call_command(
        "draft_budget", *base, "--route", "council_managed:85", "--route", "third_party:15",
        "--payee", "council_managed=Home Care Ltd", "--payee", "third_party=Brokerage Agency",
        "--payee-account", "third_party=AGENCY-1", "--fee", "third_party=4.5", stdout=out,
    )  # fmt: skip
    budget = Budget.objects.get()
    assert f"Budget {budget.pk} drafted" in out.getvalue() and "£10,400.00 a year" in out.getvalue()
    assert sorted(
        budget.deployments.values_list("route", "share", "payee_name", "payee_account", "fee_percent")
    ) == [
        ("council_managed", 85, "Home Care Ltd", "00-00-00 00000000", Decimal("0")),
        ("third_party", 15, "Brokerage Agency", "AGENCY-1", Decimal("4.50")),
    ]
    call_command("agree_budget", str(budget.pk), "--as", "northshire-finance", "--approved-by", "plan",
                 "--reason", "ok", stdout=io.StringIO())  # fmt: skip
    budget.refresh_from_db()
    assert budget.status == "agreed"
