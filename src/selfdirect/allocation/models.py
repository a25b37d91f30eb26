"""Published policy versions, indicative budgets (allocations) and what-if runs.

A PolicyVersion holds the YAML text itself: once published it is frozen (the database row
refuses changes), so any allocation can be traced to the exact rules and rates that made it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from selfdirect.core.models import Authority
from selfdirect.people.models import Person

from .constants import AllocationSource, PolicyStatus, PopulationKind, RunStatus


class PolicyFrozen(Exception):
    """A published policy version cannot be changed or deleted."""


class PolicyVersion(models.Model):
    """One dated version of an authority's resource allocation policy."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="policy_versions")
    policy_id = models.CharField(max_length=100, help_text="The policy's `id`, e.g. northshire-2026")
    title = models.CharField(max_length=200)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    content_hash = models.CharField(max_length=64)
    version_id = models.CharField(max_length=120, help_text="policy id @ first 12 characters of the hash")
    filename = models.CharField(max_length=200)
    yaml_text = models.TextField()
    status = models.CharField(max_length=10, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-effective_from", "-uploaded_at"]
        constraints = [
            # One published version per policy id; the same text may be uploaded once per authority.
            models.UniqueConstraint(
                fields=["authority", "policy_id"],
                condition=models.Q(status="published"),
                name="policyversion_one_published_per_id",
            ),
            models.UniqueConstraint(fields=["authority", "content_hash"], name="policyversion_unique_hash"),
        ]

    def __str__(self) -> str:
        return self.version_id

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = PolicyVersion.objects.filter(pk=self.pk).values("status").first()
            if stored is not None and stored["status"] == PolicyStatus.PUBLISHED:
                raise PolicyFrozen(f"{self.version_id} is published and cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_published:
            raise PolicyFrozen(f"{self.version_id} is published and cannot be deleted")
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == PolicyStatus.PUBLISHED


class Allocation(models.Model):
    """An indicative budget: per stream, with its explanation, policy version and rates."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="allocations")
    assessment = models.ForeignKey(
        "assessment.Assessment", on_delete=models.PROTECT, related_name="allocations"
    )
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="allocations")
    on = models.DateField(help_text="The date the policy was applied for")
    source = models.CharField(max_length=20, choices=AllocationSource.choices)
    band = models.CharField(max_length=20)
    route = models.CharField(max_length=30)
    total_annual_pence = models.BigIntegerField()
    total_weekly_pence = models.BigIntegerField()
    explanation = models.JSONField(help_text="The engine's result: eligibility, streams and every line")
    rates_used = models.JSONField(default=dict)
    reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["authority", "person", "-created_at"])]

    def __str__(self) -> str:
        return f"Indicative budget {self.pk} for {self.person_id} ({self.policy_version_id})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PolicyFrozen("an allocation is a record of what was worked out; make a new one instead")
        super().save(*args, **kwargs)


class AllocationStream(models.Model):
    """The money of one funding stream in an allocation (each pound remembers its stream)."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="streams")
    stream = models.CharField(max_length=30)
    title = models.CharField(max_length=200)
    annual_pence = models.BigIntegerField()
    weekly_pence = models.BigIntegerField()
    method = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["allocation", "stream"], name="allocstream_unique")]

    def __str__(self) -> str:
        return f"{self.stream}: {self.annual_pence}"


class WhatIfRun(models.Model):
    """A commissioner's comparison of two policy versions over a population, run in the background."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    base = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    proposed = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    population = models.CharField(
        max_length=10, choices=PopulationKind.choices, default=PopulationKind.CURRENT
    )
    synthetic_size = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveIntegerField(default=0, help_text="Steps done")
    steps = models.PositiveIntegerField(default=4)
    stage = models.CharField(max_length=200, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"What-if {self.pk}: {self.base_id} -> {self.proposed_id}"

    @property
    def percent(self) -> int:
        return 100 * self.progress // max(self.steps, 1)
