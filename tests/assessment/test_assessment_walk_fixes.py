"""What a reviewer found walking the assessor's and the person's pages in Chromium: a reason is asked
for only when the band differs from the answers' (page, API and service alike); after confirming, a
budget worked out before the confirmation is not offered as the first next step; a number's hint
reads as a sentence; a self-assessment's history and the assessor's queue say each date once."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from alloc_testdata import COMPLETE, make_assessment

from helpers import client_for, token_for
from selfdirect.allocation.services import allocate_assessment
from selfdirect.assessment import services, views
from selfdirect.assessment.constants import AssessmentStatus
from selfdirect.assessment.models import Assessment
from selfdirect.core.constants import Role
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import AuditEvent

ALLOCATED_AT = dt.datetime(2026, 12, 8, 10, 0, tzinfo=dt.UTC)  # 8 December 2026 in London too
CONFIRMED_AT = dt.datetime(2026, 12, 9, 11, 0, tzinfo=dt.UTC)  # 9 December 2026
LATER = dt.datetime(2026, 12, 10, 9, 30, tzinfo=dt.UTC)  # 10 December 2026


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch):
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 5, 1))


@pytest.fixture
def sent(world, north_2026):
    """A complete self-assessment sent in, whose answers give the substantial band."""
    return make_assessment(world.north.caseload_person, north_2026, status=AssessmentStatus.SUBMITTED)


def _api(world, url, body):
    user = world.north.users[Role.ASSESSOR]
    return client_for(user).post(
        url, data=json.dumps(body), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(user, world.north.authority)}",
    )  # fmt: skip


def _reasons(a: Assessment) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="assessment.assessment", object_id=str(a.pk))
        .order_by("at", "pk")
        .values_list("reason", flat=True)
    )


# --------------------------------------------------------------------------- 1. the reason


def test_confirming_the_band_the_answers_give_needs_no_reason_and_still_records_one(world, sent):
    client = client_for(world.north.users[Role.ASSESSOR])
    page = client.get(f"/assessment/{sent.pk}/").content.decode()
    assert "If you choose a different band from the one the answers give, say why." in page
    done = client.post(f"/assessment/{sent.pk}/confirm/", {"band": "substantial", "reason": "  "})
    assert done.status_code == 302
    sent.refresh_from_db()
    assert sent.status == AssessmentStatus.CONFIRMED and sent.band == "substantial"
    assert sent.band_reason == "Confirmed the band the answers give"
    assert _reasons(sent)[-1] == "Confirmed the band the answers give"
    shown = client.get(done["Location"]).content.decode()
    assert "band, by" in shown and "Reason: Confirmed the band the answers give" in shown


def test_a_different_band_still_needs_a_reason_on_the_page(world, sent):
    client = client_for(world.north.users[Role.ASSESSOR])
    refused = client.post(f"/assessment/{sent.pk}/confirm/", {"band": "critical", "reason": ""})
    html = refused.content.decode()
    assert refused.status_code == 400
    assert (
        '<a href="#reason">Enter why you chose the critical band when the answers give substantial</a>'
        in html
    )
    sent.refresh_from_db()
    assert sent.status == AssessmentStatus.SUBMITTED and sent.band == "" and _reasons(sent) == []


def test_the_service_and_the_api_agree_about_the_reason(world, north_2026, sent):
    assessor = world.north.users[Role.ASSESSOR]
    with pytest.raises(ServiceError) as refused:
        services.confirm_eligibility(assessor, sent, "critical", "")
    assert refused.value.errors == {
        "reason": ["Enter why you chose the critical band when the answers give substantial"]
    }
    url = f"/api/v1/assessments/{sent.pk}/eligibility"
    api_refused = _api(world, url, {"band": "critical"})
    assert api_refused.status_code == 422
    assert {tuple(e["path"]): e["message"] for e in api_refused.json()["errors"]} == {
        ("body", "reason"): "Enter why you chose the critical band when the answers give substantial"
    }
    ok = _api(world, url, {"band": "substantial"})
    assert ok.status_code == 200, ok.content
    assert (
        ok.json()["band"] == "substantial"
        and ok.json()["band_reason"] == "Confirmed the band the answers give"
    )
    other = make_assessment(world.north.caseload_person, north_2026, status=AssessmentStatus.SUBMITTED)
    done = services.confirm_eligibility(assessor, other, "substantial")
    assert done.band_reason == "Confirmed the band the answers give"
    typed = _api(
        world, f"/api/v1/assessments/{other.pk}/eligibility", {"band": "critical", "reason": "Falls"}
    )
    assert typed.status_code == 200 and typed.json()["band_reason"] == "Falls"


# --------------------------------------------------------------------------- 2. next steps


def _steps(client, a: Assessment) -> str:
    return (
        client.get(f"/assessment/{a.pk}/")
        .content.decode()
        .split('data-testid="next-steps">')[1]
        .split("</div>")[0]
    )


def test_a_budget_worked_out_before_the_confirmation_comes_after_working_out_a_new_one(world, sent):
    person = sent.person
    with time_machine.travel(ALLOCATED_AT, tick=False):
        allocate_assessment(None, sent)
    with time_machine.travel(CONFIRMED_AT, tick=False):
        client = client_for(world.north.users[Role.ASSESSOR])
        client.post(f"/assessment/{sent.pk}/confirm/", {"band": "critical", "reason": "Lives alone; falls"})
        steps = _steps(client, sent)
        page = client.get(f"/assessment/{sent.pk}/").content.decode()  # on the same day: the session lasts 8 hours
    work_out = steps.index(">Work out the indicative budget</button>")
    stale = steps.index(
        f"See {person}'s indicative budget worked out on 8 December 2026, before eligibility was confirmed</a>"
    )
    assert work_out < stale < steps.index("Start a support plan")
    # The button leads the steps, so it is not offered a second time further down.
    assert page.count("Work out the indicative budget") == 1


def test_a_budget_worked_out_after_the_confirmation_is_the_first_next_step(world, sent):
    person = sent.person
    with time_machine.travel(CONFIRMED_AT, tick=False):
        client = client_for(world.north.users[Role.ASSESSOR])
        client.post(f"/assessment/{sent.pk}/confirm/", {"band": "substantial", "reason": ""})
    with time_machine.travel(LATER, tick=False):
        client = client_for(world.north.users[Role.ASSESSOR])
        assert client.post(f"/allocation/assessments/{sent.pk}/allocate/").status_code == 302
        steps = _steps(client, sent)
        page = client.get(f"/assessment/{sent.pk}/").content.decode()
    link = f'href="/allocation/people/{person.pk}/budget/">See {person}\'s indicative budget</a>'
    assert steps.index(link) < steps.index("Start a support plan")
    assert "<button" not in steps and "before eligibility was confirmed" not in steps
    assert ">Work out the indicative budget again</button>" in page  # still there, further down


# --------------------------------------------------------------------------- 3. number hints


def _number(
    unit: str = "", decimals: int = 0, low: str | None = None, high: str | None = None
) -> SimpleNamespace:
    """A number question as the hint reads it (unit, decimals, bounds)."""
    low_, high_ = (Decimal(v) if v is not None else None for v in (low, high))
    return SimpleNamespace(type="number", unit=unit, decimals=decimals, min=low_, max=high_)


@pytest.mark.parametrize(
    ("question", "hint"),
    [
        (_number("hours a week", 2, "0", "100"),
         "Enter the number of hours a week, from 0 to 100. You can use up to 2 decimal places."),
        (_number("hours a week", 1), "Enter the number of hours a week. You can use up to 1 decimal place."),
        (_number("", 2, "0"), "Enter a number, 0 or more. You can use up to 2 decimal places."),
        (_number("years", 0, "18", "120"), "Enter a whole number of years, from 18 to 120"),
        (_number("nights a year", 0, None, "365"), "Enter a whole number of nights a year, 365 or less"),
        (_number(), "Enter a whole number"),
    ],
)  # fmt: skip
def test_a_number_hint_says_what_to_enter_then_how_exact_it_may_be(question, hint):
    assert views.number_hint(question) == hint


def test_the_home_care_hours_question_reads_as_sentences(world, north_2026):
    a = make_assessment(world.north.self_person, north_2026, dict(COMPLETE))
    page = client_for(world.north.users[Role.PERSON]).get(f"/assessment/{a.pk}/questions/tc_home_care_hours/")
    html = page.content.decode()
    assert "Enter the number of hours a week, from 0 to 100. You can use up to 2 decimal places." in html
    assert "decimal places of" not in html
    refused = client_for(world.north.users[Role.PERSON]).post(
        f"/assessment/{a.pk}/questions/tc_home_care_hours/", {"answer": "7.125"}
    )
    assert "The number of hours a week can have up to 2 decimal places" in refused.content.decode()


# --------------------------------------------------------------------------- 4 and 5. dates said once


def _dated(person, version, on, **fields):
    a = make_assessment(person, version, **fields)
    Assessment.objects.filter(pk=a.pk).update(on=on)
    return a


def _sent(person, version, on, sent_at):
    return _dated(person, version, on, status=AssessmentStatus.SUBMITTED, submitted_at=sent_at)


def test_earlier_self_assessments_say_each_day_once(world, north_2026):
    person = world.north.self_person
    make_assessment(person, north_2026)  # a draft: not listed
    dec8 = dt.datetime(2026, 12, 8, 10, tzinfo=dt.UTC)
    dec9 = dt.datetime(2026, 12, 9, 10, tzinfo=dt.UTC)
    _sent(person, north_2026, dt.date(2026, 12, 8), dec8)
    _sent(person, north_2026, dt.date(2026, 5, 1), dec8)
    for on, sent_at, confirmed_at in [
        (dt.date(2026, 12, 8), dec8, dec9),
        (dt.date(2026, 12, 9), dec9, dec9),
        (dt.date(2026, 5, 1), dec8, dec9),
    ]:
        _dated(person, north_2026, on, status=AssessmentStatus.CONFIRMED, submitted_at=sent_at,
               confirmed_at=confirmed_at, band="substantial")  # fmt: skip
    html = (
        client_for(world.north.users[Role.PERSON])
        .get(f"/assessment/people/{person.pk}/self/")
        .content.decode()
    )
    past = html.split('data-testid="past">')[1].split("</ul>")[0]
    rows = [li.split(" · ")[0].strip() for li in past.split("<li>")[1:]]
    assert sorted(rows) == sorted([
        "Sent on 8 December 2026",
        "Started on 1 May 2026, sent on 8 December 2026",
        "Sent on 8 December 2026, eligibility confirmed on 9 December 2026",
        "Sent and eligibility confirmed on 9 December 2026",
        "Started on 1 May 2026, sent on 8 December 2026, eligibility confirmed on 9 December 2026",
    ])  # fmt: skip
    assert "sent on 8 December 2026: sent on" not in html.lower()


def test_the_assessors_queue_says_sent_in_on_a_day(world, north_2026):
    _sent(
        world.north.caseload_person,
        north_2026,
        dt.date(2025, 12, 15),
        dt.datetime(2025, 12, 15, 12, tzinfo=dt.UTC),
    )
    home = client_for(world.north.users[Role.ASSESSOR]).get("/").content.decode()
    queue = home.split('data-testid="sent-in">')[1].split("</ul>")[0]
    assert "– sent in on 15 December 2025</li>" in queue and "sent in 15" not in queue
