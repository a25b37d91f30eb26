"""Disputes about money (a budget, a contribution, a debt): opened, then decided once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from selfdirect.core import audit
from selfdirect.core.constants import AuditAction
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import User
from selfdirect.people.models import Person

from ..constants import DisputeStatus
from ..models import Budget, ChargeAssessment, Dispute

DISPUTE_TRANSITIONS = {
    DisputeStatus.OPEN: {DisputeStatus.UPHELD, DisputeStatus.REJECTED, DisputeStatus.SETTLED},
}


def open_dispute(actor: User, person: Person, *, subject: str, raised_by: str, amount_pence: int = 0,
                 budget: Budget | None = None, charge: ChargeAssessment | None = None,
                 on: dt.date | None = None) -> Dispute:  # fmt: skip
    """Record a disagreement about money (seed 004 Q8): about a budget, a contribution, a debt."""
    errors: dict[str, list[str]] = {}
    if not subject.strip():
        errors["subject"] = ["Say what the dispute is about"]
    if isinstance(amount_pence, bool) or not isinstance(amount_pence, int) or amount_pence < 0:
        errors["amount_pence"] = ["The amount in dispute must be whole pence, zero or more"]
    if budget is not None and budget.person_id != person.pk:
        errors["budget"] = ["That budget is not this person's"]
    if charge is not None and charge.person_id != person.pk:
        errors["charge"] = ["That contribution is not this person's"]
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        dispute = Dispute.objects.create(
            authority=person.authority, person=person, budget=budget, charge=charge, subject=subject.strip(),
            raised_by=raised_by[:200], amount_pence=amount_pence, opened_on=on or timezone.localdate(),
        )  # fmt: skip
        audit.record(actor=actor, authority=person.authority, action=AuditAction.CREATE, obj=dispute,
                     reason=subject, person_id=person.pk)  # fmt: skip
    return dispute


def decide_dispute(
    actor: User, dispute: Dispute, status: str, outcome: str, on: dt.date | None = None
) -> Dispute:
    """Move a dispute to its outcome; only an open dispute can be decided, and it says why."""
    if status not in DISPUTE_TRANSITIONS.get(DisputeStatus(dispute.status), set()):
        raise ServiceError({"status": [f"A {dispute.status} dispute cannot become {status}"]})
    if not outcome.strip():
        raise ServiceError({"outcome": ["Record the outcome"]})
    with transaction.atomic():
        before = {"status": dispute.status}
        dispute.status = status
        dispute.outcome = outcome.strip()
        dispute.closed_on = on or timezone.localdate()
        dispute.save()
        audit.record(actor=actor, authority=dispute.authority, action=AuditAction.CHANGE, obj=dispute,
                     reason=outcome, changes={"status": [before["status"], status]}, person_id=dispute.person_id)  # fmt: skip
    return dispute
