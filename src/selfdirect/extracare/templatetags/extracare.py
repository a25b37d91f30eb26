from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def neg(value: int) -> int:
    """-74297 -> 74297, for 'costs £742.97 less'."""
    return -int(value)


@register.filter
def percent(value: float | None) -> str:
    """0.3 -> '30%'."""
    if value is None:
        return ""
    return f"{float(value) * 100:.0f}%"
