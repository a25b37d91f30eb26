"""Deterministic demo market for each demo authority: providers with services and rate tables,
ratings, a QAF result and a spot check, personal assistants (one with an expired DBS check),
brokers, a framework list and a block contract with abatement and its usage. Rates, contracts and
ratings are dated from April 2026; the personal assistants' checks are dated from the load day, so
Lena Novak's DBS check has always just expired and the others are in date. Idempotent: an
authority that already has providers is left as it is."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from selfdirect.core.constants import Role
from selfdirect.core.models import Authority, User
from selfdirect.people.demo import AUTHORITIES
from selfdirect.people.models import Person

from . import services
from .constants import (
    BlockBasis,
    BrokerKind,
    CheckKind,
    CheckOutcome,
    ContractKind,
    DoubleFunding,
    FeeBasis,
    Funding,
    ListKind,
    ProviderKind,
    QafLevel,
    SupportType,
    Unit,
)
from .models import Area, BankHoliday, Provider

REASON = "Demo data"
RATES_FROM = dt.date(2026, 4, 1)

# England and Wales bank holidays (gov.uk).
BANK_HOLIDAYS = [
    (dt.date(2026, 1, 1), "New Year's Day"), (dt.date(2026, 4, 3), "Good Friday"),
    (dt.date(2026, 4, 6), "Easter Monday"), (dt.date(2026, 5, 4), "Early May bank holiday"),
    (dt.date(2026, 5, 25), "Spring bank holiday"), (dt.date(2026, 8, 31), "Summer bank holiday"),
    (dt.date(2026, 12, 25), "Christmas Day"), (dt.date(2026, 12, 28), "Boxing Day (substitute day)"),
    (dt.date(2027, 1, 1), "New Year's Day"), (dt.date(2027, 3, 26), "Good Friday"),
    (dt.date(2027, 3, 29), "Easter Monday"),
]  # fmt: skip

# Seed 002 "Hourly rates": SP-funded support £15-18 an hour. Enhanced rates for unsocial hours (seed 004 Q4).
HOME_CARE_RATES = {
    "standard_pence": 1500, "evening_pence": 1650, "night_pence": 1800, "weekend_pence": 1700,
    "bank_holiday_pence": 2250,
}  # fmt: skip


def _provider_specs(slug: str, towns: tuple[str, ...]) -> list[dict]:
    prefix = "Northam" if slug == "northshire" else "Brookmere"
    digit = "07" if slug == "northshire" else "08"
    return [
        {
            "name": f"{prefix} Home Care Ltd", "kind": ProviderKind.AGENCY, "cqc_number": f"1-{digit}1234567",
            "companies_house_number": f"{digit}345678",
            "support_types": [SupportType.PERSONAL_CARE, SupportType.DOMESTIC, SupportType.NIGHT],
            "areas": towns[:2], "phone": "01632 960100", "email": f"care@{slug}-homecare.example.org",
            "stars": 4, "qaf": QafLevel.B,
            "services": [
                ("Home care", SupportType.PERSONAL_CARE, Unit.HOUR, HOME_CARE_RATES),
                ("Night sitting", SupportType.NIGHT, Unit.NIGHT, {"standard_pence": 9500, "bank_holiday_pence": 12000}),
            ],
        },
        {
            "name": f"{towns[1]} Housing Support Trust", "kind": ProviderKind.HOUSING, "cqc_number": "",
            "companies_house_number": f"{digit}456789",
            "support_types": [SupportType.HOUSING_SUPPORT, SupportType.MENTAL_HEALTH],
            "areas": towns, "phone": "01632 960200", "email": f"support@{slug}-hst.example.org", "stars": 5,
            "qaf": QafLevel.A,
            "services": [
                ("Floating support", SupportType.HOUSING_SUPPORT, Unit.HOUR,
                 {"standard_pence": 1600, "evening_pence": 1750, "weekend_pence": 1800}),
            ],
        },
        {
            "name": "Brightday Community Services", "kind": ProviderKind.DAY, "cqc_number": "",
            "companies_house_number": "", "support_types": [SupportType.SOCIAL],
            "areas": towns[:1], "phone": "01632 960300", "email": f"hello@{slug}-brightday.example.org",
            "stars": 3, "qaf": QafLevel.C,
            "services": [("Day opportunities", SupportType.SOCIAL, Unit.VISIT, {"standard_pence": 4200})],
        },
    ]  # fmt: skip


@transaction.atomic
def load_market_demo(today: dt.date | None = None) -> None:
    for demo in AUTHORITIES:
        authority = Authority.objects.filter(slug=demo.slug).first()
        if authority is None or Provider.objects.filter(authority=authority).exists():
            continue
        load_authority(authority, demo.towns, today)


def load_authority(authority: Authority, towns: tuple[str, ...], today: dt.date | None = None) -> None:
    slug = authority.slug
    today = today or timezone.localdate()
    admin = User.objects.filter(username=f"{slug}-commissioner").first()
    services.save_settings(
        admin,
        authority,
        {"family_pas_allowed": slug == "southvale", "accredits_pas": slug == "northshire"},
        REASON,
    )
    for day, name in BANK_HOLIDAYS:
        BankHoliday.objects.get_or_create(authority=authority, date=day, defaults={"name": name})
    areas = {t: Area.objects.get_or_create(authority=authority, name=t)[0] for t in towns}
    providers = []
    for spec in _provider_specs(slug, towns):
        provider = services.save_provider(
            admin, authority,
            {"name": spec["name"], "kind": spec["kind"], "cqc_number": spec["cqc_number"],
             "companies_house_number": spec["companies_house_number"], "support_types": spec["support_types"],
             "areas": [areas[t] for t in spec["areas"]], "phone": spec["phone"], "email": spec["email"],
             "description": "Demo provider: made-up organisation."},
            REASON,
        )  # fmt: skip
        for name, kind, unit, rate in spec["services"]:
            service = services.save_service(
                admin, provider, {"name": name, "support_type": kind, "unit": unit}, REASON
            )
            services.save_rate_table(
                admin,
                service,
                {"starts_on": RATES_FROM, "policy_note": "Demo rates, 2026/27", **rate},
                REASON,
            )
        services.add_rating(admin, provider, {"stars": spec["stars"], "rated_on": dt.date(2026, 3, 1),
                                              "basis": "Council quality visits and people's feedback"}, REASON)  # fmt: skip
        services.add_quality_assessment(
            admin,
            provider,
            {"assessed_on": dt.date(2026, 2, 10), "level": spec["qaf"], "summary": "Demo QAF review"},
            REASON,
        )
        providers.append(provider)
    services.add_spot_check(
        admin, providers[0],
        {"checked_on": dt.date(2026, 3, 12), "checked_by": "Chris Commissioner", "outcome": CheckOutcome.PARTLY,
         "notes": "Visit times not always kept; action plan agreed.", "follow_up_by": dt.date(2026, 6, 12)},
        REASON,
    )  # fmt: skip
    provider_user = User.objects.filter(username=f"{slug}-provider").first()
    if provider_user is not None and Role.PROVIDER in provider_user.roles_in(authority):
        services.link_provider_user(admin, providers[0], provider_user, REASON)
    # Personal assistants: two listed and in date, one whose DBS check ran out a few weeks before
    # the load day (hidden from the public).
    pas = [
        ("Joy Adeyemi", [SupportType.PERSONAL_CARE, SupportType.SOCIAL], "Weekday mornings", 1250,
         today + dt.timedelta(days=300)),
        ("Tom Baker", [SupportType.SOCIAL, SupportType.DOMESTIC], "Evenings and weekends", 1150,
         today + dt.timedelta(days=55)),
        ("Lena Novak", [SupportType.PERSONAL_CARE], "Weekends", 1300, today - dt.timedelta(days=40)),
    ]  # fmt: skip
    for i, (name, offers, availability, rate, dbs_expiry) in enumerate(pas):
        pa = services.save_pa(
            admin, authority,
            {"name": name, "support_types": offers, "availability": availability, "hourly_rate_pence": rate,
             "areas": [areas[towns[i % len(towns)]]], "consents_to_listing": True,
             "consent_recorded_on": min(dt.date(2025, 11, 1), today), "accredited": slug == "northshire" and i == 0,
             "offer": "Demo personal assistant: made-up person.", "phone": f"07700 90012{i}"},
            REASON,
        )  # fmt: skip
        services.add_pa_check(
            admin, pa, {"kind": CheckKind.DBS, "title": "Enhanced DBS with adults' barred list",
                        "reference": f"00{slug[:1].upper()}{1000 + i}", "issued_on": dbs_expiry - dt.timedelta(days=3 * 365),
                        "expires_on": dbs_expiry}, REASON,
        )  # fmt: skip
        services.add_pa_check(
            admin, pa, {"kind": CheckKind.TRAINING, "title": "Moving and handling",
                        "issued_on": today - dt.timedelta(days=190), "expires_on": today + dt.timedelta(days=905)},
            REASON,
        )  # fmt: skip
    services.save_broker(
        admin, authority,
        {"name": "Amira Hassan", "organisation": f"{towns[0]} Age Concern", "kind": BrokerKind.BOTH,
         "profile": "Helps older people plan support and find PAs; can manage the payments for you.",
         "areas": list(areas.values()), "fee_pence": 2500, "fee_basis": FeeBasis.HOUR, "payable_from_budget": True,
         "independent": True},
        REASON,
    )  # fmt: skip
    services.save_broker(
        admin, authority,
        {"name": "Dev Sharma", "organisation": "Council direct payments team", "kind": BrokerKind.PLANNER,
         "profile": "Council support planner: free of charge.", "areas": list(areas.values()), "fee_pence": 0,
         "fee_basis": FeeBasis.FIXED, "payable_from_budget": False, "independent": False},
        REASON,
    )  # fmt: skip
    home_care = providers[0].services.get(name="Home care")
    floating = providers[1].services.get(name="Floating support")
    framework = services.save_list(
        admin, authority,
        {"name": "Home support framework 2026-2029", "kind": ListKind.FRAMEWORK, "starts_on": RATES_FROM,
         "ends_on": dt.date(2029, 3, 31), "description": "Prices fixed for people with virtual budgets; no volume guaranteed."},
        REASON,
    )  # fmt: skip
    services.add_list_entry(admin, framework, {"service": home_care, "fixed_price_pence": 1500}, REASON)
    services.add_list_entry(admin, framework, {"service": floating, "fixed_price_pence": 1600}, REASON)
    # Seed 003: minimum cover block contracted at 175 care hours a week; at most three years.
    contract = services.save_contract(
        admin, authority,
        {"reference": f"{slug[:2].upper()}-ECH-001", "title": "Extra Care core care at Orchard Court",
         "provider": providers[0], "service": home_care, "kind": ContractKind.BLOCK, "block_basis": BlockBasis.HOURS,
         "extra_care": True, "starts_on": RATES_FROM, "ends_on": dt.date(2029, 3, 31), "volume": Decimal(175),
         "unit_price_pence": 1500, "double_funding": DoubleFunding.ABATE},
        REASON,
    )  # fmt: skip
    for week, (used, sold) in enumerate([(Decimal(168), Decimal(12)), (Decimal(175), Decimal(8))]):
        start = RATES_FROM + dt.timedelta(weeks=week)
        services.record_usage(
            admin, contract,
            {"period_start": start, "period_end": start + dt.timedelta(days=6), "units_used": used, "budget_units": sold},
            REASON,
        )  # fmt: skip
    person = Person.objects.filter(authority=authority, user__username=f"{slug}-person").first()
    if person is not None:
        services.save_arrangement(
            admin, person,
            {"service": home_care, "funding": Funding.BLOCK, "contract": contract, "units_per_week": Decimal(7),
             "starts_on": RATES_FROM},
            REASON,
        )  # fmt: skip
