"""Indicative budgets (allocations) and what-if runs, each under a published policy version
(selfdirect.policies) that is frozen, so any allocation can be traced to the exact rules and
rates that made it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from selfdirect.core import runs
from selfdirect.core.models import Authority
from selfdirect.people.models import Person
from selfdirect.policies.models import PolicyFrozen, PolicyVersion

from .constants import AllocationSource, PopulationKind, RunStatus


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

    RUN_FIELDS = runs.Fields(done="progress", total="steps", stage="stage")

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
