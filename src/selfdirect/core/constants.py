"""Choices shared across selfdirect."""

from django.db import models


class Role(models.TextChoices):
    """What a user does for one authority. A user may hold several roles in several authorities."""

    PERSON = "person", "Person (budget holder)"
    REPRESENTATIVE = "representative", "Representative"
    ASSESSOR = "assessor", "Assessor or care co-ordinator"
    PLANNER = "planner", "Support planner or broker"
    PANEL = "panel", "Risk panel member"
    FINANCE = "finance", "Finance officer"
    COMMISSIONER = "commissioner", "Commissioner"
    PROVIDER = "provider", "Provider user"
    ADMIN = "admin", "Authority administrator"


# Roles whose holders work with people on their team's caseload.
CASELOAD_ROLES = frozenset({Role.ASSESSOR, Role.PLANNER})
# Roles held by council staff (as opposed to the people supported and their representatives).
STAFF_ROLES = frozenset(
    {Role.ASSESSOR, Role.PLANNER, Role.PANEL, Role.FINANCE, Role.COMMISSIONER, Role.ADMIN}
)


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    DELETE = "delete", "Deleted"
    ALLOCATE = "allocate", "Allocated"
    IMPORT = "import", "Imported"
    EXPORT = "export", "Exported"
