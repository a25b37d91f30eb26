"""Small pieces the ledger's services share: a month's label, money split by shares, money received."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from selfdirect.core.dates import parse_month
from selfdirect.core.errors import ServiceError
from selfdirect.core.money import split_pence

from .. import books
from ..books import LedgerError


def parse_period(label: str) -> dt.date:
    """The first day of the month ``label`` names ("2026-05", or "May 2026" as people type it)."""
    try:
        return parse_month(label)
    except ValueError:
        raise ServiceError({"period": [f"{label!r} is not a month like May 2026"]}) from None


def split_parts(total: int, weights: list[int]) -> list[int]:
    """split_pence, without the arithmetic when there is one part (most budgets, one route)."""
    return [total] if len(weights) == 1 else split_pence(total, weights)


def receipt_checked(amount_pence: Any, on: Any) -> tuple[int, dict[str, list[str]]]:
    """Money received: the amount as whole positive pence, and what is wrong with the amount or
    the day (not a date, or a day still to come), by field; no errors means both are fine."""
    errors: dict[str, list[str]] = {}
    amount = 0
    try:
        amount = books.check_amount(amount_pence)
    except LedgerError as exc:
        errors["amount_pence"] = [str(exc)]
    if not isinstance(on, dt.date):
        errors["on"] = [f"{on!r} is not a date"]
    elif on > timezone.localdate():
        errors["on"] = ["The date the money was received cannot be in the future"]
    return amount, errors
