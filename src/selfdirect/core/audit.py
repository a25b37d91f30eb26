"""The audit log: one function records every change a service makes, with who, what and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models

from . import words
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


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Described:
    """An audit event as a page shows it: the model's verbose name, field labels and values in
    words (pounds, dates, choices' labels, policy codes' labels), never field names or codes."""

    event: AuditEvent
    what: str
    object_label: str
    changes: list[Change]
    reason: str


def describe(event: AuditEvent) -> Described:
    model = words.model_for(event.object_type)
    authority = event.authority_id
    changes = []
    for name, pair in (event.changes or {}).items():
        before, after = (list(pair) + [None, None])[:2] if isinstance(pair, list | tuple) else (None, pair)
        was = words.value_text(model, name, before, authority)
        now = words.value_text(model, name, after, authority)
        if was or now:  # a record created with a field left blank changed nothing worth a line
            changes.append(Change(label=words.field_label(model, name, authority), before=was, after=now))
    return Described(
        event=event,
        what=f"{event.get_action_display()} {words.model_name(event.object_type).lower()}",
        object_label=words.plain_text(authority, event.object_label),
        changes=changes,
        reason=words.plain_text(authority, event.reason),  # "Published northshire-2026@96f3a2f9a0e1"
    )
