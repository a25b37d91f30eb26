"""Choices for policies, allocations and what-if runs."""

from django.db import models


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class AllocationSource(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", "From the self-assessment"
    ASSESSOR = "assessor", "Allocated by a worker"
    RECALCULATION = "recalculation", "Bulk recalculation after a rate change"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Finished"
    FAILED = "failed", "Failed"


class PopulationKind(models.TextChoices):
    CURRENT = "current", "Everyone's latest assessment"
    SYNTHETIC = "synthetic", "A synthetic population (demo)"
