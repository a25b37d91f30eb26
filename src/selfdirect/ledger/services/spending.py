"""Recording what a budget is spent on: one purchase, several, or a bank statement, matched to the
support plan's lines."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from selfdirect.core import audit
from selfdirect.core.constants import AuditAction
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import User
from selfdirect.core.money import format_pence, parse_pounds, round_pence

from .. import books, policy
from ..books import Chart, LedgerError, credit, debit
from ..constants import TxnKind
from ..models import Budget, Spend


def _flag(pol: policy.LedgerPolicy, category: str, amount: int) -> str:
    if category in pol.spending.check_categories:
        return f"{pol.spending.categories[category]} is checked lightly under {pol.label}"
    if amount > pol.spending.unusual_single_pence:
        return f"Larger than the usual single purchase under {pol.label}"
    return ""


def _holder_route(budget: Budget, route: str | None) -> str:
    routes = list(budget.deployments.values_list("route", flat=True))
    if route:
        if route not in routes:
            raise ServiceError({"route": [f"This budget is not held as {route}"]})
        return route
    return routes[0]


def record_spend(
    actor: User,
    budget: Budget,
    *,
    on: dt.date,
    category: str,
    description: str,
    amount_pence: int,
    payee: str = "",
    route: str | None = None,
    plan_line: int | None = None,
    source: str = "recorded",
    confirm_overspend: bool = False,
) -> Spend:
    """Record one purchase from the budget (Dr spending category / Cr the holder's account);
    ``plan_line`` names the plan line it pays for, else it is matched (:func:`match_plan_line`)."""
    return record_spends(actor, budget, [{"on": on, "category": category, "description": description,
                                          "amount_pence": amount_pence, "payee": payee, "route": route,
                                          "plan_line": plan_line}], source,
                         confirm_overspend=confirm_overspend)[0]  # fmt: skip


class NeedsConfirmation(ServiceError):
    """The spending would take the budget below what it holds by more than the policy's margin: it is
    recorded only when the person recording it confirms it (and is then flagged for finance)."""


def _largest_purchase(pol: policy.LedgerPolicy, budget: Budget) -> int:
    return round_pence(
        Decimal(budget.agreed_annual_pence) * pol.spending.largest_purchase_percent_of_year / 100
    )


def record_spends(
    actor: User, budget: Budget, rows: list[dict[str, Any]], source: str = "recorded", *,
    confirm_overspend: bool = False,
) -> list[Spend]:  # fmt: skip
    """Record several purchases all together or not at all.

    Spending that cannot be right is not taken silently: a single purchase above the policy's share
    of the budget's year is refused as a mistake; one that takes what the route holds below nothing
    by more than the policy's margin needs ``confirm_overspend`` (NeedsConfirmation otherwise) and
    is then flagged for finance to check."""
    pol = policy.load(budget.person.authority.slug)
    chart = Chart(budget.person.authority)
    if not budget.is_payable:
        raise ServiceError({"budget": ["Spending can only be recorded against an agreed budget"]})
    made = []
    lines = plan_lines(budget)
    largest = _largest_purchase(pol, budget)
    today = timezone.localdate()
    with transaction.atomic():
        for i, row in enumerate(rows, start=1):
            where = f"line {row['line']}: " if "line" in row else ("" if len(rows) == 1 else f"row {i}: ")
            if row["category"] not in pol.spending.categories:
                raise ServiceError(
                    {"category": [f"{where}choose a category from {', '.join(pol.spending.categories)}"]}
                )
            try:
                amount = books.check_amount(row["amount_pence"])
            except LedgerError as exc:
                raise ServiceError({"amount": [f"{where}{exc}"]}) from None
            if amount > largest:
                raise ServiceError({"amount": [
                    f"{where}{format_pence(amount)} is more than this budget can pay for one purchase "
                    f"({format_pence(largest)}, {pol.spending.largest_purchase_percent_of_year}% of "
                    f"{format_pence(budget.agreed_annual_pence)} a year): check the amount"
                ]})  # fmt: skip
            on = row["on"]
            if not isinstance(on, dt.date):
                raise ServiceError({"on": [f"{where}{on!r} is not a date"]})
            if not budget.period_start <= on <= budget.period_end:
                raise ServiceError({"on": [
                    f"{where}{on:%-d %B %Y} is outside this budget's period, {budget.period_start:%-d %B %Y} "
                    f"to {budget.period_end:%-d %B %Y}"
                ]})  # fmt: skip
            if on > today:
                raise ServiceError(
                    {"on": [f"{where}{on:%-d %B %Y} is still to come: record spending once it is made"]}
                )
            route = _holder_route(budget, row.get("route"))
            held = books.balance(chart.holder(budget.pk, route))
            short = amount - max(held, 0)
            over = ""
            if held - amount < 0:  # overspending is always flagged; beyond the margin it must be confirmed
                if held - amount < -pol.spending.overspend_margin_pence:
                    if not confirm_overspend:
                        raise NeedsConfirmation({"amount": [
                            f"{where}{format_pence(amount)} is {format_pence(short)} more than the "
                            f"{format_pence(max(held, 0))} this budget holds now: check the amount, and confirm "
                            "it if it is right (finance will be told)"
                        ]})  # fmt: skip
                    over = f"Takes the budget {format_pence(short)} below what it held: confirmed, for finance to check"
                else:
                    over = f"Takes the budget {format_pence(short)} below what it held: for finance to check"
            try:
                txn = books.post(
                    budget.person.authority, row["on"], TxnKind.INVOICE if source == "invoice" else TxnKind.SPEND,
                    f"{row['description'][:200]}", [debit(chart.spent(row["category"]), amount),
                                                     credit(chart.holder(budget.pk, route), amount)],
                    budget_id=budget.pk, actor=actor,
                )  # fmt: skip
            except LedgerError as exc:
                raise ServiceError({"on": [f"{where}{exc}"]}) from None
            reason = "; ".join(r for r in (over, _flag(pol, row["category"], amount)) if r)[:200]
            line_id = match_plan_line(pol, lines, row, where)
            made.append(
                Spend.objects.create(
                    budget=budget, route=route, on=row["on"], category=row["category"],
                    description=row["description"][:200], payee=row.get("payee", "")[:200], amount_pence=amount,
                    source=source, flagged=bool(reason), flag_reason=reason, transaction=txn, recorded_by=actor,
                    plan_line_id=line_id,
                )
            )  # fmt: skip
        audit.record(actor=actor, authority=budget.person.authority, action=AuditAction.CREATE, obj=budget,
                     reason=f"{len(made)} {source} spending line(s) recorded", person_id=budget.person_id)  # fmt: skip
    return made


def plan_lines(budget: Budget) -> list[Any]:
    """The spending lines of the support plan that approved the budget (none if it was approved
    some other way, e.g. by a finance officer in words)."""
    plan = budget.approved_by if budget.approved_by_type_id else None
    lines = getattr(plan, "lines", None)
    return list(lines.order_by("pk")) if lines is not None else []


def match_plan_line(
    pol: policy.LedgerPolicy, lines: list[Any], row: Mapping[str, Any], where: str = ""
) -> int | None:
    """Which plan line a purchase pays for: the one named (``plan_line``), else the line whose
    supplier is the payee, else the only line whose plan category the policy maps the spending
    category to. Anything else stays unmatched (shown as such on the statement), never guessed."""
    ids = {line.pk for line in lines}
    named = row.get("plan_line")
    if named is not None:
        if named not in ids:
            raise ServiceError({"plan_line": [f"{where}{named} is not a line of the approved support plan"]})
        return int(named)
    payee = (row.get("payee") or "").strip().casefold()
    by_supplier = [line.pk for line in lines if payee and (line.supplier or "").strip().casefold() == payee]
    if len(by_supplier) == 1:
        return by_supplier[0]
    plan_categories = set(pol.spending.plan_categories.get(row["category"], [row["category"]]))
    by_category = [line.pk for line in lines if line.category in plan_categories]
    return by_category[0] if len(by_category) == 1 else None


def plan_match(budget: Budget) -> dict[str, Any]:
    """Each plan line's cost for the budget's time against the spending matched to it, and what
    spending matched no line (issue 6: spending matched to plan lines)."""
    lines = plan_lines(budget)
    spent: dict[int | None, int] = defaultdict(int)
    for line_id, amount in Spend.objects.filter(
        budget=budget, transaction__reversed_by__isnull=True
    ).values_list("plan_line_id", "amount_pence"):
        spent[line_id] += amount
    rows = [{"id": line.pk, "description": line.description, "category": line.category,
             "supplier": line.supplier, "annual": line.annual_pence, "spent": spent.pop(line.pk, 0)}
            for line in lines]  # fmt: skip
    return {"rows": rows, "unmatched": sum(spent.values())}


STATEMENT_COLUMNS = ["date", "description", "amount", "category"]


def parse_statement_csv(text: str, categories: Mapping[str, str]) -> list[dict[str, Any]]:
    """Rows of a bank-statement CSV (date, description, amount, category). Every problem is
    reported with its line number, and nothing is recorded unless every line is good."""
    problems: list[str] = []
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or [f.strip().lower() for f in reader.fieldnames] != STATEMENT_COLUMNS:
        raise ServiceError({"file": [f"line 1: the columns must be {', '.join(STATEMENT_COLUMNS)}"]})
    rows = []
    for row in reader:
        line = reader.line_num
        clean = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        try:
            on = dt.date.fromisoformat(clean["date"])
        except ValueError:
            problems.append(f"line {line}: date {clean['date']!r} is not a date like 2026-05-14")
            continue
        try:
            amount = parse_pounds(clean["amount"])
        except ValueError as exc:
            problems.append(f"line {line}: amount: {exc}")
            continue
        if amount <= 0:
            problems.append(f"line {line}: amount must be more than zero")
            continue
        if clean["category"] not in categories:
            problems.append(
                f"line {line}: category {clean['category']!r} is not one of {', '.join(categories)}"
            )
            continue
        if not clean["description"]:
            problems.append(f"line {line}: description is empty")
            continue
        rows.append({"line": line, "on": on, "description": clean["description"], "amount_pence": amount,
                     "category": clean["category"], "payee": clean["description"]})  # fmt: skip
    if problems:
        raise ServiceError({"file": problems})
    if not rows:
        raise ServiceError({"file": ["The file has no spending lines"]})
    return rows


def upload_statement(
    actor: User, budget: Budget, text: str, *, confirm_overspend: bool = False
) -> list[Spend]:
    pol = policy.load(budget.person.authority.slug)
    rows = parse_statement_csv(text, pol.spending.categories)
    return record_spends(actor, budget, rows, source="statement", confirm_overspend=confirm_overspend)


MAX_STATEMENT_BYTES = 1_000_000


def upload_statement_file(
    actor: User, budget: Budget, raw: bytes, *, confirm_overspend: bool = False
) -> list[Spend]:
    """A bank-statement CSV as uploaded (bytes): the same parsing and posting as the page's upload,
    all lines or none, every problem named by its line."""
    if len(raw) > MAX_STATEMENT_BYTES:
        raise ServiceError({"file": [f"The file is larger than {MAX_STATEMENT_BYTES // 1000} KB: split it"]})
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ServiceError({"file": ["The file must be a CSV saved as UTF-8 text"]}) from None
    return upload_statement(actor, budget, text, confirm_overspend=confirm_overspend)
