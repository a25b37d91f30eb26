"""Choices for Extra Care planning, and the roles that may see and change schemes."""

from django.db import models

from selfdirect.core import runs
from selfdirect.core.constants import Role

# Commissioners plan Extra Care; authority administrators may too. Finance reads the figures.
EDIT_ROLES = frozenset({Role.COMMISSIONER, Role.ADMIN})
VIEW_ROLES = EDIT_ROLES | {Role.FINANCE}


class RunKind(models.TextChoices):
    SIMULATION = "simulation", "Simulation of a year"
    SWEEP = "sweep", "Floating-cover sweep"
    ROTA = "rota", "Weekly rota"


# Every kind of background run moves through core.runs' one status table.
RunStatus = runs.RunStatus
