"""What every market service shares: the authority's market settings and areas, and the one audited
save through which each change is validated, saved and recorded in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from selfdirect.core import audit
from selfdirect.core.constants import AuditAction
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority, User

from ..constants import SupportType
from ..models import Area, MarketSettings


def settings_for(authority: Authority) -> MarketSettings:
    return MarketSettings.objects.get_or_create(authority=authority)[0]


def _fields(obj: models.Model) -> list[str]:
    return [f.name for f in obj._meta.concrete_fields if f.name not in {"id", "authority", "created_at"}]


def _snapshot(obj: models.Model) -> dict[str, Any]:
    """audit.snapshot, with times as text so the audit record stays JSON."""
    return {k: str(v) if isinstance(v, dt.time) else v for k, v in audit.snapshot(obj, _fields(obj)).items()}


def _full_clean(obj: models.Model, exclude: Iterable[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise ServiceError(exc.message_dict) from None


def save_audited(
    actor: User | None,
    obj: models.Model,
    data: Mapping[str, Any],
    reason: str,
    *,
    check: Callable[[Any], None] | None = None,
    m2m: Mapping[str, Sequence[models.Model]] | None = None,
    person_id: int | None = None,
) -> Any:
    """Set ``data`` on ``obj``, check it, save it and audit it, all or nothing."""
    creating = obj.pk is None
    with transaction.atomic():
        before = {} if creating else _snapshot(type(obj)._default_manager.get(pk=obj.pk))
        for name, value in data.items():
            setattr(obj, name, value)
        if check is not None:
            check(obj)
        _full_clean(obj)
        changes = audit.diff(before, _snapshot(obj))
        if m2m:
            for name, values in m2m.items():
                old = sorted(str(v) for v in getattr(obj, name).all()) if not creating else []
                new = sorted(str(v) for v in values)
                if old != new:
                    changes[name] = [old, new]
        if not changes and not creating:
            return obj
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError as exc:
            raise ServiceError({"__all__": [f"The database refused the change: {exc}"]}) from None
        for name, values in (m2m or {}).items():
            getattr(obj, name).set(values)
        audit.record(
            actor=actor, authority=obj.authority, action=AuditAction.CREATE if creating else AuditAction.CHANGE,  # type: ignore[attr-defined]
            obj=obj, reason=reason, changes=changes, person_id=person_id,
        )  # fmt: skip
        return obj


def support_codes(values: Iterable[str], field: str) -> str:
    known = set(SupportType.values)
    values = [v.strip() for v in values if v and v.strip()]
    bad = [v for v in values if v not in known]
    if bad:
        raise ServiceError({field: [f"Unknown kind of support: {', '.join(bad)}"]})
    return ",".join(sorted(set(values), key=SupportType.values.index))


def area_links(authority: Authority, data: dict[str, Any]) -> dict[str, list[Area]] | None:
    """The ``m2m`` for ``save_audited`` when ``data`` names the areas (popped from it); None leaves them."""
    if "areas" not in data:
        return None
    areas = list(data.pop("areas") or [])
    if any(a.authority_id != authority.pk for a in areas):
        raise ServiceError({"areas": ["Choose areas in this authority"]})
    return {"areas": areas}


def overlaps(start: dt.date, end: dt.date | None, other_start: dt.date, other_end: dt.date | None) -> bool:
    return (end is None or other_start <= end) and (other_end is None or start <= other_end)


# --- settings and areas ----------------------------------------------------------------------


def save_settings(
    actor: User | None, authority: Authority, data: Mapping[str, Any], reason: str
) -> MarketSettings:
    return save_audited(actor, settings_for(authority), data, reason)


def add_area(actor: User | None, authority: Authority, name: str, reason: str) -> Area:
    if Area.objects.filter(authority=authority, name__iexact=name.strip()).exists():
        raise ServiceError({"name": [f"There is already an area called {name.strip()}"]})
    return save_audited(actor, Area(authority=authority), {"name": name.strip()}, reason)
