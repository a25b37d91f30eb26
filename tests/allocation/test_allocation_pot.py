"""Pot sizing (issue 4 point 6, seed 004 glossary): the price per point from the money available
for a stream and the current assessments - service, page, API and command, with figures by hand.

Northshire 2026, adult social care (points x price, 10% off with 20+ hours of unpaid care, to the
nearest pound, at most £50,000):

* A (self_person): personal care 10 + 8 + 6 = 24, mobility 8 + 3 = 11 -> 35 points, substantial;
  an older assessment of A (washing "some": 17 points) is not the latest, so it does not count.
* B (caseload_person): personal care only -> 24 points, substantial.
* C (other_person): only "tenancy under threat" -> 0 care points, below the threshold, housing
  support only: not funded by the points method, so read but not counted.

£10,000 = 1,000,000p over 35 + 24 = 59 points: 1,000,000 / 59 = 16,949.152542...p, rounded down to
1/10,000 of a penny -> 16,949.1525p (£169.491525) a point a year.
Spend at that price: A 35 x 16,949.1525 = 593,220.3375p -> £5,932; B 24 x 16,949.1525 = 406,779.66p
-> £4,068; together exactly £10,000.00. At the current £270 a point: 59 x £270 = £15,930.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from alloc_testdata import COMPLETE, POLICIES, make_assessment
from django.core.management import call_command
from django.core.management.base import CommandError

from helpers import client_for, token_for
from selfdirect.allocation import services
from selfdirect.assessment.models import Assessment
from selfdirect.core.constants import Role
from selfdirect.core.errors import ServiceError
from selfdirect.policies import engine
from selfdirect.policies import services as policy_services

ASC = "adult_social_care"
ONLY_PERSONAL_CARE = {**COMPLETE, "mob_trigger": False}
ONLY_HOUSING = {
    **{k: v for k, v in COMPLETE.items() if k in ("client_group", "age") or k.endswith("trigger") or k.startswith("hs_")},
    "pc_trigger": False, "mob_trigger": False, "hs_tenancy_threat": True, "hs_repairs": False,
    "hs_keep_safe": False, "hs_avoid_eviction": False, "hs_court_orders": False, "hs_alarm": False,
    "hs_complaints": False, "hs_purchase_route": "specialist",
}  # fmt: skip


@pytest.fixture
def assessed(world, north_2026):
    n = world.north
    Assessment.objects.create(
        authority=n.authority, person=n.self_person, policy_version=north_2026, on=dt.date(2026, 4, 2),
        status="submitted", person_answers={**COMPLETE, "pc_washing": "some"},
    )  # fmt: skip
    make_assessment(n.self_person, north_2026, status="submitted")
    make_assessment(n.caseload_person, north_2026, ONLY_PERSONAL_CARE, status="submitted")
    make_assessment(n.other_person, north_2026, ONLY_HOUSING, status="submitted")
    make_assessment(n.other_person, north_2026, COMPLETE)  # a draft never counts
    return north_2026


def test_price_per_point_worked_by_hand(assessed):
    sizing = services.size_pot(assessed, ASC, 1_000_000)
    assert sizing.people_total == 3 and sizing.people_scored == 2
    assert sizing.total_points == Decimal(59) and sizing.weeks == 1 and sizing.period == "year"
    assert sizing.price_per_point_pence == Decimal("16949.1525")
    assert sizing.projected_spend_pence == 593_200 + 406_800 == 1_000_000
    assert sizing.current_price_pence == Decimal(27000) and sizing.current_spend_pence == 59 * 27000
    assert sizing.rate_id == "asc_price_per_point"


@pytest.mark.parametrize(
    ("stream", "pot", "field", "words"),
    [
        (ASC, 0, "pot_pence", "more than £0"),
        (ASC, -100, "pot_pence", "more than £0"),
        (ASC, 10**12 + 1, "pot_pence", "at most £10,000,000,000.00"),
        ("ilf", 100, "stream", "'ilf' is not a funding stream"),
        ("supporting_people", 100, "stream", "not paid by points"),
    ],
)
def test_bad_requests_name_the_field(assessed, stream, pot, field, words):
    with pytest.raises(ServiceError) as caught:
        services.size_pot(assessed, stream, pot)
    assert list(caught.value.errors) == [field] and words in caught.value.errors[field][0]


def test_no_assessments_or_no_points_is_a_clear_message_not_a_division_by_zero(world, north_2026):
    with pytest.raises(ServiceError) as caught:
        services.size_pot(north_2026, ASC, 1_000_000)
    assert "no current assessments" in caught.value.errors["assessments"][0]
    make_assessment(world.north.other_person, north_2026, ONLY_HOUSING, status="submitted")
    with pytest.raises(ServiceError) as caught:
        services.size_pot(north_2026, ASC, 1_000_000)
    assert caught.value.errors["assessments"] == [
        "None of the 1 current assessment scores any points for Adult social care, "
        "so the price per point cannot be worked out"
    ]


MIXED_METHODS = """\
      - label: mental health - price per point by how support is bought
        when: {answer: client_group, is: mental_health}
        method:
          kind: points
          score: care_points
          price_per_point:
            question: hs_purchase_route
            rates: {specialist: asc_price_per_point, commissioned: asc_price_per_point}
            default: asc_price_per_point
      - label: resource allocation system"""


def test_a_stream_whose_first_points_price_depends_on_an_answer_is_not_sized(world, north_2026):
    """The pot sizes the first points method a stream has: when its price is picked by an answer,
    the stream has no one price per point, whatever points method follows (not "no points")."""
    n = world.north
    text = (POLICIES / "northshire" / "policy-2026.yaml").read_text()
    start = text.index("      - label: mental health - traditional services")
    end = text.index("      - label: resource allocation system")
    mixed_text = text[:start] + MIXED_METHODS + text[end + len("      - label: resource allocation system") :]
    mixed_text = mixed_text.replace("id: northshire-2026", "id: northshire-2026-mixed", 1)
    mixed = policy_services.publish_file(n.users[Role.COMMISSIONER], n.authority, mixed_text, "mixed.yaml")
    make_assessment(n.self_person, mixed, status="submitted")
    policy = policy_services.policy_for(mixed)
    assert engine.sizing_method(policy, ASC) is None
    assert engine.sizing_method(policy_services.policy_for(north_2026), ASC) is not None
    with pytest.raises(ServiceError) as caught:
        services.size_pot(mixed, ASC, 1_000_000)
    assert (
        list(caught.value.errors) == ["stream"] and "not paid by points" in caught.value.errors["stream"][0]
    )
    pop = engine.Population.from_answers([COMPLETE], [policy])
    assert services.pot_sizing_for(policy, pop) == []
    html = page(world, Role.COMMISSIONER, {"version": mixed.pk}).content.decode()
    assert f'value="{ASC}"' not in html


def page(world, role, query, side=None):
    side = side or world.north
    return client_for(side.users[role]).get("/allocation/price-per-point/", query)


def test_page_shows_the_price_and_how_it_was_worked_out(world, assessed):
    response = page(world, Role.COMMISSIONER, {"version": assessed.pk, "stream": ASC, "pot": "£10,000"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "£169.491525 a point" in html and "pence" not in html  # money on screen is pounds
    assert "£10,000.00 ÷ 59 points = £169.49152542" in html
    # The figure to type into the policy file, which counts in pence, is shown as code.
    assert "set to £169.491525 (written <code>16949.1525</code> in the file" in html
    assert 'data-testid="people-total">3 ' in html and 'data-testid="people-scored">2 ' in html
    assert 'data-testid="spend">£10,000.00, after adjustments' in html and "nearest pound" in html
    assert 'data-testid="current-spend">£15,930.00' in html
    # a blank form first, with the version from the policy page's link chosen
    blank = page(world, Role.COMMISSIONER, {"version": assessed.pk})
    assert blank.status_code == 200 and "How it was worked out" not in blank.content.decode()


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"stream": ASC, "pot": "-5"}, "must be more than £0"),
        ({"stream": ASC, "pot": "100.005"}, "has a fraction of a penny"),
        ({"stream": ASC, "pot": "lots"}, "is not an amount of money"),
        ({"stream": ASC, "pot": ""}, "Enter the money available"),
        ({"stream": "nonsense", "pot": "100"}, "is not a funding stream"),
        ({"stream": "supporting_people", "pot": "100"}, "is not paid by points"),
        ({"stream": "", "pot": "100"}, "Choose a funding stream"),
    ],
)
def test_page_refuses_bad_input_at_the_field(world, assessed, query, words):
    response = page(world, Role.COMMISSIONER, {"version": assessed.pk, **query})
    assert response.status_code == 400
    html = response.content.decode()
    assert words in html and "There is a problem" in html and "How it was worked out" not in html


def test_page_permissions_and_other_authority(world, published):
    north = published[("northshire", "policy-2026.yaml")]
    south = published[("southvale", "policy-2026.yaml")]
    assert page(world, Role.COMMISSIONER, {"version": south.pk}).status_code == 404
    assert page(world, Role.COMMISSIONER, {"version": "x"}).status_code == 404
    for role in set(Role) - {Role.COMMISSIONER}:
        assert page(world, role, {"version": north.pk}).status_code == 403, role
    # and it is linked from the commissioner's policy pages
    client = client_for(world.north.users[Role.COMMISSIONER])
    assert (
        f"/allocation/price-per-point/?version={north.pk}"
        in client.get(f"/allocation/policies/{north.pk}/").content.decode()
    )
    assert "/allocation/price-per-point/" in client.get("/allocation/policies/").content.decode()


def api(world, role, version, query, side=None):
    side = side or world.north
    user = side.users[role]
    return client_for(user).get(
        f"/api/v1/policies/{version.pk}/price-per-point", query,
        HTTP_AUTHORIZATION=f"Bearer {token_for(user, side.authority)}",
    )  # fmt: skip


def test_api_price_per_point(world, assessed, published):
    response = api(world, Role.COMMISSIONER, assessed, {"stream": ASC, "pot_pence": 1_000_000})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "stream": ASC, "rate_id": "asc_price_per_point", "pot_pence": 1_000_000, "people_total": 3,
        "people_scored": 2, "total_points": "59", "period": "year", "weeks": 1,
        "price_per_point_pence": "16949.1525", "projected_spend_pence": 1_000_000,
        "current_price_pence": "27000", "current_spend_pence": 1_593_000,
    }  # fmt: skip
    bad = api(world, Role.COMMISSIONER, assessed, {"stream": ASC, "pot_pence": -1})
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == ["query", "pot_pence"]
    assert api(world, Role.COMMISSIONER, assessed, {"stream": "x", "pot_pence": 1}).status_code == 422
    south = published[("southvale", "policy-2026.yaml")]
    assert api(world, Role.COMMISSIONER, south, {"stream": ASC, "pot_pence": 1}).status_code == 404
    assert api(world, Role.ASSESSOR, assessed, {"stream": ASC, "pot_pence": 1}).status_code == 403


def test_price_per_point_command(world, assessed):
    out = io.StringIO()
    call_command("price_per_point", authority="northshire", policy="northshire-2026", stream=ASC,
                 pot="10000", username=world.north.users[Role.COMMISSIONER].username, stdout=out)  # fmt: skip
    text = out.getvalue()
    assert "£169.491525 a point a year" in text and "2 of 3 current assessments" in text
    assert "spend at this price £10,000.00" in text
    out = io.StringIO()
    call_command("price_per_point", authority="northshire", policy="northshire-2026", stream=ASC,
                 pot="10000", username=world.north.users[Role.COMMISSIONER].username, json=True, stdout=out)  # fmt: skip
    assert json.loads(out.getvalue())["price_per_point_pence"] == "16949.1525"
    with pytest.raises(CommandError, match="fraction of a penny"):
        call_command("price_per_point", authority="northshire", policy="northshire-2026", stream=ASC,
                     pot="1.001", username=world.north.users[Role.COMMISSIONER].username)  # fmt: skip
    with pytest.raises(CommandError, match="may not size the pot"):
        call_command("price_per_point", authority="northshire", policy="northshire-2026", stream=ASC,
                     pot="1", username=world.north.users[Role.ASSESSOR].username)  # fmt: skip
