"""What a budget statement shows, for the page, its PDF, its CSV and the statement command: the
same figures from :func:`services.statement` everywhere."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from selfdirect.core import spreadsheet, words
from selfdirect.core.charts import bar_chart
from selfdirect.core.money import format_pence, round_pence

from . import policy, services
from .models import Budget


def pounds(pence: int) -> str:
    """A CSV's figure in pounds, without a pound sign or separators: 1234.56, -0.05."""
    return format_pence(pence, symbol=False, grouping=False)


def replaced_by(budget: Budget) -> Budget | None:
    """The budget that replaced this one at a reassessment, if any."""
    return getattr(budget, "replaced_by", None)


def plan_cost_words(budget: Budget, pol: policy.LedgerPolicy) -> str:
    """How the support plan's yearly cost sits against the agreed budget, as the money rules judge it
    (policy.within_tolerance: the plan may cost up to a share of the budget more, or less)."""
    plan, agreed = budget.plan_cost_pence or 0, budget.agreed_annual_pence
    percent = format(pol.plan_tolerance_percent.normalize(), "f")
    allowed = format_pence(round_pence(Decimal(agreed) * pol.plan_tolerance_percent / 100))
    if plan == agreed:
        return "The plan costs the same as the agreed budget."
    gap = f"{format_pence(abs(plan - agreed))} {'more' if plan > agreed else 'less'}"
    within = policy.within_tolerance(pol, agreed, plan)
    return (
        f"The plan costs {gap} than the agreed budget. Under {pol.label}, a plan may cost up to {percent}% "
        f"of the budget ({allowed}) more or less than it, so {'this is allowed' if within else 'this is more than they allow'}."
    )


def statement_context(budget: Budget) -> dict[str, Any]:
    """What the statement page and its PDF show: the same figures, chart and tables."""
    st = services.statement(budget)
    pol = policy.load(budget.person.authority.slug)
    # The chart and the table beside it show the same figures, a balance below nothing included.
    figures = [
        ("Budget for the period", st.period_amount),
        ("Paid", st.paid),
        ("Spent", st.spent),
        ("Held now" if st.held >= 0 else "Held now (overspent)", st.held),
        ("Clawed back", st.clawed_back),
    ]
    items = [(label, [pence]) for label, pence in figures]
    tolerance = plan_cost_words(budget, pol) if budget.plan_cost_pence is not None else ""
    return {
        "budget": budget, "st": st, "policy": pol, "chart": bar_chart(
            items, kind="pence", caption="Bar chart of the budget for the period, and what was paid, spent, held and clawed back"
        ),
        "chart_rows": figures, "instalments": budget.instalments.select_related("payment")[:60],
        "next_instalment": budget.instalments.filter(cancelled=False, payment__isnull=True).order_by("due_on").first(),
        "spends": budget.spends.all()[:50], "categories": pol.spending.categories,
        "previous": budget.replaces, "replaced_by": replaced_by(budget), "tolerance": tolerance,
        "plan": services.plan_match(budget), "clawback": st.clawback, "phases": services.phases_as_paid(budget),
    }  # fmt: skip


def statement_csv_text(budget: Budget) -> str:
    """The statement as CSV for the person and staff to open in a spreadsheet: what each figure is,
    in words, and the amount in pounds as a number (no pound sign, so it adds up)."""
    st = services.statement(budget)
    out = io.StringIO()
    writer = spreadsheet.writer(out)
    writer.writerow(["What", "Amount (£)"])
    rows = [("Agreed budget a year", st.agreed_annual), ("Indicative budget a year", st.indicative or 0),
            ("This period's budget", st.period_amount), ("Paid so far", st.paid), ("Spent so far", st.spent),
            ("Held now", st.held), ("Contributions", st.contributions), ("Rolled over", st.rolled_over),
            ("Returned to the council at month ends (claw-back)", st.clawed_back),
            ("Claw-back paid back", st.clawback.received), ("Claw-back still to pay back", st.clawback.outstanding)]  # fmt: skip
    categories = words.labels("spending_category", budget.person.authority_id)
    rows += [(f"Spent on {categories.get(cat) or words.humanise(cat)}", value)
             for cat, value in sorted(st.spend_by_category.items())]  # fmt: skip
    rows += [(f"Each week: {r['route']} paid to {r['payee']}", r["weekly"]) for r in st.routes]  # what services cost
    for label, value in rows:
        writer.writerow([label, pounds(value)])
    return out.getvalue()
