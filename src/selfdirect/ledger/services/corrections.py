"""Correcting the ledger: a posting is reversed, never edited."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from selfdirect.core import audit
from selfdirect.core.constants import AuditAction
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import User

from .. import books
from ..books import LedgerError
from ..models import Transaction


def reverse_transaction(actor: User, txn: Transaction, reason: str, on: dt.date | None = None) -> Transaction:
    """Correct a posting by reversing it (the original stays, as does the reason), dated today or on
    a day between the original's date and today."""
    on = on or timezone.localdate()
    if not txn.on <= on <= timezone.localdate():
        raise ServiceError({"on": [
            f"A reversal is dated between the original's date ({txn.on:%-d %B %Y}) and today, not {on:%-d %B %Y}"
        ]})  # fmt: skip
    try:
        with transaction.atomic():
            rev = books.reverse(txn, on, reason, actor)
            audit.record(actor=actor, authority=txn.authority, action=AuditAction.CHANGE, obj=txn,
                         reason=reason, changes={"reversed_by": [None, rev.pk]})  # fmt: skip
    except LedgerError as exc:
        raise ServiceError({"transaction": [str(exc)]}) from None
    except IntegrityError:
        raise ServiceError({"transaction": [f"transaction {txn.pk} has already been reversed"]}) from None
    return rev
