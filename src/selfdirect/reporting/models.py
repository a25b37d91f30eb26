"""The one setting reporting keeps per authority: its personal budget target."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from selfdirect.core.dates import period_name
from selfdirect.core.models import Authority
from selfdirect.core.runs import RunStatus

DEFAULT_TARGET_PERCENT = Decimal(30)
"""Seed 004 Q1: 30% of eligible service users on personal budgets by April 2011."""


class ReportingSettings(models.Model):
    authority = models.OneToOneField(Authority, on_delete=models.CASCADE, related_name="reporting_settings")
    pb_target_percent = models.DecimalField(
        "personal budget target (% of eligible people)",
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_TARGET_PERCENT,
    )
    target_source = models.CharField(
        max_length=300, default="30% of eligible people on personal budgets by April 2011"
    )

    def __str__(self) -> str:
        return f"Reporting settings for {self.authority}"


class ShortTermService(models.TextChoices):
    """Short-term housing-related support a person can move on from (Supporting People client
    records: 'clients who leave short-term SP services', seed 002)."""

    SUPPORTED_ACCOMMODATION = "supported_accommodation", "Supported accommodation"
    FLOATING_SUPPORT = "floating_support", "Floating support"


class MoveOn(models.Model):
    """A person leaving short-term housing-related support, and whether the move was planned:
    what National Indicator 141 counts (percentage of vulnerable people who have moved on from
    supported accommodation in a planned way). Reporting's own record: no other app keeps it."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    service = models.CharField("support they left", max_length=30, choices=ShortTermService.choices)
    left_on = models.DateField("date they left")
    planned = models.BooleanField("moved on in a planned way")
    destination = models.CharField("where they moved to", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-left_on", "-pk"]
        indexes = [models.Index(fields=["authority", "left_on"])]

    def __str__(self) -> str:
        return f"Move-on of person {self.person_id} on {self.left_on}"



class ReportPack(models.Model):
    """An authority's monthly report pack: every indicator with its chart and table, as a PDF,
    kept so commissioners can download past packs (the PDF is stored in the database, so it is
    backed up, and reached only through the authority's pages). It is made in the background like
    every run (core.runs)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=7, help_text="The month, e.g. 2026-10")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    size_bytes = models.PositiveIntegerField(default=0)
    open_data = models.TextField(
        blank=True, editable=False, help_text="The month's open-data extract (CSV), made with the pack"
    )
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period", "-requested_at", "-pk"]
        indexes = [models.Index(fields=["authority", "period"])]

    def __str__(self) -> str:
        return f"Report pack {period_name(self.period)}"

    @property
    def filename(self) -> str:
        return f"report-pack-{self.period}-{self.pk}.pdf"


class TakeUpSnapshot(models.Model):
    """The whole authority's take-up at one month's end, stored when that month's report pack is
    made: the trend then reads past months as reported rather than working each out again over
    every person (the monthly return's figure, as returns are: as at the time they were made)."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    month_end = models.DateField()
    eligible = models.PositiveIntegerField()
    personal_budget = models.PositiveIntegerField()
    direct_payment = models.PositiveIntegerField()
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authority", "month_end"], name="reporting_takeup_snapshot_month")
        ]

    def __str__(self) -> str:
        return f"Take-up at {self.month_end}"


class OfferMadeAt(models.TextChoices):
    """When a personal budget was offered (seed 001: offer budgets at first contact and at reviews)."""

    FIRST_CONTACT = "first_contact", "At first contact"
    REVIEW = "review", "At a review"


class OfferOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    UNDECIDED = "undecided", "Not decided yet"


class BudgetOffer(models.Model):
    """A personal budget offered to someone at a review — of a support plan, or of traditional
    (commissioned) services, which have no plan — and what they said. Offers at first contact are
    not recorded one by one: reporting counts everyone referred as offered one (seed 001 advises
    offering a budget at the first point of contact), from the referrals; ``made_at`` keeps room
    for them. A decline links the plans app's
    refusal, which holds the reason and the follow-up (Lincolnshire checks back)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    made_at = models.CharField(max_length=15, choices=OfferMadeAt.choices, default=OfferMadeAt.REVIEW)
    review = models.ForeignKey(
        "plans.Review", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The support plan's review, when the offer was made at one",
    )  # fmt: skip
    offered_on = models.DateField("date offered")
    outcome = models.CharField(max_length=10, choices=OfferOutcome.choices, default=OfferOutcome.UNDECIDED)
    decided_on = models.DateField("date they decided", null=True, blank=True)
    refusal = models.OneToOneField(
        "plans.Refusal", null=True, blank=True, on_delete=models.SET_NULL, related_name="budget_offer"
    )
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-offered_on", "-pk"]
        indexes = [models.Index(fields=["authority", "offered_on"])]

    def __str__(self) -> str:
        return f"Personal budget offered to person {self.person_id} on {self.offered_on}"
