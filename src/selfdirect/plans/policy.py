"""Plan policy as data: outcome frameworks (outcomes.yaml) and plan rules (plans.yaml), one pair per
authority under policies/<slug>/. Loading reports every problem with its file and line, as the
allocation policy loader does, so a commissioner fixes the whole file at once.

Pure Python (no Django), so the rules can be read and tested on their own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from selfdirect.core import policy_yaml
from selfdirect.core.dates import format_date
from selfdirect.core.money import format_pence
from selfdirect.core.policy_yaml import PolicyProblem

RISK_LEVELS = ("low", "medium", "high")


class PlanPolicyError(Exception):
    """Every problem found in a plan policy file."""

    def __init__(self, problems: list[PolicyProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- outcomes.yaml ------------------------------------------------------------------------------


class OutcomeDef(_Strict):
    code: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1, max_length=200)
    description: str = ""


class FrameworkDef(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
    title: str = Field(min_length=1, max_length=200)
    source: str = ""
    outcomes: list[OutcomeDef] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_codes(self) -> FrameworkDef:
        seen: set[str] = set()
        for outcome in self.outcomes:
            if outcome.code in seen:
                raise ValueError(f"outcome code {outcome.code!r} appears twice")
            seen.add(outcome.code)
        return self


class OutcomesPolicy(_Strict):
    authority: str
    frameworks: list[FrameworkDef] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> OutcomesPolicy:
        ids = [f.id for f in self.frameworks]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ValueError(f"framework id(s) repeated: {', '.join(sorted(dupes))}")
        return self


# --- plans.yaml ---------------------------------------------------------------------------------


class CategoryDef(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1)
    usual: bool = True


class BudgetCheck(_Strict):
    over_budget: Literal["warn", "block"] = "block"
    tolerance_percent: int = Field(default=0, ge=0, le=100, description="Over by up to this share only warns")
    under_budget_note_percent: int = Field(default=10, ge=0, le=100)


class ReferralRules(_Strict):
    risk_level_at_least: Literal["low", "medium", "high"] | None = "high"
    annual_total_above_pence: int | None = Field(default=None, ge=0)
    unusual_categories: bool = True
    expected_share_percent: int = Field(default=5, ge=0, le=100, description="The Individual Budget pilot sites saw about 5% of plans")


class PanelRules(_Strict):
    meeting_weekday: Literal["monday", "tuesday", "wednesday", "thursday", "friday"] = "wednesday"
    meeting_time: str = Field(
        default="10:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM"
    )
    meeting_place: str = Field(
        default="", max_length=200, description="Where the panel meets, for invitations"
    )
    referral: ReferralRules = Field(default_factory=ReferralRules)


class SoonerRule(_Strict):
    annual_total_at_least_pence: int | None = Field(default=None, ge=0)
    risk_level_at_least: Literal["low", "medium", "high"] | None = None
    interval_months: int = Field(ge=1, le=36)

    @model_validator(mode="after")
    def _has_condition(self) -> SoonerRule:
        if self.annual_total_at_least_pence is None and self.risk_level_at_least is None:
            raise ValueError("a 'sooner' rule needs annual_total_at_least_pence or risk_level_at_least")
        return self


class ReviewRules(_Strict):
    max_interval_months: int = Field(default=36, ge=1, le=36, description="The Individual Budget pilot sites reviewed at least every 3 years")
    default_interval_months: int = Field(default=12, ge=1, le=36)
    sooner: list[SoonerRule] = []

    @model_validator(mode="after")
    def _within_max(self) -> ReviewRules:
        if self.default_interval_months > self.max_interval_months:
            raise ValueError("default_interval_months must not be more than max_interval_months")
        return self


class MonitoringRules(_Strict):
    budget_bands_pence: list[int] = Field(min_length=1)
    visits_per_year: dict[Literal["low", "medium", "high"], list[int]]

    @field_validator("budget_bands_pence")
    @classmethod
    def _ascending(cls, value: list[int]) -> list[int]:
        if value != sorted(value) or len(set(value)) != len(value):
            raise ValueError("budget bands must go up")
        return value

    @model_validator(mode="after")
    def _shape(self) -> MonitoringRules:
        missing = set(RISK_LEVELS) - set(self.visits_per_year)
        if missing:
            raise ValueError(f"visits_per_year needs a row for {', '.join(sorted(missing))}")
        for level, row in self.visits_per_year.items():
            if len(row) != len(self.budget_bands_pence) + 1:
                raise ValueError(
                    f"visits_per_year.{level} needs {len(self.budget_bands_pence) + 1} numbers "
                    f"(one per budget band and one above the last)"
                )
        return self


LedgerRoute = Literal["direct_payment", "council_managed", "third_party", "isf", "virtual"]


class MoneyRules(_Strict):
    """How an approved plan's money is drafted when finance has not drafted the budgets itself. Each
    authority's own choices: no seed gives figures for them."""

    mix_shares: dict[LedgerRoute, int] = Field(
        min_length=2,
        description="For a plan whose money is a mix ('mix and match'): each route's share of every payment",
    )
    frequency: Literal["weekly", "four_weekly", "monthly", "quarterly"] = Field(
        default="four_weekly", description="How often the drafted budgets are paid"
    )
    text: str = Field(min_length=1, max_length=500, description="What a mix means here, in the person's words")

    @field_validator("mix_shares")
    @classmethod
    def _positive_shares(cls, shares: dict[str, int]) -> dict[str, int]:
        if any(share <= 0 for share in shares.values()):
            raise ValueError("every route's share must be more than 0")
        return shares


