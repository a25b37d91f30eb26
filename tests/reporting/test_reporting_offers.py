"""Personal budgets offered at first contact and at reviews (issue 9 point 1, seed 001): the
offers indicator from the small known data set, worked out by hand; recording an offer at a
review and its answer; who may do it; drill-down to the people behind each figure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from reporting_support import North, build_north

from helpers import client_for
from selfdirect.core.constants import Role
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import AuditEvent
from selfdirect.plans.constants import RefusalReason
from selfdirect.plans.models import Refusal, Review
from selfdirect.reporting import services
from selfdirect.reporting.indicators import build_report, parse_period
from selfdirect.reporting.models import BudgetOffer, OfferOutcome
from selfdirect.reporting.queries import cohort

MAY = parse_period("2026-05")
YEAR = parse_period("2026")
D = dt.date


def offer(person, on, outcome, decided=None, reason=None, follow_up=None, followed_up=None, review=None):
    refusal = None
    if reason:
        refusal = Refusal.objects.create(authority=person.authority, person=person, reason=reason, recorded_on=decided,
                                         follow_up_on=follow_up, followed_up_on=followed_up)  # fmt: skip
    return BudgetOffer.objects.create(authority=person.authority, person=person, offered_on=on, outcome=outcome,
                                      decided_on=decided, refusal=refusal, review=review)  # fmt: skip


def build_review_offers(world, data: North) -> None:
    """Offers at reviews in Northshire, on top of build_north:
    - ld, 12 May (their plan's review held that day): not decided then; accepted 3 June;
    - moderate, 14 May: declined, worried about the money; follow-up due 28 May, done 30 May;
    - low, 20 May: declined, prefers their services; follow-up due 19 June, not done;
    - other_person, 25 May: accepted that day; and 15 April: not decided (outside May);
    and in Southvale, self_person on 6 May, declined: never in Northshire's figures."""
    side = world.north
    review = Review.objects.get(plan=data.ld_plan, held_on=D(2026, 5, 12))
    offer(data.ld, D(2026, 5, 12), OfferOutcome.ACCEPTED, D(2026, 6, 3), review=review)
    offer(data.moderate, D(2026, 5, 14), OfferOutcome.DECLINED, D(2026, 5, 14), RefusalReason.MONEY_WORRIES,
          D(2026, 5, 28), D(2026, 5, 30))  # fmt: skip
    offer(data.low, D(2026, 5, 20), OfferOutcome.DECLINED, D(2026, 5, 20), RefusalReason.PREFERS_SERVICES,
          D(2026, 6, 19))  # fmt: skip
    offer(side.other_person, D(2026, 5, 25), OfferOutcome.ACCEPTED, D(2026, 5, 25))
    offer(side.other_person, D(2026, 4, 15), OfferOutcome.UNDECIDED)
    offer(world.south.self_person, D(2026, 5, 6), OfferOutcome.DECLINED, D(2026, 5, 6), RefusalReason.OTHER,
          D(2026, 6, 6))  # fmt: skip


@pytest.fixture
def north(world):
    data = build_north(world)
    build_review_offers(world, data)
    world.data = data
    return world


def offers(period, world=None, **kw):
    return build_report(world.north.authority, period, sections=("offers",), **kw).table("offers")


def test_offers_side_by_side_in_may(north):
    # First contact: nobody referred in May (everyone's record dates from 1 January): noughts,
    # no shares. At review in May: ld, moderate, low, other = 4 offers. By 31 May: other
    # accepted (1, 25.0%); moderate and low declined (2, 50.0%); ld had not decided (1, 25.0%).
    # Reasons, as a share of the 2 declines: prefers their services 1 (low), money 1
    # (moderate), 50.0% each. Follow-ups due by 31 May: moderate's (28 May) = 1, 50.0% of the
    # declines; low's is due 19 June. Done: moderate's on 30 May = 1, 100.0% of those due.
    table = offers(MAY, north)
    assert table.rows == [
        ["Offered", 0, None, 4, Decimal("100.0")],
        ["Accepted", 0, None, 1, Decimal("25.0")],
        ["Declined", 0, None, 2, Decimal("50.0")],
        ["Not decided yet", 0, None, 1, Decimal("25.0")],
        ["Declined: prefers the services they have", 0, None, 1, Decimal("50.0")],
        ["Declined: worried about handling the money", 0, None, 1, Decimal("50.0")],
        ["Follow-ups due", 0, None, 1, Decimal("50.0")],
        ["Follow-ups done", 0, None, 1, Decimal("100.0")],
    ]
    assert "at reviews" in table.title and "Follow-ups due" in table.definition


def test_offers_side_by_side_in_the_year(north):
    # First contact in 2026: the six Northshire people, 3 accepted (self, caseload, ld: budget
    # or plan), 3 declined (other 1 April 'another reason', moderate 3 May 'not now', low 10 May
    # 'another reason': the refusals not answering an offer at a review), none undecided.
    # Reasons of the 3: not now 1 (33.3%), another reason 2 (66.7%). Follow-ups due by 31
    # December: all 3 (100.0%); done: moderate's (21 May) = 1 (33.3% of 3).
    # At review: 5 offers (May's 4 and other's in April). Accepted by 31 December: other (25
    # May), ld (3 June) = 2 (40.0%); declined 2 (40.0%); other's April offer undecided, 1
    # (20.0%). Follow-ups due: both declines (28 May, 19 June) = 2 (100.0%); done 1 (50.0%).
    assert offers(YEAR, north).rows == [
        ["Offered", 6, Decimal("100.0"), 5, Decimal("100.0")],
        ["Accepted", 3, Decimal("50.0"), 2, Decimal("40.0")],
        ["Declined", 3, Decimal("50.0"), 2, Decimal("40.0")],
        ["Not decided yet", 0, Decimal("0.0"), 1, Decimal("20.0")],
        ["Declined: prefers the services they have", 0, Decimal("0.0"), 1, Decimal("50.0")],
        ["Declined: worried about handling the money", 0, Decimal("0.0"), 1, Decimal("50.0")],
        ["Declined: not the right time", 1, Decimal("33.3"), 0, Decimal("0.0")],
        ["Declined: another reason", 2, Decimal("66.7"), 0, Decimal("0.0")],
        ["Follow-ups due", 3, Decimal("100.0"), 2, Decimal("100.0")],
        ["Follow-ups done", 1, Decimal("33.3"), 1, Decimal("50.0")],
    ]


def test_filters_and_empty(north):
    side, data = north.north, north.data
    # The other team (ld, low, other_person) in May: ld undecided, low declined, other accepted.
    team = offers(MAY, north, team_id=side.other_team.pk)
    assert [r[3] for r in team.rows[:4]] == [3, 1, 1, 1]
    # A caseload (the home team: moderate only, of those offered at review)
    home = side.users[Role.ASSESSOR]
    from selfdirect.reporting.rules import report_people

    mine = offers(MAY, north, caseload=report_people(home, side.authority))
    assert [r[3] for r in mine.rows[:4]] == [1, 0, 1, 0]
    assert data.moderate.pk in set(report_people(home, side.authority).values_list("pk", flat=True))
    # March: no referrals, no offers: a clear empty table, no division by zero
    assert offers(parse_period("2026-03"), north).empty


def test_drill_down_lists_the_people_behind_each_figure(north):
    side, data = north.north, north.data
    may = build_report(side.authority, MAY, sections=()).scope
    assert set(cohort(may, "offers_review_made")) == {data.ld, data.moderate, data.low, side.other_person}
    assert set(cohort(may, "offers_review_accepted")) == {side.other_person}
    assert set(cohort(may, "offers_review_declined")) == {data.moderate, data.low}
    assert set(cohort(may, "offers_review_undecided")) == {data.ld}
    assert (
        set(cohort(may, "offers_review_follow_up_due"))
        == set(cohort(may, "offers_review_followed_up"))
        == {data.moderate}
    )
    assert set(cohort(may, "offers_review_nonsense")) == set()
    year = build_report(side.authority, YEAR, sections=()).scope
    assert set(cohort(year, "offers_review_accepted")) == {side.other_person, data.ld}
    assert set(cohort(year, "offers_review_undecided")) == {side.other_person}
    assert set(cohort(year, "offers_follow_up_due")) == {side.other_person, data.moderate, data.low}
    assert set(cohort(year, "offers_followed_up")) == {data.moderate}
    # Where the figure counts people, its list has that many (each has one offer in May)
    table = offers(MAY, north)
    for row, name in zip(table.rows, table.cell_cohorts[3], strict=True):
        if name:
            assert cohort(may, name).count() == row[3], name


def test_page_links_both_columns_for_those_who_may_drill(north):
    side = north.north
    html = client_for(side.users[Role.ADMIN]).get("/reports/indicator/offers/?period=2026").content.decode()
    assert "/reports/people/offers_review_declined/?period=2026" in html
    assert "/reports/people/offers_declined/?period=2026" in html
    assert "At review" in html and "How this is worked out" in html
    page = client_for(side.users[Role.ADMIN]).get("/reports/people/offers_review_declined/?period=2026")
    assert page.status_code == 200
    assert side.self_person.family_name not in page.content.decode()
    assert north.data.moderate.family_name in page.content.decode()
    commissioner = client_for(side.users[Role.COMMISSIONER])
    html = commissioner.get("/reports/indicator/offers/?period=2026").content.decode()
    assert "At review" in html and "/reports/people/" not in html
    assert commissioner.get("/reports/people/offers_review_declined/?period=2026").status_code == 403
    # Southvale's admin sees Southvale's one review offer only
    south = client_for(north.south.users[Role.ADMIN]).get(
        "/reports/people/offers_review_made/?period=2026-05"
    )
    assert north.south.self_person.family_name in south.content.decode()
    assert north.data.moderate.family_name not in south.content.decode()


def test_csv_and_xlsx_and_api(north):
    from io import BytesIO

    from openpyxl import load_workbook

    client = client_for(north.north.users[Role.COMMISSIONER])
    text = client.get("/reports/export/offers.csv?period=2026-05").content.decode()
    assert (
        text.splitlines()[0]
        == "Offers,At first contact,Share at first contact (%),At review,Share at review (%)"
    )
    assert "Follow-ups done,0,,1,100.0" in text
    wb = load_workbook(BytesIO(client.get("/reports/export/offers.xlsx?period=2026-05").content))
    assert [c.value for c in wb["offers"][4]] == ["Offered", 0, None, 4, 100.0]


def test_record_an_offer_at_a_review(north, settings):
    side, data = north.north, north.data
    assessor = side.users[Role.ASSESSOR]
    # caseload_person is the assessor's; accepted at a review of their services (no plan review)
    made = services.record_review_offer(assessor, side.authority, reference=side.caseload_person.reference,
                                        offered_on="2026-05-02", outcome="accepted")  # fmt: skip
    assert (made.outcome, made.decided_on, made.review, made.refusal) == (
        "accepted",
        D(2026, 5, 2),
        None,
        None,
    )
    # Declined: the plans app's refusal holds the reason and its follow-up date (90 days)
    declined = services.record_review_offer(assessor, side.authority, reference=side.caseload_person.reference,
                                            offered_on="2026-05-03", outcome="declined", reason="not_now",
                                            notes="Wants to wait")  # fmt: skip
    assert declined.refusal.reason == "not_now" and declined.refusal.recorded_on == D(2026, 5, 3)
    assert declined.refusal.follow_up_on == D(2026, 5, 3) + dt.timedelta(days=90)
    assert AuditEvent.objects.filter(object_id=str(declined.pk), reason__contains="declined").exists()
    # Not decided, then the answer
    later = services.record_review_offer(assessor, side.authority, reference=side.caseload_person.reference,
                                         offered_on="2026-05-04", outcome="undecided")  # fmt: skip
    assert later.decided_on is None
    services.decide_review_offer(assessor, later, outcome="declined", reason="money_worries")
    later.refresh_from_db()
    assert later.outcome == "declined" and later.refusal.reason == "money_worries"
    with pytest.raises(ServiceError, match="already been answered"):
        services.decide_review_offer(assessor, later, outcome="accepted")
    # On the plan's review day, the offer is linked to that review
    admin = side.users[Role.ADMIN]
    linked = services.record_review_offer(admin, side.authority, reference=data.ld.reference,
                                          offered_on="2026-05-12", outcome="accepted")  # fmt: skip
    assert linked.review is not None and linked.review.plan == data.ld_plan


def test_bad_input_writes_nothing(north):
    side = north.north
    assessor = side.users[Role.ASSESSOR]
    before = (BudgetOffer.objects.count(), Refusal.objects.count())
    with pytest.raises(ServiceError) as caught:
        services.record_review_offer(assessor, side.authority, reference="", offered_on="31/13/2026",
                                     outcome="maybe")  # fmt: skip
    assert set(caught.value.errors) == {"reference", "offered_on", "outcome"}
    with pytest.raises(ServiceError) as caught:
        services.record_review_offer(assessor, side.authority, reference=side.caseload_person.reference,
                                     offered_on="2026-05-01", outcome="declined", reason="")  # fmt: skip
    assert caught.value.errors == {"reason": ["Choose why they declined"]}
    with pytest.raises(ServiceError, match="reference"):  # another authority's person
        services.record_review_offer(assessor, side.authority, reference=north.south.caseload_person.reference,
                                     offered_on="2026-05-01", outcome="accepted")  # fmt: skip
    with pytest.raises(ServiceError, match="today or in the past"):
        services.record_review_offer(assessor, side.authority, reference=side.caseload_person.reference,
                                     offered_on="2999-01-01", outcome="accepted")  # fmt: skip
    # An administrator may record offers, but a decline's follow-up belongs to the person's workers
    with pytest.raises(ServiceError, match="assessor or planner"):
        services.record_review_offer(side.users[Role.ADMIN], side.authority, reference=side.caseload_person.reference,
                                     offered_on="2026-05-01", outcome="declined", reason="not_now")  # fmt: skip
    assert (BudgetOffer.objects.count(), Refusal.objects.count()) == before


@pytest.mark.parametrize("role", list(Role))
def test_offers_page_by_role(north, role):
    client = client_for(north.north.users[role])
    allowed = role in {Role.ADMIN, Role.ASSESSOR, Role.PLANNER}
    assert client.get("/reports/offers/").status_code == (200 if allowed else 403)


def test_offers_page_records_and_answers(north):
    side, data = north.north, north.data
    client = client_for(side.users[Role.ASSESSOR])
    response = client.post("/reports/offers/", {"reference": side.caseload_person.reference,
                                                "offered_on": "2026-05-05", "outcome": "undecided"})  # fmt: skip
    assert response.status_code == 302
    made = BudgetOffer.objects.get(person=side.caseload_person)
    page = client.get("/reports/offers/").content.decode()
    # The assessor sees their home team's offers (caseload_person, moderate), not ld's or low's
    assert side.caseload_person.family_name in page and data.moderate.family_name in page
    assert data.ld.family_name not in page and data.low.family_name not in page
    assert f"/reports/offers/{made.pk}/answer/" in page
    bad = client.post(f"/reports/offers/{made.pk}/answer/", {"answer": "declined", "answer_reason": ""})
    assert bad.status_code == 400 and "Choose why they declined" in bad.content.decode()
    assert client.post(f"/reports/offers/{made.pk}/answer/", {"answer": "accepted"}).status_code == 302
    made.refresh_from_db()
    assert made.outcome == "accepted" and made.decided_on is not None
    # Bad input on the form: 400, errors named, nothing written
    response = client.post("/reports/offers/", {"reference": "", "offered_on": "May", "outcome": ""})
    assert response.status_code == 400 and "Enter the person&#x27;s reference" in response.content.decode()
    # Someone else's offer (ld: other team) is not found; another authority's neither
    ld_offer = BudgetOffer.objects.get(person=data.ld)
    assert client.post(f"/reports/offers/{ld_offer.pk}/answer/", {"answer": "accepted"}).status_code == 404
    south_offer = BudgetOffer.objects.get(person=north.south.self_person)
    admin = client_for(side.users[Role.ADMIN])
    assert admin.post(f"/reports/offers/{south_offer.pk}/answer/", {"answer": "accepted"}).status_code == 404


def test_chart_draws_first_contact_and_review_side_by_side(north):
    from selfdirect.core import charts as core_charts
    from selfdirect.reporting import charts

    # May: first contact has no shares (nothing offered), so only the review bars are drawn, for
    # the four outcome rows (not the reasons or follow-ups, whose shares are of the declines).
    chart = charts.table_chart(offers(MAY, north))
    assert chart is not None and chart.key == [(core_charts.BLUE, "Share at first contact"), (core_charts.GREEN, "Share at review")]
    assert [row.label for row in chart.rows] == ["Offered", "Accepted", "Declined", "Not decided yet"]
    assert all([bar.name for bar in row.bars] == ["Share at review"] for row in chart.rows)
    assert [bar.figure for row in chart.rows for bar in row.bars][:2] == ["100.0%", "25.0%"]
    assert "50.0%" in [bar.figure for row in chart.rows for bar in row.bars]
    # Shares on a scale from 0% to 100%: a quarter is a quarter of the track.
    assert chart.scale == "0% to 100%" and chart.rows[1].bars[0].length == 25.0
    # The year: both columns, four rows each
    chart = charts.table_chart(offers(YEAR, north))
    assert chart is not None and all([bar.colour for bar in row.bars] == [core_charts.BLUE, core_charts.GREEN] for row in chart.rows)
