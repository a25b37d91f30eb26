"""People supported by an authority, their representatives, teams and caseloads, and contacts."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from selfdirect.core.models import Authority

from .constants import (
    ClientGroup,
    ContactKind,
    ContactMethod,
    FacsBand,
    PrimarySupportReason,
    RepresentativeType,
    Sex,
)
from .nhs import validate_nhs_number


class Team(models.Model):
    """A team of workers. People on a team's caseload are visible to its members."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=120)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["authority", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """Someone the authority supports (or may support): the subject of every other record."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="people")
    reference = models.CharField(max_length=20, help_text="The authority's own reference")
    given_name = models.CharField("first name", max_length=100)
    family_name = models.CharField("last name", max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.NOT_SAID)
    address_line_1 = models.CharField("address line 1", max_length=200)
    address_line_2 = models.CharField("address line 2", max_length=200, blank=True)
    town = models.CharField("town or city", max_length=100)
    postcode = models.CharField(max_length=10)
    nhs_number = models.CharField(
        "NHS number", max_length=10, blank=True, validators=[validate_nhs_number], help_text="Optional"
    )
    client_group = models.CharField(max_length=30, choices=ClientGroup.choices)
    facs_band = models.CharField(
        "FACS band", max_length=20, choices=FacsBand.choices, default=FacsBand.NOT_ASSESSED
    )
    primary_support_reason = models.CharField(max_length=30, choices=PrimarySupportReason.choices)
    contact_preference = models.CharField(
        max_length=10, choices=ContactMethod.choices, default=ContactMethod.PHONE
    )
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    contact_notes = models.TextField(
        "contact needs", blank=True, help_text="For example: large print, interpreter"
    )
    has_capacity = models.BooleanField(
        "has capacity to make decisions about their support",
        null=True,
        blank=True,
        help_text="Leave unknown until assessed",
    )
    capacity_notes = models.TextField(blank=True)
    consents_to_share = models.BooleanField("consents to information being shared", default=False)
    consent_notes = models.TextField(blank=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="caseload")
    allocated_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocated_people",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person_record",
        help_text="The person's own sign-in, if they have one",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "reference"], name="person_unique_reference"),
        ]
        indexes = [
            models.Index(fields=["authority", "family_name"]),
            models.Index(fields=["authority", "team"]),
            # Reports ask who in the authority was recorded after a period's end (reporting.queries).
            models.Index(fields=["authority", "created_at"]),
        ]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def get_absolute_url(self) -> str:
        return reverse("people:detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        # One rule for the pages, the API and the import alike (every write runs full_clean).
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            raise ValidationError({"date_of_birth": "Date of birth must be today or in the past"})

    @property
    def full_name(self) -> str:
        return str(self)

    def age_on(self, day: dt.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Representative(models.Model):
    """Someone who acts for a person, with the things they may do written down."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="representatives")
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=RepresentativeType.choices)
    relationship = models.CharField(max_length=100, blank=True, help_text="For example: daughter, neighbour")
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="representations",
        help_text="Their sign-in, if they use selfdirect",
    )
    may_view_record = models.BooleanField("may see the person's record", default=True)
    may_complete_assessment = models.BooleanField("may complete the self-assessment", default=False)
    may_agree_plan = models.BooleanField("may agree the support plan", default=False)
    may_manage_money = models.BooleanField("may manage the budget", default=False)
    evidence = models.TextField(blank=True, help_text="For example: LPA registration number, court order")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="representative_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_type_display()})"

    def is_active_on(self, day: dt.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


EARLIEST_CONTACT_YEAR = 1900


class ContactLogEntry(models.Model):
    """A contact with or about a person. Case notes: seen by their workers, not by finance."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    happened_at = models.DateTimeField()
    kind = models.CharField(max_length=10, choices=ContactKind.choices)
    summary = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-happened_at", "-id"]
        verbose_name_plural = "contact log entries"

    def __str__(self) -> str:
        return self.summary

    def clean(self) -> None:
        # A log of contacts that happened: none is in the future, and none before the records began
        # (a year-700 moment with a +18:35 offset reached PostgreSQL, which cannot hold that offset).
        moment = self.happened_at
        if moment is None:
            return
        if moment.year < EARLIEST_CONTACT_YEAR:
            raise ValidationError({"happened_at": f"The date of contact must be in {EARLIEST_CONTACT_YEAR} or later"})
        today = timezone.localdate()
        # The year first: a moment at the calendar's end cannot be moved to the council's clock.
        local = moment if moment.year > today.year + 1 or timezone.is_naive(moment) else timezone.localtime(moment)
        if local.date() > today:
            raise ValidationError({"happened_at": "The date of contact must be today or in the past"})
