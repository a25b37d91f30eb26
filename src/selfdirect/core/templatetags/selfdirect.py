from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe

from .. import audit, words
from ..constants import STAFF_ROLES
from ..dates import date_text, month_name, period_name
from ..money import MINUS, format_pence, format_rate

register = template.Library()


@register.filter
def pence(value: int | None) -> str:
    """Show integer pence as pounds: {{ amount|pence }} -> £1,260.00; a negative amount is kept on
    one line ("−£5,872.45" never breaks after its sign)."""
    if value is None:
        return ""
    shown = format_pence(int(value))
    if int(value) < 0:
        return format_html('<span class="app-nowrap" style="white-space: nowrap">{}</span>', shown)
    return shown


NEGATIVE_AMOUNT = re.compile(rf"{MINUS}£[0-9,]+(?:\.[0-9]+)?")


@register.filter
def whole_amounts(text: Any) -> str:
    """Plain text (a message after a change, an error) with each negative amount kept on one line,
    as |pence keeps it in a table: "−£5,872.45" never wraps after its sign."""
    escaped = str(conditional_escape(text))
    return mark_safe(  # noqa: S308 - the text is escaped above; only the span is added
        NEGATIVE_AMOUNT.sub(lambda m: f'<span class="app-nowrap" style="white-space: nowrap">{m.group(0)}</span>', escaped)
    )


@register.filter
def rate(value: Decimal | int | str | None) -> str:
    """A rate in (possibly fractional) pence as pounds: {{ price|rate }} -> £307.794011"""
    if value is None or value == "":
        return ""
    return format_rate(value)


@register.filter
def day(value: Any) -> str:
    """A date as people write it ("5 April 2026") from a date or a stored ISO date ("2026-04-05",
    as JSON results keep it): {{ step.starts_on|day }}. Anything else as it is."""
    return date_text(value)


@register.filter
def month(value: Any) -> str:
    """A month as people say it ("April 2026") from a date, a period key ("2026-04") or anything
    with a ``start`` date (a ledger month): {{ pack.period|month }}."""
    if value is None or value == "":
        return ""
    start = getattr(value, "start", value)
    if isinstance(start, dt.date):
        return month_name(start)
    return period_name(str(value))


@register.filter
def get_item(mapping: dict[str, object], key: str) -> object:
    return mapping.get(key)


_CODE_SPAN = re.compile(r"`([^`]+)`")


@register.filter
def code_spans(text: str) -> SafeString:
    """Text written for tools (an API description), escaped, with its `backticked` words shown as code."""
    return mark_safe(_CODE_SPAN.sub(r"<code>\1</code>", str(escape(text))))  # noqa: S308 - escaped first


@register.simple_tag(takes_context=True)
def label(context: template.Context, kind: str, code: str | None, authority: Any = None) -> str:
    """{% label "stream" budget.stream %}: the words the authority's policy gives a code (never the
    code). The person and those acting for them (no staff role) read the words the policy writes
    for them where it has some ("stream.person": "Care and support" for "Adult social care")."""
    authority = authority if authority is not None else context.get("current_authority")
    roles = context.get("current_roles")
    if code and roles is not None and not set(roles) & STAFF_ROLES:
        for_person = words.labels(f"{kind}.person", authority).get(code)
        if for_person:
            return for_person
    return words.label(kind, authority, code)


@register.filter
def described(events: Iterable[Any]) -> list[audit.Described]:
    """Audit events in words: {% for e in events|described %} (see audit.describe)."""
    return [audit.describe(e) for e in events]


@register.filter
def humanise(code: str | None) -> str:
    """A code nobody labels, in words: {{ "client_group"|humanise }} -> Client group"""
    return words.humanise(code) if code else ""
