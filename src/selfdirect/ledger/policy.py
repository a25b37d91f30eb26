"""Each authority's money rules as data: policies/<slug>/ledger.yaml, checked by a schema that
names the file and the path of anything wrong. Test cases sit beside it in ledger-tests/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Literal

from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field

from selfdirect.core import policy_yaml
from selfdirect.core.dates import format_date
from selfdirect.core.money import round_pence
from selfdirect.core.rules import Parsed

from .constants import Frequency


class PolicyError(Exception):
    """The policy file is missing or invalid; the message names the file and the path."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CloseRules(Strict):
    """Seed 001 (Bath & North East Somerset): roll over up to 10% of each month's allocation, or
    keep up to 8 weeks' allocation unspent before the rest is clawed back."""

    method: Literal["rollover_share", "keep_weeks", "none"]
    rollover_share_percent: Decimal = Field(default=Decimal(0), ge=0, le=100)
    keep_weeks: int = Field(default=0, ge=0, le=52)
    text: str


class Charging(Strict):
    mode: Literal["net", "gross"]
    free_years: int = Field(default=0, ge=0, le=10)
    text: str


class Spending(Strict):
    categories: dict[str, str]
    unusual_single_pence: int = Field(gt=0)
    check_categories: list[str] = []
    overspend_margin_pence: int = Field(
        default=0, ge=0,
        description="A purchase that takes what a budget holds below nothing by more than this is recorded "
        "only when the person recording it confirms it, and is flagged for finance",
    )  # fmt: skip
    largest_purchase_percent_of_year: Decimal = Field(
        default=Decimal(100), gt=0, le=1000,
        description="A single purchase above this share of the budget's yearly figure is refused as a mistake",
    )  # fmt: skip
    plan_categories: dict[str, list[str]] = Field(
        default={},
        description="Each spending category's support-plan categories, to match spending to plan lines",
    )


FrequencyName = Literal["weekly", "four_weekly", "monthly", "quarterly"]


class Midpoint(Strict):
    """Seed 001 (Bath & North East Somerset): "set a 'mid-point' budget at the outset to average out
    the fluctuations". Where between the yearly figure for settled needs and the one for higher needs
    the budget is set; the period-close rule then absorbs the ups and downs."""

    allowed: bool = True
    position_percent: Decimal = Field(
        default=Decimal(50), ge=0, le=100,
        description="How far from the settled figure towards the higher one: 50 is halfway",
    )  # fmt: skip
    text: str = Field(description="What the person is told about a mid-point budget")


class LedgerPolicy(Strict):
    version: str
    effective_from: dt.date
    payment_frequencies: list[FrequencyName] = Field(
        default=["weekly", "four_weekly", "monthly", "quarterly"], min_length=1,
        description="How often budgets may be paid under this policy (issue 6: weekly, four-weekly or monthly)",
    )  # fmt: skip
    period_close: CloseRules
    midpoint: Midpoint | None = None
    plan_tolerance_percent: Decimal = Field(ge=0, le=100)
    charging: Charging
    spending: Spending

    @property
    def label(self) -> str:
        """The rules as people name them (the version id stays in data): "the money rules in force
        from 1 April 2026"."""
        return f"the money rules in force from {format_date(self.effective_from)}"


def policy_dir() -> Path:
    return Path(getattr(settings, "POLICY_DIR", settings.PROJECT_DIR / "policies"))


def check(text: str, source: str) -> tuple[LedgerPolicy | None, list[policy_yaml.PolicyProblem]]:
    """The rules in ``text``, or every problem in them at once, each with its file, line and path."""
    try:
        policy = policy_yaml.validate(LedgerPolicy, text, source)
    except policy_yaml.PolicyYamlError as exc:
        return None, exc.problems
    data = policy_yaml.load(text, source)
    problems = []
    for key in ("check_categories", "plan_categories"):
        for i, code in enumerate(getattr(policy.spending, key)):
            if code not in policy.spending.categories:
                line = policy_yaml.line_of(data, ("spending", key, i if key == "check_categories" else code))
                problems.append(policy_yaml.PolicyProblem(source, line, f"spending.{key}",
                                                          f"{code!r} is not one of spending.categories"))  # fmt: skip
    return (None, problems) if problems else (policy, [])


