"""What a plan's rules say about the plan as written: its yearly cost against the budget, what stops
it being submitted or signed off, and which panel referral rules it meets. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from selfdirect.core.money import format_pence, round_pence

from .. import policy
from ..constants import RISK_ORDER, Frequency, RiskLevel
from ..models import SupportPlan

RISK_QUESTIONS = [
    ("risk_want", "What do you want from your budget?"),
    ("risk_buy", "How are you going to buy it?"),
    ("risk_risks", "What risks might that bring?"),
    ("risk_manage", "How are you going to manage those risks?"),
]


def annual_pence(unit_cost_pence: int, quantity: Decimal, frequency: str, weeks_per_year: int = 52) -> int:
    """A spending line's cost a year, exactly: unit cost x quantity x times a year, rounded half up
    to the penny once at the end (never a float)."""
    times = {Frequency.WEEK: weeks_per_year, Frequency.MONTH: 12, Frequency.YEAR: 1, Frequency.ONE_OFF: 1}[
        Frequency(frequency)
    ]
    return round_pence(Decimal(unit_cost_pence) * Decimal(quantity) * times)


@dataclass(frozen=True)
class BudgetCheck:
    total_pence: int
    budget_pence: int
    level: str  # ok | under | warn | block
    message: str

    @property
    def difference_pence(self) -> int:
        return self.total_pence - self.budget_pence


def check_budget(plan: SupportPlan, rules: policy.PlansPolicy) -> BudgetCheck:
    """The plan's yearly cost against its indicative budget, with a message saying what to do."""
    total, budget = plan.annual_total_pence, plan.indicative_budget_pence
    diff = total - budget
    tolerance = round_pence(Decimal(budget) * rules.budget_check.tolerance_percent / 100)
    if diff > 0:
        over = f"The plan costs {format_pence(total)} a year: {format_pence(diff)} over the budget of {format_pence(budget)}"
        if diff <= tolerance:
            return BudgetCheck(
                total, budget, "warn", f"{over}, within the {rules.budget_check.tolerance_percent}% tolerance"
            )
        if rules.budget_check.over_budget == "block":
            return BudgetCheck(
                total, budget, "block",
                f"{over}. Reduce the spending by at least {format_pence(diff - tolerance)} before it can be signed off",
            )  # fmt: skip
        return BudgetCheck(total, budget, "warn", f"{over}. The co-ordinator must agree the difference")
    note = round_pence(Decimal(budget) * rules.budget_check.under_budget_note_percent / 100)
    if -diff > note:
        return BudgetCheck(
            total, budget, "under",
            f"The plan costs {format_pence(total)} a year: {format_pence(-diff)} of the {format_pence(budget)} budget is not planned",
        )  # fmt: skip
    return BudgetCheck(
        total,
        budget,
        "ok",
        f"The plan costs {format_pence(total)} a year, within the budget of {format_pence(budget)}",
    )


def submission_problems(plan: SupportPlan, rules: policy.PlansPolicy) -> list[str]:
    """Everything that stops the plan being submitted or signed off, as a list to show at once."""
    problems: list[str] = []
    if not plan.what_matters.strip():
        problems.append("Say what matters to the person")
    if not plan.outcomes.exists():
        problems.append("Add at least one outcome the person wants to achieve")
    if not plan.lines.exists():
        problems.append("Add how the money will be spent")
    for name, question in RISK_QUESTIONS:
        if not getattr(plan, name).strip():
            problems.append(f"Answer the risk question: {question}")
    if not plan.contingency.strip():
        problems.append("Say what happens when needs change (the contingency)")
    if not plan.deployment:
        problems.append("Choose who holds the money")
    if not plan.helper:
        problems.append("Say who helped write the plan")
    if plan.starts_on is None:
        problems.append("Give the date the plan starts")
    check = check_budget(plan, rules)
    if check.level == "block":
        problems.append(check.message)
    return problems


def referral_reasons(plan: SupportPlan, rules: policy.PlansPolicy) -> list[str]:
    """Which of the authority's panel referral rules the plan meets (empty: the co-ordinator may sign)."""
    ref = rules.panel.referral
    reasons: list[str] = []
    if (
        ref.risk_level_at_least
        and RISK_ORDER[RiskLevel(plan.risk_level)] >= RISK_ORDER[RiskLevel(ref.risk_level_at_least)]
    ):
        reasons.append(
            f"Risk is {plan.get_risk_level_display().lower()} (the rules refer {ref.risk_level_at_least} risk or higher)"
        )
    total = plan.annual_total_pence
    if ref.annual_total_above_pence is not None and total > ref.annual_total_above_pence:
        reasons.append(
            f"The plan costs {format_pence(total)} a year, above {format_pence(ref.annual_total_above_pence)}"
        )
    if ref.unusual_categories:
        for line in plan.lines.all():
            category = rules.category(line.category)
            if category is None or not category.usual:
                title = category.title if category else line.category
                reasons.append(f"'{line.description}' is outside the usual categories ({title})")
    return reasons
