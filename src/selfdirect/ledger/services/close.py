"""Closing a month: the policy's rollover and claw-back applied to every budget's unspent money."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Sum
from django.utils import timezone

from selfdirect.core import audit
from selfdirect.core.constants import AuditAction
from selfdirect.core.dates import format_date, month_name
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority, User
from selfdirect.core.money import format_pence

from .. import books, bulk, policy
from ..books import Chart, credit, debit
from ..constants import PeriodStatus, RunStatus, TxnKind
from ..models import Account, Budget, CloseLine, Leg, Payment, PaymentRun, Period
from .common import parse_period, split_parts

# A period close writes its claw-backs this many budgets at a time, building the next batch meanwhile.
CLOSE_BATCH = 5000


CLOSE_LINE_COLUMNS = [
    "period_id",
    "budget_id",
    "unspent_pence",
    "kept_pence",
    "clawed_back_pence",
    "rule",
    "transaction_id",
]


@dataclass(frozen=True)
class CloseResult:
    """What closing a month did: ``changed`` is False when the month was already closed (a second
    close changes nothing). The totals are the month's close lines, however it was closed."""

    period: Period
    changed: bool
    budgets: int
    kept_pence: int
    clawed_back_pence: int

    @property
    def message(self) -> str:
        month = month_name(self.period.start)
        if not self.changed:
            when = (
                f" on {timezone.localtime(self.period.closed_at):%-d %B %Y}" if self.period.closed_at else ""
            )
            return f"{month} was already closed{when}: nothing has changed"
        return (
            f"{month} is closed: {self.budgets} budget{'' if self.budgets == 1 else 's'}, "
            f"{format_pence(self.kept_pence)} kept by budget "
            f"holders, {format_pence(self.clawed_back_pence)} clawed back"
        )


def _close_result(period: Period, changed: bool) -> CloseResult:
    sums = CloseLine.objects.filter(period=period).aggregate(
        n=models.Count("id"), kept=Sum("kept_pence", default=0), clawed=Sum("clawed_back_pence", default=0)
    )
    return CloseResult(period, changed, sums["n"], int(sums["kept"]), int(sums["clawed"]))


def close_refusal(authority: Authority, period: Period) -> str | None:
    """Why the month cannot be closed now, in words (None when it can): it has not ended yet (what
    is unspent is only known at the month's end, and spending on its last days counts), an earlier
    month is still open (months close in order, oldest first), or its payment run has not finished."""
    today = timezone.localdate()
    if today <= period.end:
        return (
            f"{month_name(period.start)} has not ended: it can be closed from "
            f"{format_date(period.end + dt.timedelta(days=1))}, when what is unspent is known"
        )
    earlier = (
        Period.objects.filter(authority=authority, start__lt=period.start, status=PeriodStatus.OPEN)
        .order_by("start")
        .first()
    )
    if earlier is not None:
        return (
            f"Close {month_name(earlier.start)} first: months are closed in order, oldest first, "
            f"and {month_name(earlier.start)} is still open"
        )
    run = PaymentRun.objects.filter(period=period, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).first()
    if run is not None:
        return (
            f"The payment run for {month_name(period.start)} has not finished "
            f"({run.get_status_display().lower()}): let it finish before closing the month"
        )
    return None


def close_period(
    actor: User,
    authority: Authority,
    label: str,
    reason: str = "month end",
    *,
    closed_at: dt.datetime | None = None,
) -> CloseResult:
    """Apply the authority's rollover and claw-back rules to every budget's unspent money, post the
    claw-backs (Dr claw-back receivable / Cr holder), and close the month for good.

    Months close in order, oldest first; closing a month that is already closed changes nothing
    (``changed`` is False). The pages, the API and the CLI all call this, so the rules are the same
    everywhere. ``closed_at`` records when, for history brought in or made up (the demo); by
    default now. A closed month's record never changes afterwards, in the database too."""
    start = parse_period(label)
    pol = policy.load(authority.slug)
    with transaction.atomic():
        period = Period.objects.select_for_update().filter(authority=authority, start=start).first()
        if period is None:
            raise ServiceError(
                {
                    "period": [
                        f"Nothing has been posted in {month_name(start)}: there is nothing to close"
                    ]
                }
            )
        if period.is_closed:
            return _close_result(period, changed=False)
        refused = close_refusal(authority, period)
        if refused:
            raise ServiceError({"period": [refused]})
        with bulk.bulk_job():  # Python tuned for the claw-backs' batches, and only for them
            _post_clawbacks(actor, authority, period, pol)
        period.status = PeriodStatus.CLOSED
        period.closed_at = closed_at or timezone.now()
        period.closed_by = actor
        period.policy_version = pol.version
        period.save()
        audit.record(actor=actor, authority=authority, action=AuditAction.CHANGE, obj=period, reason=reason,
                     changes={"status": ["open", "closed"]})  # fmt: skip
    return _close_result(period, changed=True)


