"""The audit log: one function records every change a service makes, with who, what and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import models

from .constants import AuditAction
from .models import AuditEvent, Authority, User


def _plain(value: Any) -> Any:
    """A JSON-safe, human-readable form of a field value."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.date | dt.datetime | Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields`` on ``obj``, ready to diff."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose values differ: {field: [before, after]}. A field missing on one side (a record
    created or deleted) counts as None there."""
    keys = list(after) + [k for k in before if k not in after]
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def record(
    *,
    actor: User | None,
    authority: Authority,
    action: AuditAction | str,
    obj: models.Model,
    reason: str,
    changes: dict[str, list[Any]] | None = None,
    person_id: int | None = None,
) -> AuditEvent:
    """Append one event to the authority's audit log. ``reason`` is required: a change says why."""
    found = event(
        actor=actor, authority=authority, action=action, obj=obj, reason=reason, changes=changes,
        person_id=person_id,
    )  # fmt: skip
    found.save(force_insert=True)
    return found


def event(
    *,
    actor: User | None,
    authority: Authority,
    action: AuditAction | str,
    obj: models.Model,
    reason: str,
    changes: dict[str, list[Any]] | None = None,
    person_id: int | None = None,
) -> AuditEvent:
    """The event :func:`record` appends, unsaved: for writing many at once (``bulk_create``)."""
    if not reason or not reason.strip():
        raise ValueError("an audited change needs a reason")
    return AuditEvent(
        authority=authority,
        actor=actor,
        actor_label=str(actor) if actor else "system",
        action=str(action),
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_label=str(obj)[:200],
        person_id=person_id,
        changes=changes or {},
        reason=reason.strip(),
    )