def parse(text: str, source: str) -> LedgerPolicy:
    policy, problems = check(text, source)
    if policy is None:
        raise PolicyError("; ".join(str(p) for p in problems))
    return policy


_parsed: dict[str, LedgerPolicy] = {}


def load(slug: str) -> LedgerPolicy:
    """The authority's money rules in force today (core.rules, kind "money"): PolicyError when it has
    none yet."""
    from selfdirect.core import rules
    from selfdirect.core.models import Authority

    authority = Authority.objects.filter(slug=slug).first()
    try:
        version = rules.rules_text(authority, KIND) if authority is not None else None
    except rules.RulesRefused as exc:  # a demo authority's file in the repository is wrong
        raise PolicyError("; ".join(str(p) for p in exc.problems)) from None
    if version is None:
        raise PolicyError(f"{slug} has no money rules yet: upload them on the rules page")
    if version.content_hash not in _parsed:
        _parsed[version.content_hash] = parse(version.yaml_text, version.filename)
    return _parsed[version.content_hash]


KIND = "money"


def starting_text(slug: str) -> tuple[str, str] | None:
    """A demo authority's money rules in the repository (policies/<slug>/ledger.yaml), if any."""
    path = policy_dir() / slug / "ledger.yaml"
    if not path.exists():
        return None
    try:
        return policy_yaml.read_file(path), str(path)
    except policy_yaml.PolicyYamlError as exc:
        raise PolicyError(str(exc)) from None


def _forget() -> None:
    """Forget the rules parsed so far (tests that change a demo authority's file)."""
    _parsed.clear()


load.cache_clear = _forget  # type: ignore[attr-defined]


def check_for_rules(text: str, source: str) -> tuple[Parsed | None, list[policy_yaml.PolicyProblem]]:
    """For core.rules: the title and date of a good file, or its problems."""
    policy, problems = check(text, source)
    if policy is None:
        return None, problems
    title = f"Money rules from {format_date(policy.effective_from)}"
    return Parsed(title=title, effective_from=policy.effective_from, rules=policy), []


def payment_frequencies(slug: str) -> list[str]:
    """How often budgets may be paid under the authority's money rules; with no money rules yet,
    any frequency the ledger knows."""
    try:
        return list(load(slug).payment_frequencies)
    except PolicyError:
        return list(Frequency.values)


def weeks_allocation(annual_pence: int, weeks: int) -> int:
    return round_pence(Decimal(annual_pence) * weeks / 52)


def close_decision(
    rules: CloseRules,
    *,
    annual_pence: int,
    month_allocation_pence: int,
    carried_in_pence: int,
    unspent_pence: int,
) -> tuple[int, int, str]:
    """(kept, clawed back, the rule in words) for one budget at period close.

    rollover_share: keep what was carried in plus up to the share of this month's allocation;
    keep_weeks: keep up to N weeks' allocation in all. Nothing negative is kept or clawed back.
    """
    unspent = max(unspent_pence, 0)
    if rules.method == "rollover_share":
        share = round_pence(Decimal(month_allocation_pence) * rules.rollover_share_percent / 100)
        cap = max(carried_in_pence, 0) + share
        why = f"up to {rules.rollover_share_percent}% of this month's allocation rolls over"
    elif rules.method == "keep_weeks":
        cap = weeks_allocation(annual_pence, rules.keep_weeks)
        why = f"up to {rules.keep_weeks} weeks' allocation may be kept unspent"
    else:
        cap = unspent
        why = "all unspent money is kept"
    kept = min(unspent, cap)
    return kept, unspent - kept, why


def within_tolerance(policy: LedgerPolicy, budget_pence: int, plan_cost_pence: int) -> bool:
    """A plan may cost up to the tolerance more or less than the budget (policy data)."""
    allowed = round_pence(Decimal(budget_pence) * policy.plan_tolerance_percent / 100)
    return abs(plan_cost_pence - budget_pence) <= allowed


def midpoint_pence(rules: Midpoint, low_annual_pence: int, high_annual_pence: int) -> int:
    """Seed 001: a 'mid-point' budget set at the outset to average out fluctuating needs: the
    policy's position between the yearly figure for settled needs and the one for higher needs."""
    return low_annual_pence + round_pence(
        Decimal(high_annual_pence - low_annual_pence) * rules.position_percent / 100
    )