def _post_clawbacks(
    actor: User | None, authority: Authority, period: Period, pol: policy.LedgerPolicy
) -> None:
    """Read every holder's balance, decide each budget's claw-back and write them all, in batches
    (bulk), inside the caller's transaction."""
    chart = Chart(authority)
    clawback = chart.get("clawback")  # read now: the rows are built on another thread
    # Each holder account's balance at the month end, and now: money spent after the month end
    # but before the close counts as spent, so a claw-back never takes a holder below nothing.
    holder_rows = list(
        Leg.objects.filter(account__authority=authority, account__code__startswith="holder:")
        .values("account_id", "account__code", "account__budget_id")
        .annotate(
            total=Sum(books.SIGNED, filter=models.Q(transaction__on__lte=period.end), default=0),
            now=Sum(books.SIGNED),
        )
        .values_list("account__budget_id", "account_id", "account__code", "total", "now")
    )  # fmt: skip
    paid = dict(
        Payment.objects.filter(run__period=period).values_list("instalment__budget_id")
        .annotate(s=Sum("amount_pence")).values_list("instalment__budget_id", "s")
    )  # fmt: skip
    carried: dict[int, int] = dict(
        CloseLine.objects.filter(period__authority=authority, period__start__lt=period.start)
        .order_by("period__start")
        .values_list("budget_id", "kept_pence")
    )  # the latest earlier close of each budget wins
    annual = dict(
        Budget.objects.filter(authority=authority).order_by().values_list("pk", "agreed_annual_pence")
    )

    actor_id = actor.pk if actor else None

    def batches() -> Iterator[tuple[bulk.Rows, bulk.Rows, bulk.Rows]]:
        """Each budget's decision and claw-back, CLOSE_BATCH budgets at a time, checked and
        made ready to write. Plain Python over what was read above: on PostgreSQL it runs on
        a second thread while the batch before is written (bulk.built_ahead)."""
        holders: dict[int, list[tuple[Account, int, int]]] = defaultdict(list)
        for budget_id, account_id, code, total, now in holder_rows:
            # Enough of the account to post to, without loading each one.
            account = bulk.light(Account, id=account_id, authority_id=authority.pk, code=code)
            holders[budget_id].append((account, int(total), int(now)))
        ordered = sorted(holders.items())
        for first in range(0, len(ordered), CLOSE_BATCH):
            postings: list[bulk.Posting] = []
            close_rows: list[list[Any]] = []
            for budget_id, accounts in ordered[first : first + CLOSE_BATCH]:
                row, posting = _close_budget(
                    pol, period, clawback, budget_id, accounts, annual_pence=annual[budget_id],
                    paid_pence=paid.get(budget_id, 0), carried_pence=carried.get(budget_id, 0),
                )  # fmt: skip
                if posting is not None:
                    row[-1] = len(postings)  # the posting's place, its transaction's id below
                    postings.append(posting)
                close_rows.append(row)
            txns, leg_rows = bulk.prepare_postings(authority, period, postings, actor_id=actor_id)
            for row in close_rows:
                if row[-1] is not None:
                    row[-1] = txns.ids[row[-1]]
            lines = bulk.prepare_rows(CloseLine, CLOSE_LINE_COLUMNS, close_rows, ids=False)
            yield txns, leg_rows, lines

    for txns, leg_rows, lines in bulk.built_ahead(batches()):
        bulk.write_postings((txns, leg_rows))
        bulk.write_rows(lines)


def _close_budget(
    pol: policy.LedgerPolicy, period: Period, clawback: Account, budget_id: int,
    accounts: list[tuple[Account, int, int]], *, annual_pence: int, paid_pence: int, carried_pence: int,
) -> tuple[list[Any], bulk.Posting | None]:  # fmt: skip
    """One budget at a period close: its close line (CLOSE_LINE_COLUMNS, the transaction left for
    the caller to fill in) and the claw-back to post, if the policy claws any back.

    ``accounts`` are the budget's holder accounts with their balances at the month end and now.
    What counts as unspent is what the holders had left at the month end and still have: money
    spent since counts as spent. The claw-back is taken from those accounts in proportion to what
    each still holds of it, so no account is taken below nothing."""
    at_end = sum(end for _, end, _ in accounts)
    still_held = [max(0, min(end, now)) for _, end, now in accounts]
    # Overspent at the month end: shown as such (negative), and nothing is kept or clawed back.
    unspent = at_end if at_end <= 0 else min(at_end, sum(still_held))
    kept, clawed, why = policy.close_decision(
        pol.period_close, annual_pence=annual_pence, month_allocation_pence=paid_pence,
        carried_in_pence=carried_pence, unspent_pence=unspent,
    )  # fmt: skip
    if 0 <= unspent < at_end:
        why += f"; {format_pence(at_end - unspent)} spent since the month end counts as spent"
    row: list[Any] = [period.pk, budget_id, unspent, kept, clawed, f"{why} (under {pol.label})", None]
    if not clawed:
        return row, None
    held = [
        (account, amount) for (account, _, _), amount in zip(accounts, still_held, strict=True) if amount > 0
    ]
    parts = split_parts(clawed, [amount for _, amount in held])
    legs = [debit(clawback, clawed)] + [
        credit(account, part) for (account, _), part in zip(held, parts, strict=True) if part
    ]
    memo = f"Claw-back at close of {period.label}, budget {budget_id}"
    return row, bulk.Posting(period.end, TxnKind.CLAWBACK, memo, legs, budget_id)
