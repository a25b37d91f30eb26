"""People who declined a personal budget: recording why, and following it up when the rules say."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet

from selfdirect.core import audit
from selfdirect.core.constants import AuditAction, Role
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority, User
from selfdirect.people.models import Person

from .. import access
from ..constants import RefusalReason
from ..models import Refusal
from ..workflow import TransitionForbidden
from .common import local_day
from .policies import current_rules


def record_refusal(
    actor: User, person: Person, reason: str, notes: str = "", *, today: dt.date | None = None
) -> Refusal:
    """Someone declined a personal budget: record why and when to check back (seed 001)."""
    if not access.person_capacities(actor, person) & {Role.ASSESSOR.value, Role.PLANNER.value}:
        raise TransitionForbidden("Only the person's workers record a refusal")
    if reason not in RefusalReason.values:
        raise ServiceError({"reason": ["Choose why they declined"]})
    rules, _ = current_rules(person.authority)
    day = local_day(today)
    with transaction.atomic():
        refusal = Refusal.objects.create(
            authority=person.authority, person=person, reason=reason, notes=notes.strip(), recorded_by=actor,
            recorded_on=day, follow_up_on=day + dt.timedelta(days=rules.refusal_follow_up_days),
        )  # fmt: skip
        audit.record(actor=actor, authority=person.authority, action=AuditAction.CREATE, obj=refusal,
                     reason=f"Declined a personal budget: {refusal.get_reason_display()}", person_id=person.pk)  # fmt: skip
        return refusal


def follow_up_refusal(actor: User, refusal: Refusal, notes: str, *, today: dt.date | None = None) -> None:
    if not access.person_capacities(actor, refusal.person) & {Role.ASSESSOR.value, Role.PLANNER.value}:
        raise TransitionForbidden("Only the person's workers follow up a refusal")
    if not notes.strip():
        raise ServiceError({"follow_up_notes": ["Say what they told you"]})
    with transaction.atomic():
        refusal.followed_up_on, refusal.follow_up_notes = local_day(today), notes.strip()
        refusal.save()
        audit.record(actor=actor, authority=refusal.authority, action=AuditAction.CHANGE, obj=refusal,
                     reason="Refusal followed up", person_id=refusal.person_id)  # fmt: skip


def refusals_due(authority: Authority, *, today: dt.date | None = None) -> QuerySet[Refusal]:
    return Refusal.objects.filter(
        authority=authority, followed_up_on__isnull=True, follow_up_on__lte=local_day(today)
    ).select_related("person")
