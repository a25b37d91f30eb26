"""A link is shown only to someone who may follow it: on a referred plan with spending from the
market register, every link each role is shown answers 200, and the panel-meeting and market
links are there for the roles their pages let in."""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from plans_support import DAY, make_market, write_plan

from helpers import client_for
from selfdirect.core.constants import Role
from selfdirect.market.models import ProviderMembership
from selfdirect.plans import services
from selfdirect.plans.constants import LineKind, PlanState, RiskLevel
from selfdirect.plans.models import PanelMeeting


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith("/") and not href.startswith("/static/"):
            self.links.append(href)


def links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


@pytest.fixture
def referred(world):
    """Margaret's plan, high risk, referred to the panel (so on a meeting's agenda), paying a PA, a
    home-care service and a broker from the market register."""
    side = world.north
    service, pa, broker = make_market(side)
    ProviderMembership.objects.create(provider=service.provider, user=side.users[Role.PROVIDER])
    line = {
        "category": "personal_care",
        "supplier": "",
        "unit": "",
        "quantity": Decimal(1),
        "frequency": "week",
    }
    plan = write_plan(side, side.self_person, budget=2000000, risk=RiskLevel.HIGH, extra_lines=[
        {**line, "kind": LineKind.PERSONAL_ASSISTANT, "description": "Chosen PA", "personal_assistant": pa.pk},
        {**line, "kind": LineKind.SERVICE, "description": "Home care", "market_service": service.pk},
        {**line, "kind": LineKind.BROKER, "description": "Planning help", "broker": broker.pk},
    ])  # fmt: skip
    assessor = side.users[Role.ASSESSOR]
    services.apply_transition(assessor, plan, "submit", "x", today=DAY)
    services.apply_transition(assessor, plan, "refer", "x", today=DAY)
    plan.refresh_from_db()
    assert plan.state == PlanState.REFERRED
    return plan, PanelMeeting.objects.get(), (service, pa, broker)


@pytest.mark.parametrize("role", list(Role))
def test_every_link_a_role_is_shown_on_a_plan_answers_200(world, referred, role):
    plan, meeting, entries = referred
    client = client_for(world.north.users[role])
    shown: set[str] = set()
    for page in ["/", f"/plans/{plan.pk}/", f"/plans/{plan.pk}/spending/", f"/plans/panel/{meeting.pk}/"]:
        response = client.get(page)
        if response.status_code == 200:
            shown |= {href for href in links(response.content.decode()) if not href.startswith("/accounts/")}
    refused = {}
    for href in sorted(shown):
        status = client.get(href, follow=True).status_code  # a provider's "Market" leads to their own page
        if status != 200:
            refused[href] = status
    assert refused == {}, f"{role} is shown links it cannot follow"
    # ...and the links are there for those who may follow them.
    market = {e.get_absolute_url() for e in entries}
    expect_market = market if role in {Role.ASSESSOR, Role.PLANNER, Role.FINANCE, Role.ADMIN} else set()
    assert market & shown == expect_market
    expect_meeting = role in {Role.PANEL, Role.ADMIN}
    assert (meeting.get_absolute_url() in shown) == expect_meeting
