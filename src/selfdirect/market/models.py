"""The provider market of one authority: providers and their services with dated rate tables,
quality records, personal assistants, brokers, preferred and framework lists, and contracts.

Money is integer pence; quantities of units are Decimal. Rate tables carry their own time bands
and precedence, so "which rate applies at 23:00 on a Sunday" is policy data, not code."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from selfdirect.core.dates import format_date
from selfdirect.core.models import Authority

from .constants import (
    DEFAULT_PRECEDENCE,
    Band,
    BlockBasis,
    BrokerKind,
    CheckKind,
    CheckOutcome,
    ContractKind,
    DoubleFunding,
    Duty,
    DutyStatus,
    FeeBasis,
    Funding,
    ListKind,
    Period,
    ProviderKind,
    QafLevel,
    SupportType,
    Unit,
)

NOT_NEGATIVE = [MinValueValidator(0)]


def split_codes(value: str) -> list[str]:
    return [c for c in (value or "").split(",") if c]


def support_labels(value: str) -> list[str]:
    labels = dict(SupportType.choices)
    return [str(labels.get(c, c)) for c in split_codes(value)]


class MarketSettings(models.Model):
    """One authority's market policy."""

    authority = models.OneToOneField(Authority, on_delete=models.CASCADE, related_name="market_settings")
    family_pas_allowed = models.BooleanField(
        "family members may be employed as personal assistants", default=False
    )
    family_pa_refusal = models.CharField(
        "message when a family member may not be employed",
        max_length=300,
        default="This council does not allow a budget holder to employ a close family member as a "
        "personal assistant. Speak to your worker about exceptions.",
    )
    accredits_pas = models.BooleanField("the council accredits personal assistants", default=False)
    retender_notice_months = models.PositiveSmallIntegerField(
        "months before a contract ends to start re-tendering",
        default=6,
        validators=[MaxValueValidator(36)],
        help_text="The council's own notice period for re-tendering a contract that is ending. (For the "
        "first care contract of a new Extra Care scheme, the scheme's page counts back from its "
        "completion instead.)",
    )

    def __str__(self) -> str:
        return f"Market settings for {self.authority}"


class Area(models.Model):
    """A part of the authority's area that providers, PAs and brokers serve."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="market_areas")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["authority", "name"], name="market_area_unique")]

    def __str__(self) -> str:
        return self.name


class BankHoliday(models.Model):
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="bank_holidays")
    date = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "date"], name="market_bank_holiday_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date})"


class Provider(models.Model):
    """An organisation that sells support in the authority's area."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="providers")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=ProviderKind.choices, default=ProviderKind.AGENCY)
    cqc_number = models.CharField("CQC registration number", max_length=20, blank=True)
    companies_house_number = models.CharField("Companies House number", max_length=10, blank=True)
    charity_number = models.CharField(max_length=10, blank=True)
    support_types = models.CharField(
        "kinds of support", max_length=300, blank=True, help_text="Comma-separated codes"
    )
    areas = models.ManyToManyField(Area, blank=True, related_name="providers")
    description = models.TextField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    listed = models.BooleanField("shown in the public directory", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["authority", "name"], name="market_provider_unique")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("market:provider", args=[self.pk])

    @property
    def support_labels(self) -> list[str]:
        return support_labels(self.support_types)

    def current_rating(self) -> StarRating | None:
        return self.ratings.filter(published=True).order_by("-rated_on", "-id").first()


