"""Choices for allocations and what-if runs."""

from django.db import models

from selfdirect.core.runs import RunStatus  # noqa: F401 - every kind of run has the same statuses


class AllocationSource(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", "From the self-assessment"
    ASSESSOR = "assessor", "Allocated by a worker"
    RECALCULATION = "recalculation", "Bulk recalculation after a rate change"




class PopulationKind(models.TextChoices):
    CURRENT = "current", "Everyone's latest assessment"
    SYNTHETIC = "synthetic", "A synthetic population (demo)"