class PlansPolicy(_Strict):
    authority: str
    id: str = Field(min_length=1)
    effective_from: dt.date
    weeks_per_year: int = Field(default=52, ge=52, le=53)
    default_duration_months: int = Field(default=12, ge=1, le=36)
    budget_check: BudgetCheck = Field(default_factory=BudgetCheck)
    spending_categories: list[CategoryDef] = Field(min_length=1)
    panel: PanelRules = Field(default_factory=PanelRules)
    reviews: ReviewRules = Field(default_factory=ReviewRules)
    monitoring: MonitoringRules
    withdrawal_notice_days: int = Field(default=28, ge=0, le=365)
    refusal_follow_up_days: int = Field(default=90, ge=1, le=730)
    money: MoneyRules | None = Field(
        default=None, description="How an approved plan's money is drafted; without it finance drafts each budget"
    )

    @model_validator(mode="after")
    def _unique_categories(self) -> PlansPolicy:
        ids = [c.id for c in self.spending_categories]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ValueError(f"category id(s) repeated: {', '.join(sorted(dupes))}")
        return self

    @property
    def label(self) -> str:
        """The rules as people name them (the id stays in data): "the plan rules in force from 1 April 2026"."""
        return f"the plan rules in force from {format_date(self.effective_from)}"

    def category(self, category_id: str) -> CategoryDef | None:
        return next((c for c in self.spending_categories if c.id == category_id), None)

    def review_interval_months(self, annual_total_pence: int, risk_level: str) -> tuple[int, str]:
        """How many months until the next review, and why (the shortest rule that applies)."""
        months, why = self.reviews.default_interval_months, "the default interval"
        for rule in self.reviews.sooner:
            applies = True
            if rule.annual_total_at_least_pence is not None:
                applies &= annual_total_pence >= rule.annual_total_at_least_pence
            if rule.risk_level_at_least is not None:
                applies &= RISK_LEVELS.index(risk_level) >= RISK_LEVELS.index(rule.risk_level_at_least)
            if applies and rule.interval_months < months:
                months = rule.interval_months
                parts = []
                if rule.annual_total_at_least_pence is not None:
                    parts.append(f"budget at least {format_pence(rule.annual_total_at_least_pence)} a year")
                if rule.risk_level_at_least is not None:
                    parts.append(f"risk {rule.risk_level_at_least} or higher")
                why = " and ".join(parts)
        return min(months, self.reviews.max_interval_months), why

    def visits_per_year(self, annual_total_pence: int, risk_level: str) -> int:
        """Light-touch monitoring visits a year for this budget size and last risk level (seed 002)."""
        band = sum(1 for limit in self.monitoring.budget_bands_pence if annual_total_pence > limit)
        return self.monitoring.visits_per_year[risk_level][band]  # type: ignore[index]


# --- loading with file and line ----------------------------------------------------------------


def _line_of(node: Any, loc: tuple[Any, ...]) -> int:
    """The 1-based line of the deepest part of ``loc`` found in the parsed YAML."""
    line = 1
    for key in loc:
        if isinstance(node, CommentedMap) and key in node:
            line = node.lc.key(key)[0] + 1
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
            line = node.lc.item(key)[0] + 1
            node = node[key]
        else:
            break
    return line


def _parse(text: str, filename: str) -> Any:
    try:
        return policy_yaml.load(text, filename)
    except policy_yaml.PolicyYamlError as exc:
        raise PlanPolicyError(exc.problems) from None


def read_file(path: Path) -> str:
    """A plan policy file's text, checked as every policy file is (size, UTF-8)."""
    try:
        return policy_yaml.read_file(path)
    except policy_yaml.PolicyYamlError as exc:
        raise PlanPolicyError(exc.problems) from None


def _validate(model: type[Any], text: str, filename: str, slug: str | None) -> Any:
    data = _parse(text, filename)
    if not isinstance(data, CommentedMap):
        raise PlanPolicyError(
            [PolicyProblem(filename, 1, "", "the file must be a mapping of keys to values")]
        )
    try:
        result = model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            path = ".".join(str(p) for p in loc)
            message = err["msg"].removeprefix("Value error, ")
            problems.append(PolicyProblem(filename, _line_of(data, loc), path, message))
        raise PlanPolicyError(problems) from None
    if slug is not None and result.authority != slug:
        raise PlanPolicyError(
            [PolicyProblem(filename, _line_of(data, ("authority",)), "authority", f"must be {slug!r}")]
        )
    return result


def load_outcomes(text: str, filename: str = "outcomes.yaml", slug: str | None = None) -> OutcomesPolicy:
    result: OutcomesPolicy = _validate(OutcomesPolicy, text, filename, slug)
    return result


def load_plans_policy(text: str, filename: str = "plans.yaml", slug: str | None = None) -> PlansPolicy:
    result: PlansPolicy = _validate(PlansPolicy, text, filename, slug)
    return result


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def policy_dir(project_dir: Path, slug: str) -> Path:
    return project_dir / "policies" / slug
