from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..money import format_pence

register = template.Library()


@register.filter
def pence(value: int | None) -> str:
    """Show integer pence as pounds: {{ amount|pence }} -> £1,260.00"""
    if value is None:
        return ""
    return format_pence(int(value))


@register.filter
def get_item(mapping: dict[str, object], key: str) -> object:
    return mapping.get(key)


_CODE_SPAN = re.compile(r"`([^`]+)`")


@register.filter
def code_spans(text: str) -> SafeString:
    """Text written for tools (an API description), escaped, with its `backticked` words shown as code."""
    return mark_safe(_CODE_SPAN.sub(r"<code>\1</code>", str(escape(text))))  # noqa: S308 - escaped first
