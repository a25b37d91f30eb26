"""Extra Care schemes, each input saved as a numbered version, and background analysis runs.

A scheme's inputs are one validated JSON document (see :mod:`.inputs`); every save makes a new
:class:`SchemeVersion`, and every result and run names the version that produced it, so a
figure can always be traced back to the inputs behind it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse

from selfdirect.core import runs
from selfdirect.core.models import Authority

from .constants import RunKind, RunStatus


class Scheme(models.Model):
    """An Extra Care Housing scheme an authority is planning (its inputs live in versions)."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="extracare_schemes")
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Commissioning-model appraisal (seed 003 §4.7.2): notes and answers per model, not versioned
    # with the figures because they are a discussion record, audited on each change.
    appraisal = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "name"], name="extracare_scheme_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("extracare:detail", args=[self.pk])

    @property
    def current(self) -> SchemeVersion:
        """The latest version of the inputs (every scheme has at least one)."""
        cached = self.__dict__.get("_current")
        if cached is None:
            cached = self.versions.order_by("-number").first()
            self.__dict__["_current"] = cached
        assert cached is not None, "a scheme always has a version"
        return cached


class SchemeVersion(models.Model):
    """One saved set of a scheme's inputs. Never changed after it is written."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    inputs = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()

    class Meta:
        ordering = ["scheme", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="extracare_version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} version {self.number}"

    def describe(self) -> str:
        """How results cite their inputs: 'version 3, saved 1 April 2026 by Sam Jones'."""
        who = f" by {self.created_by}" if self.created_by else ""
        return f"version {self.number}, saved {self.created_at:%-d %B %Y %H:%M}{who}"


class AnalysisRun(models.Model):
    """A simulation, sweep or rota worked out in the background, with its progress and result."""

    RUN_FIELDS = runs.Fields(started_at="started_at", done="done", total="total", task_id="task_id")

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="extracare_runs")
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="runs")
    version = models.ForeignKey(SchemeVersion, on_delete=models.CASCADE, related_name="runs")
    kind = models.CharField(max_length=20, choices=RunKind.choices)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=1)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.scheme} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("extracare:run", args=[self.scheme_id, self.pk])

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

    def result_value(self, key: str, default: Any = None) -> Any:
        return (self.result or {}).get(key, default)
