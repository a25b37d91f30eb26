from __future__ import annotations

from django import template

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