class ProviderMembership(models.Model):
    """A provider user who works for (and may edit the profile of) one provider organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_links"
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="members")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "provider"], name="market_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} at {self.provider}"


def in_force_on(day: dt.date) -> Q:
    """The rate tables in force on ``day`` (one per service: their periods may not overlap)."""
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class Service(models.Model):
    """Something a provider sells, by a unit (hour, visit, night, week or item)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(max_length=200)
    support_type = models.CharField(max_length=30, choices=SupportType.choices)
    unit = models.CharField(max_length=10, choices=Unit.choices)
    description = models.TextField(blank=True)
    listed = models.BooleanField("shown in the public directory", default=True)

    class Meta:
        ordering = ["provider__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="market_service_unique"),
            models.CheckConstraint(condition=~Q(unit=""), name="market_service_has_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider})"

    def get_absolute_url(self) -> str:
        return reverse("market:service", args=[self.pk])

    def rate_table_on(self, day: dt.date) -> RateTable | None:
        return self.rate_tables.filter(in_force_on(day)).first()


class RateTable(models.Model):
    """A service's prices for a period: a standard rate, enhanced rates for unsocial hours, the
    time bands that define those hours and the order in which bands win (seed 004 Q4)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="rate_tables")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Leave empty while the rates still apply")
    standard_pence = models.PositiveIntegerField("standard rate (pence)")
    evening_pence = models.PositiveIntegerField("evening rate (pence)", null=True, blank=True)
    night_pence = models.PositiveIntegerField("night rate (pence)", null=True, blank=True)
    weekend_pence = models.PositiveIntegerField("weekend rate (pence)", null=True, blank=True)
    bank_holiday_pence = models.PositiveIntegerField("bank holiday rate (pence)", null=True, blank=True)
    evening_from = models.TimeField(default=dt.time(18, 0))
    evening_until = models.TimeField(default=dt.time(22, 0))
    night_from = models.TimeField(default=dt.time(22, 0), help_text="The Housing LIN technical brief counts nights as 10 p.m. to 7 a.m.")
    night_until = models.TimeField(default=dt.time(7, 0))
    weekend_days = models.CharField(
        max_length=20, default="5,6", help_text="Days counted as the weekend: 0 Monday … 5 Saturday, 6 Sunday"
    )
    precedence = models.CharField(
        max_length=80,
        default=DEFAULT_PRECEDENCE,
        help_text="Enhanced bands, strongest first; a moment in several bands takes the first",
    )
    policy_note = models.CharField(max_length=300, blank=True, help_text="Where these rates come from")

    class Meta:
        ordering = ["service", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="market_rate_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        end = f" to {format_date(self.ends_on)}" if self.ends_on else ""
        return f"Rates for {self.service.name} from {format_date(self.starts_on)}{end}"

    def pence_for(self, band: str) -> int | None:
        return getattr(self, f"{band}_pence", None)

    @property
    def weekend_days_text(self) -> str:
        """The weekend in words: "5,6" -> "Saturday and Sunday"."""
        days = [calendar.day_name[int(p)] for p in self.weekend_days.split(",") if p.strip().isdigit() and int(p) < 7]
        return " and ".join([", ".join(days[:-1]), days[-1]] if len(days) > 1 else days) or "none"

    @property
    def precedence_text(self) -> str:
        """The precedence in words: "bank_holiday,night" -> "bank holiday, then night"."""
        labels = dict(Band.choices)
        bands = [b.strip() for b in self.precedence.split(",") if b.strip()]
        return ", then ".join(str(labels.get(b, b.replace("_", " "))).lower() for b in bands)


class StarRating(models.Model):
    """A published star rating (Oldham publishes them to help people choose; seed 002)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.CASCADE, related_name="ratings"
    )
    personal_assistant = models.ForeignKey(
        "PersonalAssistant", null=True, blank=True, on_delete=models.CASCADE, related_name="ratings"
    )
    broker = models.ForeignKey(
        "Broker", null=True, blank=True, on_delete=models.CASCADE, related_name="ratings"
    )
    stars = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    rated_on = models.DateField()
    basis = models.CharField(max_length=300, blank=True, help_text="What the rating is based on")
    published = models.BooleanField(default=True)

    class Meta:
        ordering = ["-rated_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="market_stars_1_to_5"),
            models.CheckConstraint(
                condition=(
                    Q(provider__isnull=False, personal_assistant__isnull=True, broker__isnull=True)
                    | Q(provider__isnull=True, personal_assistant__isnull=False, broker__isnull=True)
                    | Q(provider__isnull=True, personal_assistant__isnull=True, broker__isnull=False)
                ),
                name="market_rating_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stars} stars on {self.rated_on}"


class QualityAssessment(models.Model):
    """A Quality Assessment Framework (QAF) result for a provider or one of its services."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="quality_assessments")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    assessed_on = models.DateField()
    level = models.CharField("QAF level", max_length=1, choices=QafLevel.choices)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"QAF {self.level} on {self.assessed_on}"


class SpotCheck(models.Model):
    """An unannounced check on a provider (seed 002 "spot checks")."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="spot_checks")
    checked_on = models.DateField()
    checked_by = models.CharField(max_length=200)
    outcome = models.CharField(max_length=10, choices=CheckOutcome.choices)
    notes = models.TextField(blank=True)
    follow_up_by = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-checked_on", "-id"]

    def __str__(self) -> str:
        return f"Spot check on {self.checked_on}: {self.get_outcome_display()}"


class PersonalAssistant(models.Model):
    """A personal assistant on the authority's register (only those who consent to be listed)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="personal_assistants")
    name = models.CharField(max_length=200)
    support_types = models.CharField("what they offer", max_length=300, blank=True)
    offer = models.TextField("about their support", blank=True)
    areas = models.ManyToManyField(Area, blank=True, related_name="personal_assistants")
    availability = models.CharField(max_length=300, blank=True, help_text="For example: weekday mornings")
    hourly_rate_pence = models.PositiveIntegerField("hourly rate (pence)", null=True, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    consents_to_listing = models.BooleanField("consents to be listed in the public directory", default=False)
    consent_recorded_on = models.DateField(null=True, blank=True)
    accredited = models.BooleanField("accredited by the council", default=False)
    listed = models.BooleanField("shown in the public directory", default=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("market:pa", args=[self.pk])

    @property
    def support_labels(self) -> list[str]:
        return support_labels(self.support_types)

    def latest_dbs(self) -> PACheck | None:
        return self.checks.filter(kind=CheckKind.DBS).order_by("-issued_on", "-id").first()

    def dbs_in_date(self, day: dt.date) -> bool:
        dbs = self.latest_dbs()
        return dbs is not None and (dbs.expires_on is None or dbs.expires_on >= day)


class PACheck(models.Model):
    """Evidence about a PA: a DBS check, a reference or a training course, with its expiry."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    personal_assistant = models.ForeignKey(PersonalAssistant, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=10, choices=CheckKind.choices)
    title = models.CharField(max_length=200, help_text="For example: enhanced DBS, moving and handling")
    reference = models.CharField(max_length=100, blank=True, help_text="Certificate number or referee")
    issued_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "-issued_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("issued_on")),
                name="market_check_expires_after_issue",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class Broker(models.Model):
    """A support broker or planner, with a profile people can choose from (Barnsley) and a fee."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="brokers")
    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=10, choices=BrokerKind.choices, default=BrokerKind.BOTH)
    profile = models.TextField(blank=True)
    areas = models.ManyToManyField(Area, blank=True, related_name="brokers")
    fee_pence = models.PositiveIntegerField("fee (pence)", default=0)
    fee_basis = models.CharField(max_length=10, choices=FeeBasis.choices, default=FeeBasis.HOUR)
    payable_from_budget = models.BooleanField("the fee can be paid from the budget", default=True)
    independent = models.BooleanField(default=True, help_text="Not employed by the council")
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    listed = models.BooleanField("shown in the public directory", default=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("market:broker", args=[self.pk])


class ProviderList(models.Model):
    """A preferred-provider list or framework agreement: price fixed, no volume guaranteed."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="provider_lists")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=ListKind.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "name"], name="market_list_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="market_list_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("market:list", args=[self.pk])


class ProviderListEntry(models.Model):
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    provider_list = models.ForeignKey(ProviderList, on_delete=models.CASCADE, related_name="entries")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="list_entries")
    fixed_price_pence = models.PositiveIntegerField("fixed price per unit (pence)")

    class Meta:
        ordering = ["service__provider__name", "service__name"]
        constraints = [
            models.UniqueConstraint(fields=["provider_list", "service"], name="market_list_entry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service} on {self.provider_list}"


class Contract(models.Model):
    """A contract between the authority and a provider (seed 003 Section 2B; seed 002)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="contracts")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="contracts")
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="contracts"
    )
    reference = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=ContractKind.choices)
    block_basis = models.CharField(max_length=10, choices=BlockBasis.choices, blank=True)
    extra_care = models.BooleanField(
        "care in an Extra Care Housing scheme",
        default=False,
        help_text="The Housing LIN technical brief advises such a contract should probably be no longer than "
        "three years, with an annual review; a longer one is shown with a warning, not refused.",
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    review_on = models.DateField("annual review date", null=True, blank=True)
    tender_notice_on = models.DateField("start re-tendering by", null=True, blank=True)
    period = models.CharField(max_length=10, choices=Period.choices, default=Period.WEEK)
    volume = models.DecimalField(
        "units per period", max_digits=10, decimal_places=2, default=Decimal(0), validators=NOT_NEGATIVE
    )
    unit_price_pence = models.PositiveIntegerField("price per unit (pence)", default=0)
    lump_sum_pence = models.PositiveIntegerField("lump sum per period (pence)", default=0)
    posts = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal(0), validators=NOT_NEGATIVE)
    double_funding = models.CharField(
        "if the provider also sells to budget holders",
        max_length=20,
        choices=DoubleFunding.choices,
        blank=True,
        default=DoubleFunding.NOT_APPLICABLE,
    )
    units_set_aside = models.DecimalField(
        "units set aside for budget holders", max_digits=10, decimal_places=2, default=Decimal(0),
        validators=NOT_NEGATIVE,
    )  # fmt: skip
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-starts_on", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "reference"], name="market_contract_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="market_contract_dates"
            ),
            models.CheckConstraint(
                condition=Q(volume__gte=0, posts__gte=0, units_set_aside__gte=0),
                name="market_contract_volumes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("market:contract", args=[self.pk])


class ContractUsage(models.Model):
    """How many commissioned units were used in a period, and how many the provider sold to budget
    holders in the same period (for the double-funding rule)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="usage")
    period_start = models.DateField()
    period_end = models.DateField()
    units_used = models.DecimalField(
        "commissioned units used", max_digits=10, decimal_places=2, validators=NOT_NEGATIVE
    )
    budget_units = models.DecimalField(
        "units sold to budget holders", max_digits=10, decimal_places=2, default=Decimal(0),
        validators=NOT_NEGATIVE,
    )  # fmt: skip
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["contract", "-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "period_start"], name="market_usage_unique"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="market_usage_dates"
            ),
            models.CheckConstraint(
                condition=Q(units_used__gte=0, budget_units__gte=0), name="market_usage_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} {format_date(self.period_start)} to {format_date(self.period_end)}"


class Arrangement(models.Model):
    """A person's use of a provider's service, funded by a block contract or by their budget."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="market_arrangements")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="arrangements")
    funding = models.CharField(max_length=10, choices=Funding.choices)
    contract = models.ForeignKey(
        Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="arrangements"
    )
    units_per_week = models.DecimalField(max_digits=8, decimal_places=2, validators=NOT_NEGATIVE)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next",
        help_text="The arrangement this one replaced, with no gap in the provider's pay",
    )  # fmt: skip

    class Meta:
        ordering = ["person", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="market_arrangement_dates",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service.name} ({self.get_funding_display()}) from {format_date(self.starts_on)}"


class PAEmployment(models.Model):
    """A budget holder employing a personal assistant, with their employer-duties checklist."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="pa_employments")
    personal_assistant = models.ForeignKey(
        PersonalAssistant, null=True, blank=True, on_delete=models.SET_NULL, related_name="employments"
    )
    pa_name = models.CharField("personal assistant's name", max_length=200)
    family_member = models.BooleanField("the PA is a family member", default=False)
    relationship = models.CharField(max_length=100, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["person", "-starts_on"]

    def __str__(self) -> str:
        return f"{self.pa_name} employed by {self.person}"


class EmployerDuty(models.Model):
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    employment = models.ForeignKey(PAEmployment, on_delete=models.CASCADE, related_name="duties")
    duty = models.CharField(max_length=20, choices=Duty.choices)
    status = models.CharField(max_length=20, choices=DutyStatus.choices, default=DutyStatus.TO_DO)
    due_on = models.DateField(null=True, blank=True)
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["employment", "id"]
        constraints = [models.UniqueConstraint(fields=["employment", "duty"], name="market_duty_unique")]

    def __str__(self) -> str:
        return f"{self.get_duty_display()}: {self.get_status_display()}"
