"""Choices for Extra Care planning, and the roles that may see and change schemes."""

from django.db import models

from selfdirect.core.constants import Role

# Commissioners plan Extra Care; authority administrators may too. Finance reads the figures.
EDIT_ROLES = frozenset({Role.COMMISSIONER, Role.ADMIN})
VIEW_ROLES = EDIT_ROLES | {Role.FINANCE}


class RunKind(models.TextChoices):
    SIMULATION = "simulation", "Simulation of a year"
    SWEEP = "sweep", "Floating-cover sweep"
    ROTA = "rota", "Weekly rota"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Finished"
    FAILED = "failed", "Failed"
