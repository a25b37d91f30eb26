"""What can be done to support plans. Views, the API and the CLI call these; each change is written
in one transaction with its audit event. `apply_transition` is the only way a plan changes state.

Integration with other apps is kept to three small functions at the bottom of this module:
`latest_indicative_budget` (allocation), `deploy_money` (ledger) and the market lookups are absent
on purpose: spending lines name their supplier in words until the market app settles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from selfdirect.core import audit
from selfdirect.core.constants import AuditAction, Role
from selfdirect.core.dates import add_months
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority, User
from selfdirect.core.money import format_pence, round_pence, split_pence
from selfdirect.people.models import Person

from . import access, policy
from .constants import (
    RISK_ORDER,
    Attendance,
    Deployment,
    Frequency,
    Helper,
    InvitationSent,
    LineKind,
    PanelDecision,
    PlanState,
    Progress,
    RefusalReason,
    ReviewKind,
    RiskLevel,
)
from .models import (
    Appeal,
    FrameworkOutcome,
    MonitoringVisit,
    OutcomeFramework,
    PanelInvitation,
    PanelMeeting,
    PanelReferral,
    PlanOutcome,
    PlanRules,
    PlanTransition,
    Refusal,
    Review,
    ReviewOutcome,
    SpendingLine,
    SupportPlan,
)
from .workflow import (
    SYSTEM,
    TRANSITIONS,
    WRITERS,
    Transition,
    TransitionForbidden,
    TransitionRefused,
    available,
)

PLAN_FIELDS = [
    "what_matters", "helper", "helper_name", "broker", "market_broker", "indicative_budget_pence", "budget_source",
    "deployment", "deployment_notes", "risk_want", "risk_buy", "risk_risks", "risk_manage", "risk_level",
    "contingency", "starts_on", "duration_months", "review_on", "conditions", "funding_ends_on",
    "withdrawal_reason",
]  # fmt: skip
LINE_FIELDS = [
    "kind",
    "category",
    "description",
    "supplier",
    "unit",
    "quantity",
    "frequency",
    "unit_cost_pence",
]
# A spending line may name one entry of the authority's market registers (market app).
MARKET_LINKS = {"market_service": "Service", "personal_assistant": "PersonalAssistant", "broker": "Broker"}
# Which kinds of spending each kind of market entry pays for: a PA is paid as a personal assistant,
# a broker's fee is support planning, a provider's service is a service (and, for a service of
# equipment and adaptations, equipment or a one-off purchase too). Anything else is refused.
MARKET_LINK_KINDS: dict[str, frozenset[str]] = {
    "personal_assistant": frozenset({LineKind.PERSONAL_ASSISTANT.value}),
    "broker": frozenset({LineKind.BROKER.value}),
    "market_service": frozenset({LineKind.SERVICE.value}),
}
EQUIPMENT_SERVICE_KINDS = frozenset(
    {LineKind.SERVICE.value, LineKind.EQUIPMENT.value, LineKind.ONE_OFF.value}
)
RISK_QUESTIONS = [
    ("risk_want", "What do you want from your budget?"),
    ("risk_buy", "How are you going to buy it?"),
    ("risk_risks", "What risks might that bring?"),
    ("risk_manage", "How are you going to manage those risks?"),
]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


# --- policy --------------------------------------------------------------------------------------


def policies_root() -> Path:
    return Path(getattr(settings, "SELFDIRECT_POLICIES_DIR", settings.PROJECT_DIR / "policies"))


@lru_cache(maxsize=32)
def _parsed_rules(text: str, slug: str) -> policy.PlansPolicy:
    return policy.load_plans_policy(text, "plans.yaml", slug)


def current_rules(authority: Authority) -> tuple[policy.PlansPolicy, PlanRules]:
    """The authority's plan rules as last loaded; loaded from policies/<slug>/ on first use."""
    row = PlanRules.objects.filter(authority=authority).first()
    if row is None:
        load_policies(None, authority)
        row = PlanRules.objects.filter(authority=authority).first()
        if row is None:  # pragma: no cover - load_policies raises first
            raise ServiceError(f"{authority.slug} has no plan rules loaded")
    return _parsed_rules(row.yaml_text, authority.slug), row


@dataclass
class LoadSummary:
    frameworks: int
    outcomes: int
    retired: int
    rules_version: str
    rules_changed: bool


def load_policies(actor: User | None, authority: Authority, directory: Path | None = None) -> LoadSummary:
    """Load outcomes.yaml and plans.yaml for ``authority``. Both files are checked before anything is
    written; any problem raises PlanPolicyError listing every problem with file and line."""
    folder = directory or policies_root() / authority.slug
    problems: list[policy.PolicyProblem] = []
    outcomes_doc = plans_doc = None
    texts: dict[str, str] = {}
    for name in ("outcomes.yaml", "plans.yaml"):
        try:
            texts[name] = policy.read_file(folder / name)
        except policy.PlanPolicyError as exc:
            problems.extend(exc.problems)
    try:
        if "outcomes.yaml" in texts:
            outcomes_doc = policy.load_outcomes(
                texts["outcomes.yaml"], str(folder / "outcomes.yaml"), authority.slug
            )
    except policy.PlanPolicyError as exc:
        problems.extend(exc.problems)
    try:
        if "plans.yaml" in texts:
            plans_doc = policy.load_plans_policy(
                texts["plans.yaml"], str(folder / "plans.yaml"), authority.slug
            )
    except policy.PlanPolicyError as exc:
        problems.extend(exc.problems)
    if problems or outcomes_doc is None or plans_doc is None:
        raise policy.PlanPolicyError(problems)
    with transaction.atomic():
        seen: set[int] = set()
        count = 0
        for f_order, fdef in enumerate(outcomes_doc.frameworks):
            framework, _ = OutcomeFramework.objects.update_or_create(
                authority=authority, key=fdef.id,
                defaults={"title": fdef.title, "source": fdef.source, "order": f_order},
            )  # fmt: skip
            for o_order, odef in enumerate(fdef.outcomes):
                outcome, _ = FrameworkOutcome.objects.update_or_create(
                    framework=framework, code=odef.code,
                    defaults={"authority": authority, "title": odef.title, "order": o_order, "retired": False},
                )  # fmt: skip
                seen.add(outcome.pk)
                count += 1
        retired = (
            FrameworkOutcome.objects.filter(authority=authority, retired=False)
            .exclude(pk__in=seen)
            .update(retired=True)
        )
        text = texts["plans.yaml"]
        digest = policy.content_hash(text)
        rules_row = PlanRules.objects.filter(authority=authority).first()
        changed = rules_row is None or rules_row.content_hash != digest
        if changed:
            PlanRules.objects.filter(authority=authority, content_hash=digest).delete()
            rules_row = PlanRules.objects.create(
                authority=authority, policy_id=plans_doc.id, content_hash=digest, yaml_text=text
            )
            audit.record(
                actor=actor, authority=authority, action=AuditAction.IMPORT, obj=rules_row,
                reason=f"Plan rules loaded from {folder / 'plans.yaml'}",
            )  # fmt: skip
        assert rules_row is not None
        return LoadSummary(len(outcomes_doc.frameworks), count, retired, rules_row.version_id, changed)


# --- money ---------------------------------------------------------------------------------------


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


# --- writing the plan ----------------------------------------------------------------------------


def _require_writer(actor: User, plan: SupportPlan) -> None:
    if plan.state != PlanState.DRAFT:
        raise TransitionRefused(f"The plan is {plan.get_state_display().lower()}: reopen it to change it")
    if not access.capacities(actor, plan) & WRITERS:
        raise TransitionForbidden("You may not change this plan")


def create_plan(
    actor: User, person: Person, reason: str = "Support plan started", *, today: dt.date | None = None
) -> SupportPlan:
    """Start a plan for ``person``, written against their latest indicative budget."""
    if not access.person_capacities(actor, person) & WRITERS:
        raise TransitionForbidden("You may not start a plan for this person")
    rules, row = current_rules(person.authority)
    if SupportPlan.objects.filter(person=person, state__in=[PlanState.DRAFT, PlanState.SUBMITTED]).exists():
        raise ServiceError(f"{person} already has a plan being written")
    budget, source, allocation = latest_indicative_budget(person)
    with transaction.atomic():
        helper = {Role.PLANNER: Helper.BROKER, Role.ASSESSOR: Helper.SOCIAL_WORKER}
        caps = access.person_capacities(actor, person)
        plan = SupportPlan.objects.create(
            authority=person.authority, person=person, indicative_budget_pence=budget, budget_source=source,
            allocation=allocation,
            duration_months=rules.default_duration_months, rules_version=row.version_id, created_by=actor,
            helper=next((helper[Role(c)] for c in caps if c in {Role.PLANNER, Role.ASSESSOR}), ""),
            broker=actor if Role.PLANNER.value in caps else None,
            starts_on=_today(today),
        )  # fmt: skip
        audit.record(
            actor=actor, authority=plan.authority, action=AuditAction.CREATE, obj=plan, reason=reason,
            changes=audit.diff({}, audit.snapshot(plan, PLAN_FIELDS)), person_id=person.pk,
        )  # fmt: skip
        return plan


def update_plan(actor: User, plan: SupportPlan, data: Mapping[str, Any], reason: str) -> dict[str, list[Any]]:
    """Change parts of a draft plan; returns what changed."""
    with transaction.atomic():
        plan = SupportPlan.objects.select_for_update().get(pk=plan.pk)
        _require_writer(actor, plan)
        unknown = set(data) - set(PLAN_FIELDS)
        if unknown:
            raise ServiceError({k: ["cannot be changed here"] for k in sorted(unknown)})
        before = audit.snapshot(plan, PLAN_FIELDS)
        for name, value in data.items():
            if name == "market_broker" and value is not None:
                value = market_entry(plan, "Broker", value)
                if value is None:
                    raise ServiceError({"market_broker": [not_in_register("Broker")]})
            setattr(plan, name, value)
        _check_plan(plan)
        changes = audit.diff(before, audit.snapshot(plan, PLAN_FIELDS))
        if changes:
            plan.save()
            audit.record(
                actor=actor, authority=plan.authority, action=AuditAction.CHANGE, obj=plan, reason=reason,
                changes=changes, person_id=plan.person_id,
            )  # fmt: skip
        return changes


def _check_plan(plan: SupportPlan) -> None:
    errors: dict[str, list[str]] = {}
    if plan.deployment and plan.deployment not in Deployment.values:
        errors["deployment"] = ["Choose who holds the money"]
    if plan.helper and plan.helper not in Helper.values:
        errors["helper"] = ["Choose who helped write the plan"]
    if plan.risk_level not in RiskLevel.values:
        errors["risk_level"] = ["Choose low, medium or high"]
    if not 1 <= plan.duration_months <= 36:
        errors["duration_months"] = ["A plan lasts between 1 and 36 months"]
    if plan.indicative_budget_pence < 0:
        errors["indicative_budget_pence"] = ["The budget cannot be negative"]
    if errors:
        raise ServiceError(errors)


def save_outcome(
    actor: User, plan: SupportPlan, text: str, how_measured: str, framework_outcome_ids: Iterable[int],
    outcome: PlanOutcome | None = None,
) -> PlanOutcome:  # fmt: skip
    """Add or change a personal outcome and the framework outcomes it is linked to."""
    with transaction.atomic():
        _require_writer(actor, plan)
        if not text.strip():
            raise ServiceError({"text": ["Say what the person wants to achieve"]})
        ids = set(framework_outcome_ids)
        linked = list(FrameworkOutcome.objects.filter(authority=plan.authority, pk__in=ids, retired=False))
        if len(linked) != len(ids):
            raise ServiceError({"framework_outcomes": ["Choose outcomes from this authority's frameworks"]})
        creating = outcome is None
        if outcome is None:
            outcome = PlanOutcome(plan=plan, authority=plan.authority)
        before = {"text": outcome.text, "how_measured": outcome.how_measured,
                  "links": sorted(str(o) for o in outcome.framework_outcomes.all()) if outcome.pk else []}  # fmt: skip
        outcome.text, outcome.how_measured = text.strip(), how_measured.strip()
        outcome.save()
        outcome.framework_outcomes.set(linked)
        after = {
            "text": outcome.text,
            "how_measured": outcome.how_measured,
            "links": sorted(str(o) for o in linked),
        }
        audit.record(
            actor=actor, authority=plan.authority, action=AuditAction.CREATE if creating else AuditAction.CHANGE,
            obj=outcome, reason="Plan outcomes written", changes=audit.diff(before, after), person_id=plan.person_id,
        )  # fmt: skip
        return outcome


def delete_outcome(actor: User, outcome: PlanOutcome) -> None:
    with transaction.atomic():
        _require_writer(actor, outcome.plan)
        audit.record(
            actor=actor, authority=outcome.authority, action=AuditAction.DELETE, obj=outcome,
            reason="Outcome removed from the plan", changes={"text": [outcome.text, None]},
            person_id=outcome.plan.person_id,
        )  # fmt: skip
        outcome.delete()


def save_line(
    actor: User, plan: SupportPlan, data: Mapping[str, Any], line: SpendingLine | None = None
) -> SpendingLine:
    """Add or change a spending line; its yearly cost is worked out here, not taken from the caller.
    A line may name a market entry (``market_service``, ``personal_assistant`` or ``broker``, of the
    plan's authority only); then the market's rate is the unit cost unless ``unit_cost_pence`` is
    given, and the market's unit the unit unless ``unit`` is."""
    with transaction.atomic():
        _require_writer(actor, plan)
        rules, _ = current_rules(plan.authority)
        errors: dict[str, list[str]] = {}
        links, link_errors = market_links(plan, data)
        errors.update(link_errors)
        if links and not str(data.get("unit", "") or "").strip():
            data = {**data, "unit": market_unit(next(iter(links.values())))}
        if data.get("kind") not in LineKind.values:
            errors["kind"] = ["Choose what kind of spending this is"]
        else:
            for name, entry in links.items():
                kind_error = market_kind_error(name, entry, str(data["kind"]))
                if kind_error:
                    errors["kind"] = [kind_error]
        if rules.category(str(data.get("category", ""))) is None:
            errors["category"] = ["Choose one of the spending categories"]
        if data.get("frequency") not in Frequency.values:
            errors["frequency"] = ["Choose how often: per week, month, year or one-off"]
        if not str(data.get("description", "")).strip():
            errors["description"] = ["Describe what the money buys"]
        # A refused market entry is the one thing to put right: the unit and cost it would have
        # given are not asked for as well.
        if not str(data.get("unit", "")).strip() and not link_errors:
            errors["unit"] = ["Say what one unit is, for example hour"]
        quantity = data.get("quantity")
        if not isinstance(quantity, Decimal | int) or Decimal(quantity) <= 0:
            errors["quantity"] = ["Quantity must be more than 0"]
        elif Decimal(quantity) != Decimal(quantity).quantize(Decimal("0.01")) or Decimal(quantity) >= 10**7:
            errors["quantity"] = ["Quantity can have at most 2 decimal places and 7 digits"]
        cost = data.get("unit_cost_pence")
        if cost is None and links:
            cost = market_rate_pence(plan, next(iter(links.values())))
            if cost is None:
                errors["unit_cost_pence"] = [
                    "The market register has no rate for this entry: enter the cost of one unit"
                ]
        if (
            "unit_cost_pence" not in errors
            and not (cost is None and link_errors)
            and (not isinstance(cost, int) or isinstance(cost, bool) or cost < 0)
        ):
            errors["unit_cost_pence"] = ["Cost must be an amount of money, 0 or more"]
        if errors:
            raise ServiceError(errors)
        creating = line is None
        if line is None:
            line = SpendingLine(plan=plan, authority=plan.authority)
        before = audit.snapshot(line, [*LINE_FIELDS, *MARKET_LINKS]) if not creating else {}
        for name in LINE_FIELDS:
            value = data.get(name, "")
            setattr(line, name, value.strip() if isinstance(value, str) else value)
        line.unit_cost_pence = cost  # type: ignore[assignment]
        for name in MARKET_LINKS:
            setattr(line, name, links.get(name))
        if links and not line.supplier:
            line.supplier = str(next(iter(links.values())))[:200]
        line.quantity = Decimal(quantity)  # type: ignore[arg-type]
        line.annual_pence = annual_pence(
            line.unit_cost_pence, line.quantity, line.frequency, rules.weeks_per_year
        )
        line.save()
        audit.record(
            actor=actor, authority=plan.authority, action=AuditAction.CREATE if creating else AuditAction.CHANGE,
            obj=line, reason="Plan spending written",
            changes=audit.diff(before, {**audit.snapshot(line, [*LINE_FIELDS, *MARKET_LINKS]), "annual_pence": line.annual_pence}),
            person_id=plan.person_id,
        )  # fmt: skip
        return line


def market_links(plan: SupportPlan, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The market entries a spending line names (``market_service``, ``personal_assistant`` or
    ``broker``: an id or the row), each only from the plan's own authority and one the budget may
    pay; at most one."""
    found: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, model_name in MARKET_LINKS.items():
        value = data.get(name)
        if value in (None, ""):
            continue
        row = market_entry(plan, model_name, value)
        if row is None:
            errors[name] = [not_in_register(model_name)]
        elif unpayable := market_unpayable_error(row):
            errors[name] = [unpayable]
        else:
            found[name] = row
    if len(found) > 1:
        errors["market"] = [
            "Link the spending to one market entry only: a service, a personal assistant or a broker"
        ]
    return found, errors


def market_register(authority_id: int, model_name: str) -> QuerySet[Any] | None:
    """One authority's entries in a market register, or None when the market app is absent."""
    if not apps.is_installed("selfdirect.market"):
        return None
    return apps.get_model("market", model_name).objects.filter(authority_id=authority_id)


def market_entry(plan: SupportPlan, model_name: str, value: Any) -> Any:
    """Entry ``value`` (an id or the row) of a market register, only from the plan's authority;
    None when it is not one of them."""
    rows = market_register(plan.authority_id, model_name)
    if rows is None:
        return None
    pk = value.pk if isinstance(value, rows.model) else value
    return rows.filter(pk=pk).first() if isinstance(pk, int) and not isinstance(pk, bool) else None


def not_in_register(model_name: str) -> str:
    what = {"Service": "service", "PersonalAssistant": "personal assistant", "Broker": "broker"}[model_name]
    return f"Choose a {what} from this authority's market register"


def market_unpayable_error(entry: Any) -> str:
    """Why the budget cannot pay market ``entry``, or "" when it can. A spending line is money out
    of the budget, so it may not name a broker whose fee the register says is paid another way
    (``Broker.payable_from_budget``); the plan may still record them as who helped write it."""
    if not getattr(entry, "payable_from_budget", True):  # only brokers say
        return (
            f"From the market register: the fee of {entry} cannot be paid from the budget. "
            "Choose another entry, or leave this spending out of the plan"
        )
    return ""


def market_link_kinds(name: str, entry: Any) -> frozenset[str]:
    """The spending kinds a line linked to market ``entry`` (through field ``name``) may have."""
    if name == "market_service" and getattr(entry, "support_type", "") == "equipment":
        return EQUIPMENT_SERVICE_KINDS
    return MARKET_LINK_KINDS[name]


def market_kind_error(name: str, entry: Any, kind: str) -> str:
    """Why a line of ``kind`` cannot be paid to market ``entry``, or "" when it can."""
    allowed = market_link_kinds(name, entry)
    if kind in allowed:
        return ""
    what = {"market_service": "the provider's service", "personal_assistant": "the personal assistant",
            "broker": "the broker"}[name]  # fmt: skip
    wanted = " or ".join(f"'{LineKind(k).label}'" for k in LineKind.values if k in allowed)
    return (
        f"What is it: spending with {what} {entry} must be {wanted}, not '{LineKind(kind).label}'. "
        "Change the kind, or the entry from the market register"
    )


def market_day(plan: SupportPlan) -> dt.date:
    """The day the market's rates for a plan are taken on: its start, else today."""
    return plan.starts_on or timezone.localdate()


def market_rate_pence(plan: SupportPlan, entry: Any) -> int | None:
    """The market's price for one unit of ``entry`` on the plan's start date: a service's standard
    rate from its rate table, a PA's hourly rate, a broker's fee. None when the register has none."""
    model_name = type(entry).__name__
    if model_name == "Service":
        day = market_day(plan)
        in_force = getattr(entry, "rate_tables_in_force", None)  # prefetched for ``day``: market_rows
        table = entry.rate_table_on(day) if in_force is None else next(iter(in_force), None)
        return int(table.standard_pence) if table is not None else None
    if model_name == "PersonalAssistant":
        return None if entry.hourly_rate_pence is None else int(entry.hourly_rate_pence)
    if model_name == "Broker":
        return int(entry.fee_pence) if entry.fee_pence else None
    return None


def market_unit(entry: Any) -> str:
    """The unit the market prices ``entry`` by (hour, visit, night...)."""
    model_name = type(entry).__name__
    if model_name == "Service":
        return str(entry.unit)
    if model_name == "Broker":
        return "hour" if entry.fee_basis == "hour" else "item"
    return "hour"


def delete_line(actor: User, line: SpendingLine) -> None:
    with transaction.atomic():
        _require_writer(actor, line.plan)
        audit.record(
            actor=actor, authority=line.authority, action=AuditAction.DELETE, obj=line,
            reason="Spending removed from the plan", changes={"description": [line.description, None]},
            person_id=line.plan.person_id,
        )  # fmt: skip
        line.delete()


# --- the workflow --------------------------------------------------------------------------------


def next_meeting(authority: Authority, on_or_after: dt.date) -> PanelMeeting:
    """The panel's next weekly meeting on or after a date, on the weekday the rules set."""
    rules, _ = current_rules(authority)
    weekday = WEEKDAYS.index(rules.panel.meeting_weekday)
    day = on_or_after + dt.timedelta(days=(weekday - on_or_after.weekday()) % 7)
    hour, minute = (int(part) for part in rules.panel.meeting_time.split(":"))
    meeting, _ = PanelMeeting.objects.get_or_create(
        authority=authority, meets_on=day,
        defaults={"starts_at": dt.time(hour, minute), "location": rules.panel.meeting_place},
    )  # fmt: skip
    return meeting


def open_referral(plan: SupportPlan) -> PanelReferral | None:
    return plan.referrals.order_by("-referred_at", "-pk").first()


def open_review(plan: SupportPlan) -> Review | None:
    return plan.reviews.filter(held_on__isnull=True).order_by("due_on", "pk").first()


def apply_transition(
    actor: User | None,
    plan: SupportPlan,
    action: str,
    reason: str = "",
    *,
    data: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
) -> PlanTransition | None:
    """Apply one transition from the table in workflow.py. Refuses (TransitionForbidden) if ``actor``
    may not make it on this plan, and (TransitionRefused) if the plan's state or a rule does not allow
    it, with every reason. Repeating the transition just made is a no-op and returns None.
    ``actor`` None is a background job ("system"): it may make only the transitions naming SYSTEM."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionRefused(f"There is no such step as {action!r}")
    data = data or {}
    day = _today(today)
    with transaction.atomic():
        plan = SupportPlan.objects.select_for_update().select_related("person", "authority").get(pk=plan.pk)
        found = frozenset({SYSTEM}) if actor is None else access.capacities(actor, plan)
        caps = found & transition.capacities
        if not caps:
            raise TransitionForbidden(f"Your role does not allow you to {transition.label.lower()}")
        last = plan.transitions.order_by("-at", "-pk").first()
        if plan.state == transition.target and last is not None and last.action == action:
            return None
        if plan.state not in transition.sources:
            allowed = ", ".join(PlanState(s).label.lower() for s in sorted(transition.sources))
            raise TransitionRefused(
                f"The plan is {plan.get_state_display().lower()}; you can {transition.label.lower()} only when it is {allowed}"
            )
        if transition.when and not applies(plan, transition.when):
            raise TransitionRefused(WHEN_REFUSED[transition.when])
        reason = (reason or "").strip() or transition.default_reason
        if not reason:
            raise ServiceError({"reason": ["Give a reason: it is recorded and shown to the person"]})
        before = audit.snapshot(plan, PLAN_FIELDS)
        _GUARDS_AND_EFFECTS[action](actor, plan, reason, data, day)
        from_state, plan.state = plan.state, transition.target
        plan.save()
        step = PlanTransition.objects.create(
            authority=plan.authority, plan=plan, action=action, from_state=from_state, to_state=plan.state,
            actor=actor, actor_label=str(actor) if actor else "system", capacity=sorted(caps)[0],
            at=timezone.now(), reason=reason,
        )  # fmt: skip
        changes = audit.diff(before, audit.snapshot(plan, PLAN_FIELDS))
        changes["state"] = [from_state, plan.state]
        audit.record(
            actor=actor, authority=plan.authority, action=AuditAction.CHANGE, obj=plan,
            reason=f"{transition.label}: {reason}", changes=changes, person_id=plan.person_id,
        )  # fmt: skip
        return step


def _submit(actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
    rules, row = current_rules(plan.authority)
    problems = submission_problems(plan, rules)
    if problems:
        raise TransitionRefused(problems)
    plan.rules_version = row.version_id


def _approve(actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
    rules, row = current_rules(plan.authority)
    problems = submission_problems(plan, rules)
    refer = referral_reasons(plan, rules)
    if refer:
        problems.append(
            "The plan meets the panel referral rules, so refer it to the risk enablement panel: "
            + "; ".join(refer)
        )
    if problems:
        raise TransitionRefused(problems)
    plan.rules_version = row.version_id


def _refer(actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
    rules, _ = current_rules(plan.authority)
    meeting = next_meeting(plan.authority, day)
    referral = PanelReferral.objects.create(
        authority=plan.authority, plan=plan, meeting=meeting, referred_by=actor, referred_at=timezone.now(),
        reasons=[*referral_reasons(plan, rules), f"Co-ordinator: {reason}"],
    )  # fmt: skip
    invite_to_panel(actor, referral, day)


def invite_to_panel(actor: User | None, referral: PanelReferral, day: dt.date) -> list[PanelInvitation]:
    """The plan is on a meeting's agenda: record an invitation for the person and for each of their
    representatives acting on ``day``, with the meeting's date, time and place as sent. Already
    invited ones are kept as they are."""
    meeting = referral.meeting
    if meeting is None:
        return []
    person = referral.plan.person
    reps = person.representatives.filter(starts_on__lte=day).exclude(ends_on__lt=day).order_by("pk")
    made: list[PanelInvitation] = []
    for rep in [None, *reps]:
        invitation, created = PanelInvitation.objects.get_or_create(
            referral=referral, representative=rep,
            defaults={"authority": referral.authority, "person": person,
                      "invitee_name": rep.name if rep is not None else str(person),
                      "meets_on": meeting.meets_on, "meets_at": meeting.starts_at, "place": meeting.location},
        )  # fmt: skip
        if created:
            audit.record(
                actor=actor, authority=referral.authority, action=AuditAction.CREATE, obj=invitation,
                reason=f"Invited to the risk enablement panel on {meeting.meets_on:%-d %B %Y}",
                person_id=person.pk,
            )  # fmt: skip
            made.append(invitation)
    return made


def visible_invitations(user: User, plan: SupportPlan) -> QuerySet[PanelInvitation]:
    """The plan's panel invitations ``user`` may read: workers, the panel and admins see them all;
    the person sees the one addressed to them, a representative the one addressed to them."""
    caps = access.capacities(user, plan)
    found = PanelInvitation.objects.filter(referral__plan=plan).select_related("referral__meeting")
    if caps & {Role.ASSESSOR.value, Role.PLANNER.value, Role.PANEL.value, Role.ADMIN.value}:
        return found
    mine = PanelInvitation.objects.none()
    if Role.PERSON.value in caps:
        mine = mine | found.filter(representative__isnull=True)
    if caps & {Role.REPRESENTATIVE.value, access.VIEWER}:
        mine = mine | found.filter(representative__user=user)
    return mine


def mark_invitation_sent(
    actor: User, invitation: PanelInvitation, how: str, sent_on: dt.date, *, today: dt.date | None = None
) -> None:
    """The panel chair records how and when an invitation was sent."""
    if Role.PANEL not in actor.roles_in(invitation.authority_id):
        raise TransitionForbidden("Only panel members record how an invitation was sent")
    errors: dict[str, list[str]] = {}
    if how not in InvitationSent.values:
        errors["sent_how"] = ["Choose how the invitation was sent"]
    if sent_on > _today(today):
        errors["sent_on"] = ["The date it was sent cannot be in the future"]
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        before = audit.snapshot(invitation, ["sent_how", "sent_on"])
        invitation.sent_how, invitation.sent_on, invitation.sent_by = how, sent_on, actor
        invitation.save(update_fields=["sent_how", "sent_on", "sent_by"])
        audit.record(
            actor=actor, authority=invitation.authority, action=AuditAction.CHANGE, obj=invitation,
            reason="Panel invitation sent", person_id=invitation.person_id,
            changes=audit.diff(before, audit.snapshot(invitation, ["sent_how", "sent_on"])),
        )  # fmt: skip


def _panel(decision: str) -> Any:
    def effect(actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
        referral = open_referral(plan)
        if referral is None or referral.meeting_id is None:
            raise TransitionRefused("The plan is not on a panel meeting's agenda")
        conditions = str(data.get("conditions", "")).strip()
        if decision == PanelDecision.CONDITIONS and not conditions:
            raise ServiceError({"conditions": ["Write the conditions the panel set"]})
        referral.decision, referral.conditions = decision, conditions
        referral.minutes = str(data.get("minutes", "")).strip() or reason
        referral.decided_by, referral.decided_at = actor, timezone.now()
        referral.save()
        plan.conditions = conditions

    return effect


def waiting_appeal(plan: SupportPlan) -> Appeal | None:
    return plan.appeals.filter(outcome="").select_related("referral").order_by("-lodged_at", "-pk").first()


def applies(plan: SupportPlan, when: str) -> bool:
    """Whether a transition's extra condition (workflow.Transition.when) holds for ``plan`` now."""
    if not when:
        return True
    if when == "panel_decision_appealable":
        referral = open_referral(plan)
        wanted = PanelDecision.CONDITIONS if plan.state == PlanState.APPROVED else PanelDecision.NOT_APPROVED
        return referral is not None and referral.decision == wanted
    appeal = waiting_appeal(plan)
    against = appeal.referral.decision if appeal is not None else None
    if when == "appeal_against_refusal":
        return against == PanelDecision.NOT_APPROVED
    if when == "appeal_against_conditions":
        return against == PanelDecision.CONDITIONS
    raise ValueError(f"unknown transition condition {when!r}")  # pragma: no cover - a table typo


def next_steps(plan: SupportPlan, capacities: frozenset[str]) -> list[Transition]:
    """The transitions someone in ``capacities`` may offer to make on ``plan`` now: those from its
    state whose extra condition holds (the other guards are checked when one is made)."""
    return [t for t in available(plan.state, capacities) if applies(plan, t.when)]


WHEN_REFUSED = {
    "panel_decision_appealable": "Only a panel decision can be appealed: not approved, or approved with conditions",
    "appeal_against_refusal": "The appeal is against the panel's conditions: dismissing it leaves the plan approved with them",
    "appeal_against_conditions": "The appeal is against the panel not approving the plan: dismiss it with 'Dismiss the appeal'",
}  # fmt: skip


def _appeal(actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
    referral = open_referral(plan)
    assert referral is not None  # the transition's "when" (panel_decision_appealable) was checked
    if referral.appeals.exists():
        raise TransitionRefused("This decision has already been appealed; the appeal's outcome stands")
    Appeal.objects.create(authority=plan.authority, plan=plan, referral=referral, lodged_by=actor,
                          lodged_at=timezone.now(), grounds=reason)  # fmt: skip


def _hear(outcome: str) -> Any:
    def effect(actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
        appeal = waiting_appeal(plan)
        if appeal is None:
            raise TransitionRefused("There is no appeal waiting")
        if appeal.referral.decided_by_id == actor.pk:
            raise TransitionForbidden("An appeal must be heard by someone who did not make the decision")
        if appeal.referral.decision == PanelDecision.CONDITIONS and outcome == "upheld":
            # Upheld against a condition: the conditions are lifted, or replaced by what the hearer sets.
            plan.conditions = str(data.get("conditions", "")).strip()
        appeal.heard_by, appeal.outcome, appeal.notes, appeal.decided_at = (
            actor,
            outcome,
            reason,
            timezone.now(),
        )
        appeal.save()

    return effect


def _activate(actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
    rules, _ = current_rules(plan.authority)
    if plan.starts_on is None or plan.starts_on < day:
        plan.starts_on = day
    plan.ledger_budget_ref = deploy_money(actor, plan, reason)
    _schedule(plan, rules, plan.starts_on)


def _start_review(actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
    if open_review(plan) is None:
        Review.objects.create(authority=plan.authority, plan=plan, kind=ReviewKind.REQUESTED, due_on=day)


def _complete_review(
    actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date
) -> None:
    review = plan.reviews.filter(held_on__isnull=False).order_by("-held_on", "-pk").first()
    if open_review(plan) is not None and (review is None or review.held_on is None):
        raise TransitionRefused("Record the review (progress on each outcome) before finishing it")
    if review is None:
        raise TransitionRefused("Record the review (progress on each outcome) before finishing it")
    rules, _ = current_rules(plan.authority)
    if review.reassessment_needed and review.new_budget_pence is not None:
        plan.indicative_budget_pence = review.new_budget_pence
        plan.budget_source = (
            review.new_budget_source or f"Reassessed at the review on {review.held_on:%-d %B %Y}"
        )
        refs = reassess_money(actor, plan, review.new_budget_pence, review.held_on or day, reason)
        plan.ledger_budget_ref = refs or plan.ledger_budget_ref
    if review.risk_level:
        plan.risk_level = review.risk_level
    _schedule(plan, rules, review.held_on or day)


def _give_notice(actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
    review = plan.reviews.filter(held_on__isnull=False).order_by("-held_on", "-pk").first()
    unmet = review is not None and review.answers.filter(progress=Progress.NOT_AT_ALL).exists()
    if not unmet:
        raise TransitionRefused(
            "Funding can be withdrawn only after a review finds outcomes are not being met"
        )
    rules, _ = current_rules(plan.authority)
    plan.withdrawal_reason = reason
    plan.funding_ends_on = day + dt.timedelta(days=rules.withdrawal_notice_days)


def _rescind(actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
    plan.funding_ends_on, plan.withdrawal_reason = None, ""


def _end(actor: User | None, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
    if actor is None and not notice_expired(plan, day):
        raise TransitionRefused(
            "A plan ends by itself only when its withdrawal notice has run out: a worker ends it otherwise"
        )
    stop_money(actor, plan, day if plan.funding_ends_on is None else min(plan.funding_ends_on, day), reason)
    plan.review_on = None
    plan.reviews.filter(held_on__isnull=True).delete()
    plan.visits.filter(visited_on__isnull=True).delete()


def notice_expired(plan: SupportPlan, day: dt.date) -> bool:
    """Whether the plan's withdrawal notice has run out by ``day``: funding ends on
    ``funding_ends_on``, so the plan ends on that day."""
    return (
        plan.state == PlanState.WITHDRAWAL_NOTICE
        and plan.funding_ends_on is not None
        and plan.funding_ends_on <= day
    )


@dataclass(frozen=True)
class EndedPlan:
    plan_id: int
    person: str
    funding_ended_on: dt.date
    outcome: str  # "ended" or "refused: <why>"


def end_withdrawn_plans(
    authority: Authority | None = None, *, today: dt.date | None = None
) -> list[EndedPlan]:
    """End every plan whose withdrawal notice has run out by ``today`` (all authorities unless one
    is named), each through the workflow's "end" step made by the system (actor None), each in its
    own transaction. Running it again ends nothing more: an ended plan is no longer under notice.
    Returns one line per plan found, ended or refused with the reason."""
    day = _today(today)
    due = SupportPlan.objects.filter(
        state=PlanState.WITHDRAWAL_NOTICE, funding_ends_on__isnull=False, funding_ends_on__lte=day
    ).select_related("person")
    if authority is not None:
        due = due.filter(authority=authority)
    done: list[EndedPlan] = []
    for plan in due.order_by("funding_ends_on", "pk"):
        ends_on = plan.funding_ends_on
        assert ends_on is not None
        why = f"The withdrawal notice ran out on {ends_on:%-d %B %Y}"
        if plan.withdrawal_reason:
            why += f": {plan.withdrawal_reason}"
        try:
            step = apply_transition(None, plan, "end", why, today=day)
        except (TransitionRefused, ServiceError) as refused:
            done.append(EndedPlan(plan.pk, str(plan.person), ends_on, f"refused: {refused}"))
            continue
        done.append(EndedPlan(plan.pk, str(plan.person), ends_on, "ended" if step else "already ended"))
    return done


def notices_ending(
    authority: Authority, *, today: dt.date | None = None, within_days: int = 14
) -> QuerySet[SupportPlan]:
    """Plans under a withdrawal notice whose funding ends within ``within_days`` (ran out included)."""
    limit = _today(today) + dt.timedelta(days=within_days)
    return (
        SupportPlan.objects.filter(
            authority=authority, state=PlanState.WITHDRAWAL_NOTICE, funding_ends_on__lte=limit
        )
        .select_related("person")
        .order_by("funding_ends_on", "pk")
    )


def _nothing(actor: User, plan: SupportPlan, reason: str, data: Mapping[str, Any], day: dt.date) -> None:
    return None


_GUARDS_AND_EFFECTS: dict[str, Any] = {
    "submit": _submit, "return": _nothing, "redraft": _nothing, "approve": _approve, "refer": _refer,
    "panel_approve": _panel(PanelDecision.APPROVED), "panel_conditions": _panel(PanelDecision.CONDITIONS),
    "panel_decline": _panel(PanelDecision.NOT_APPROVED), "appeal": _appeal,
    "uphold_appeal": _hear("upheld"), "dismiss_appeal": _hear("dismissed"),
    "dismiss_condition_appeal": _hear("dismissed"), "activate": _activate,
    "start_review": _start_review, "complete_review": _complete_review, "give_notice": _give_notice,
    "rescind_notice": _rescind, "end": _end,
}  # fmt: skip
assert set(_GUARDS_AND_EFFECTS) == set(TRANSITIONS)


def _schedule(plan: SupportPlan, rules: policy.PlansPolicy, start: dt.date) -> None:
    """Set the next review and the light-touch visits until then, from the rules."""
    total = plan.annual_total_pence
    months, why = rules.review_interval_months(total, plan.risk_level)
    plan.review_on = add_months(start, months)
    plan.review_reason = f"Every {months} months: {why} ({rules.id})"
    plan.visits_per_year = rules.visits_per_year(total, plan.risk_level)
    plan.reviews.filter(held_on__isnull=True).delete()
    Review.objects.create(authority=plan.authority, plan=plan, due_on=plan.review_on)
    plan.visits.filter(visited_on__isnull=True).delete()
    if plan.visits_per_year:
        step = 12 // plan.visits_per_year if plan.visits_per_year <= 12 else 1
        day = add_months(start, step)
        while day < plan.review_on:
            MonitoringVisit.objects.create(authority=plan.authority, plan=plan, due_on=day)
            day = add_months(day, step)


# --- panel, reviews, refusals -----------------------------------------------------------------------


def record_attendance(actor: User, referral: PanelReferral, attendance: str, attendee_name: str) -> None:
    """Record whether the person (or someone for them) came to the panel."""
    if attendance not in Attendance.values:
        raise ServiceError({"attendance": ["Choose who came"]})
    if Role.PANEL not in actor.roles_in(referral.authority_id):
        raise TransitionForbidden("Only panel members record attendance")
    with transaction.atomic():
        before = audit.snapshot(referral, ["attendance", "attendee_name"])
        referral.attendance, referral.attendee_name = attendance, attendee_name.strip()
        referral.save(update_fields=["attendance", "attendee_name"])
        audit.record(
            actor=actor, authority=referral.authority, action=AuditAction.CHANGE, obj=referral,
            reason="Panel attendance recorded", changes=audit.diff(before, audit.snapshot(referral, ["attendance", "attendee_name"])),
            person_id=referral.plan.person_id,
        )  # fmt: skip


def save_minutes(actor: User, meeting: PanelMeeting, minutes: str) -> None:
    if Role.PANEL not in actor.roles_in(meeting.authority_id):
        raise TransitionForbidden("Only panel members write the minutes")
    with transaction.atomic():
        before = meeting.minutes
        meeting.minutes = minutes.strip()
        meeting.save(update_fields=["minutes"])
        audit.record(actor=actor, authority=meeting.authority, action=AuditAction.CHANGE, obj=meeting,
                     reason="Panel minutes written", changes=audit.diff({"minutes": before}, {"minutes": meeting.minutes}))  # fmt: skip


def record_review(
    actor: User,
    review: Review,
    answers: Mapping[int, tuple[str, str]],
    *,
    risk_level: str,
    money_notes: str = "",
    notes: str = "",
    reassessment_needed: bool = False,
    new_budget_pence: int | None = None,
    held_on: dt.date | None = None,
) -> Review:
    """Record a review: progress on every outcome ('Have you achieved it?') and what follows."""
    plan = SupportPlan.objects.select_related("person").get(pk=review.plan_id)
    if Role.ASSESSOR.value not in access.capacities(actor, plan):
        raise TransitionForbidden("Only the person's co-ordinator records a review")
    if plan.state != PlanState.UNDER_REVIEW:
        raise TransitionRefused("Start the review first")
    errors: dict[str, list[str]] = {}
    outcome_ids = set(plan.outcomes.values_list("pk", flat=True))
    missing = outcome_ids - {k for k, (p, _) in answers.items() if p}
    if missing:
        errors["answers"] = [f"Say how far each outcome has been achieved ({len(missing)} not answered)"]
    if any(p not in Progress.values for p, _ in answers.values() if p):
        errors["answers"] = ["Progress must be not at all, partly, mostly or fully"]
    if set(answers) - outcome_ids:
        errors["answers"] = ["Answer only this plan's outcomes"]
    if risk_level not in RiskLevel.values:
        errors["risk_level"] = ["Choose the risk level now"]
    if new_budget_pence is not None and (new_budget_pence < 0 or not reassessment_needed):
        errors["new_budget_pence"] = ["A new budget follows a reassessment, and cannot be negative"]
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        review.held_on, review.reviewer, review.risk_level = (
            held_on or timezone.localdate(),
            actor,
            risk_level,
        )
        review.money_notes, review.notes = money_notes.strip(), notes.strip()
        review.reassessment_needed, review.new_budget_pence = reassessment_needed, new_budget_pence
        if new_budget_pence is not None:
            review.new_budget_source = reassessed_budget_source(plan.person, new_budget_pence, review.held_on)
        review.save()
        review.answers.all().delete()
        ReviewOutcome.objects.bulk_create(
            ReviewOutcome(review=review, outcome_id=k, progress=p, notes=n.strip())
            for k, (p, n) in answers.items()
        )
        audit.record(
            actor=actor, authority=plan.authority, action=AuditAction.CHANGE, obj=review, reason="Review recorded",
            changes={"progress": [None, {str(k): p for k, (p, _) in answers.items()}], "risk_level": [None, risk_level]},
            person_id=plan.person_id,
        )  # fmt: skip
        return review


VISITABLE = {PlanState.ACTIVE, PlanState.UNDER_REVIEW, PlanState.WITHDRAWAL_NOTICE}


def schedule_visit(
    actor: User, plan: SupportPlan, due_on: dt.date, reason: str, *, today: dt.date | None = None
) -> MonitoringVisit:
    """Add a light-touch visit to a running plan's schedule (the regular ones follow the rules:
    ``_schedule`` sets them from budget size and last risk level at activation and at each review)."""
    if Role.ASSESSOR.value not in access.capacities(actor, plan):
        raise TransitionForbidden("Only the person's co-ordinator schedules a visit")
    if plan.state not in VISITABLE:
        raise TransitionRefused(
            f"The plan is {plan.get_state_display().lower()}: visits are for plans whose money is deployed"
        )
    errors: dict[str, list[str]] = {}
    if due_on < _today(today):
        errors["due_on"] = ["The visit date must be today or later"]
    if not reason.strip():
        errors["reason"] = ["Say why the visit is needed"]
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        visit = MonitoringVisit.objects.create(authority=plan.authority, plan=plan, due_on=due_on)
        audit.record(
            actor=actor, authority=plan.authority, action=AuditAction.CREATE, obj=visit,
            reason=f"Light-touch visit scheduled: {reason.strip()}", changes={"due_on": [None, str(due_on)]},
            person_id=plan.person_id,
        )  # fmt: skip
        return visit


def record_visit(
    actor: User, visit: MonitoringVisit, visited_on: dt.date, notes: str, *, today: dt.date | None = None
) -> None:
    """Record that a light-touch visit happened, when, and what was found."""
    plan = visit.plan
    if Role.ASSESSOR.value not in access.capacities(actor, plan):
        raise TransitionForbidden("Only the person's co-ordinator records a visit")
    if plan.state not in VISITABLE:
        raise TransitionRefused(f"The plan is {plan.get_state_display().lower()}: its visits are closed")
    errors: dict[str, list[str]] = {}
    if visited_on > _today(today):
        errors["visited_on"] = ["The visit date cannot be in the future"]
    if plan.starts_on is not None and visited_on < plan.starts_on:
        errors["visited_on"] = [
            f"The visit date must be on or after the plan started ({plan.starts_on:%-d %B %Y})"
        ]
    if not notes.strip():
        errors["notes"] = ["Say what you found"]
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        before = audit.snapshot(visit, ["visited_on", "notes"])
        visit.visited_on, visit.notes = visited_on, notes.strip()
        visit.save()
        audit.record(actor=actor, authority=visit.authority, action=AuditAction.CHANGE, obj=visit,
                     reason="Light-touch visit recorded", changes=audit.diff(before, audit.snapshot(visit, ["visited_on", "notes"])),
                     person_id=plan.person_id)  # fmt: skip


def visits_due(
    authority: Authority, *, today: dt.date | None = None, within_days: int = 30
) -> QuerySet[MonitoringVisit]:
    """Light-touch visits not yet made that fall due within ``within_days`` (overdue included)."""
    limit = _today(today) + dt.timedelta(days=within_days)
    return MonitoringVisit.objects.filter(
        authority=authority, visited_on__isnull=True, due_on__lte=limit, plan__state__in=VISITABLE
    ).select_related("plan", "plan__person")


def record_refusal(
    actor: User, person: Person, reason: str, notes: str = "", *, today: dt.date | None = None
) -> Refusal:
    """Someone declined a personal budget: record why and when to check back (seed 001)."""
    if not access.person_capacities(actor, person) & {Role.ASSESSOR.value, Role.PLANNER.value}:
        raise TransitionForbidden("Only the person's workers record a refusal")
    if reason not in RefusalReason.values:
        raise ServiceError({"reason": ["Choose why they declined"]})
    rules, _ = current_rules(person.authority)
    day = _today(today)
    with transaction.atomic():
        refusal = Refusal.objects.create(
            authority=person.authority, person=person, reason=reason, notes=notes.strip(), recorded_by=actor,
            recorded_on=day, follow_up_on=day + dt.timedelta(days=rules.refusal_follow_up_days),
        )  # fmt: skip
        audit.record(actor=actor, authority=person.authority, action=AuditAction.CREATE, obj=refusal,
                     reason=f"Declined a personal budget: {refusal.get_reason_display()}", person_id=person.pk)  # fmt: skip
        return refusal


def follow_up_refusal(actor: User, refusal: Refusal, notes: str, *, today: dt.date | None = None) -> None:
    if not access.person_capacities(actor, refusal.person) & {Role.ASSESSOR.value, Role.PLANNER.value}:
        raise TransitionForbidden("Only the person's workers follow up a refusal")
    if not notes.strip():
        raise ServiceError({"follow_up_notes": ["Say what they told you"]})
    with transaction.atomic():
        refusal.followed_up_on, refusal.follow_up_notes = _today(today), notes.strip()
        refusal.save()
        audit.record(actor=actor, authority=refusal.authority, action=AuditAction.CHANGE, obj=refusal,
                     reason="Refusal followed up", person_id=refusal.person_id)  # fmt: skip


def reviews_due(
    authority: Authority, *, today: dt.date | None = None, within_days: int = 30
) -> QuerySet[Review]:
    """Reviews not yet held that fall due within ``within_days`` (overdue ones included)."""
    limit = _today(today) + dt.timedelta(days=within_days)
    return (
        Review.objects.filter(authority=authority, held_on__isnull=True, due_on__lte=limit)
        .exclude(plan__state=PlanState.ENDED)
        .select_related("plan", "plan__person")
    )


def refusals_due(authority: Authority, *, today: dt.date | None = None) -> QuerySet[Refusal]:
    return Refusal.objects.filter(
        authority=authority, followed_up_on__isnull=True, follow_up_on__lte=_today(today)
    ).select_related("person")


# --- integration with other apps (kept here, small and isolated) ----------------------------------


def latest_indicative_budget(person: Person) -> tuple[int, str, Any]:
    """The person's latest indicative budget (pence a year), how it was worked out, and the
    allocation row (None when the allocation app has none: a worker then enters the figure)."""
    if apps.is_installed("selfdirect.allocation"):
        Allocation = apps.get_model("allocation", "Allocation")
        latest = Allocation.objects.filter(person=person).select_related("policy_version").first()
        if latest is not None:
            return (
                int(latest.total_annual_pence),
                (
                    f"Indicative budget {latest.pk} of {latest.on:%-d %B %Y} under policy {latest.policy_version}"
                ),
                latest,
            )
    return 0, "No indicative budget yet: enter the figure the co-ordinator gave", None


def reassessed_budget_source(person: Person, pence: int, on: dt.date) -> str:
    budget, source, allocation = latest_indicative_budget(person)
    if allocation is not None and budget == pence:
        return f"Reassessed: {source}"
    return f"Reassessed at the review on {on:%-d %B %Y}: {format_pence(pence)} a year"


LEDGER_ROUTES = {
    Deployment.DIRECT_PAYMENT: ["direct_payment"], Deployment.COUNCIL_MANAGED: ["council_managed"],
    Deployment.THIRD_PARTY: ["third_party"], Deployment.ISF: ["isf"], Deployment.VIRTUAL: ["virtual"],
    Deployment.MIX: [],  # a mix's routes and shares are the authority's plan rules (money.mix_shares)
}  # fmt: skip


def _running_budgets(plan: SupportPlan, on: dt.date) -> list[Any]:
    """The ledger budgets deployed for this plan that are still paying on ``on``."""
    if not apps.is_installed("selfdirect.ledger") or not plan.ledger_budget_ref:
        return []
    Budget = apps.get_model("ledger", "Budget")
    ids = [int(pk) for pk in plan.ledger_budget_ref.split(",") if pk.strip().isdigit()]
    return list(
        Budget.objects.filter(
            pk__in=ids, status__in=["agreed", "active"], period_start__lte=on, period_end__gte=on
        ).order_by("pk")
    )


def _refused_by_ledger(budget: Any, refused: ServiceError) -> TransitionRefused:
    return TransitionRefused([f"Budget {budget.pk}: {m}" for ms in refused.errors.values() for m in ms])


def stop_money(actor: User | None, plan: SupportPlan, on: dt.date, reason: str) -> None:
    """When a plan ends (a worker ends it, or its withdrawal notice runs out), the money it deployed
    stops from ``on``: what was paid stands, nothing more is paid (leftovers go at period close)."""
    running = _running_budgets(plan, on)
    if not running:
        return
    from selfdirect.ledger import services as ledger

    why = f"Support plan {plan.pk} ended: {reason}"
    for budget in running:
        try:
            ledger.end_budget(actor, budget, on=on, reason=why)
        except ServiceError as refused:
            raise _refused_by_ledger(budget, refused) from refused


def reassess_money(actor: User, plan: SupportPlan, new_annual_pence: int, on: dt.date, reason: str) -> str:
    """A review that reassessed the person changes the money from that day (seed 004 Q5: budgets
    change at reassessment, not with short-term fluctuation). Each running ledger budget deployed for
    this plan is replaced; a new total across several streams is split in proportion to their
    current figures without losing a penny. Returns the new ledger budget ids ("" if nothing ran).

    A one-off grant (an adaptation, equipment) is not ongoing support: it stands as agreed, and the
    new figure is the yearly figure of the support paid in instalments."""
    running = [b for b in _running_budgets(plan, on) if b.frequency != "once"]
    if not running:
        return ""
    from selfdirect.ledger import services as ledger

    current = [b.agreed_annual_pence for b in running]
    shares = split_pence(new_annual_pence, current if sum(current) else [1] * len(running))
    why = f"Review of support plan {plan.pk} on {on:%-d %B %Y}: {reason}"
    new_ids = []
    for budget, share in zip(running, shares, strict=True):
        if share == budget.agreed_annual_pence:
            new_ids.append(budget.pk)
            continue
        try:
            new = ledger.reassess_budget(
                actor, budget, on=on, agreed_annual_pence=share, reason=why, approved_by_ref=plan,
                indicative_pence=share,  # this stream's part of the new indicative figure
                plan_cost_pence=plan.annual_total_pence if len(running) == 1 else None,
            )  # fmt: skip
        except ServiceError as refused:
            raise _refused_by_ledger(budget, refused) from refused
        new_ids.append(new.pk)
    return ",".join(str(pk) for pk in new_ids)


def _plan_streams(plan: SupportPlan, start: dt.date) -> list[tuple[str, int, dict[str, Any] | None]]:
    """(stream, its share of the allocation in pence a year, how it is paid) for each funding stream of
    the plan's indicative budget that holds money; with no allocation, the first stream of the
    authority's allocation policy in force, level."""
    allocation = plan.allocation if plan.allocation_id is not None else None
    if allocation is not None:
        explained = (allocation.explanation or {}).get("streams", {})
        found = [
            (row.stream, int(row.annual_pence), (explained.get(row.stream) or {}).get("schedule"))
            for row in allocation.streams.order_by("pk") if row.annual_pence > 0
        ]  # fmt: skip
        if found:
            return found
    stream = "adult_social_care"
    if apps.is_installed("selfdirect.allocation"):
        from selfdirect.allocation.services import newest_first, policy_for, version_in_force

        version = version_in_force(newest_first(plan.authority), start)
        if version is not None:
            stream = next(iter(policy_for(version).model.streams), stream)
    return [(stream, 1, None)]


def _draft_from_plan(actor: User, plan: SupportPlan, start: dt.date, ledger: Any) -> list[Any]:
    """The ledger budgets an approved plan drafts when finance has drafted none (see deploy_money)."""
    rules, _ = current_rules(plan.authority)
    deployment = Deployment(plan.deployment or Deployment.COUNCIL_MANAGED)
    if deployment == Deployment.MIX:
        if rules.money is None:
            raise ServiceError({"deployment": [
                f"The plan rules ({rules.id}) do not say how a mix is split: finance must draft the budget"
            ]})  # fmt: skip
        routes: list[dict[str, Any]] = [
            {"route": route, "share": share} for route, share in rules.money.mix_shares.items()
        ]
    else:
        routes = [{"route": LEDGER_ROUTES[deployment][0]}]
    frequency = rules.money.frequency if rules.money is not None else "four_weekly"
    streams = _plan_streams(plan, start)
    amounts = split_pence(plan.indicative_budget_pence, [max(pence, 1) for _, pence, _ in streams])
    end = add_months(start, 12) - dt.timedelta(days=1)
    drafts = []
    for (stream, _, paid), pence in zip(streams, amounts, strict=True):
        paid = paid or {}
        drafts.append(ledger.create_budget(
            actor, plan.person, stream=stream, period_start=start, period_end=end, agreed_annual_pence=pence,
            starts_on=start, frequency="once" if paid.get("once") else frequency, deployments=routes,
            indicative_pence=pence, source=f"Support plan {plan.pk}", allocation_ref=str(plan.allocation_id or ""),
            plan_cost_pence=plan.annual_total_pence if len(streams) == 1 else None,
            phases=paid.get("phases"), reason=f"Drafted from support plan {plan.pk}",
        ))  # fmt: skip
    return drafts


def deploy_money(actor: User, plan: SupportPlan, reason: str) -> str:
    """Money deployed: the ledger's budgets for the person are agreed against this plan (its draft
    budgets if a worker drafted them, else drafted here from the plan). Returns the ledger budget
    ids, or "" when the ledger app is not installed.

    Drafted here: a budget for each funding stream of the plan's indicative budget that holds money,
    the plan's figure split between them in proportion to the allocation, each paid the way its
    allocation says (the phases of a tapering stream, a one-off grant once), for a year from the
    plan's start; held as the plan says, a "mix" split as the authority's plan rules say."""
    if not apps.is_installed("selfdirect.ledger"):
        return ""
    from selfdirect.ledger import services as ledger

    Budget = apps.get_model("ledger", "Budget")
    drafts = list(Budget.objects.filter(person=plan.person, status="draft"))
    start = plan.starts_on or timezone.localdate()
    running = Budget.objects.filter(
        person=plan.person, status__in=["agreed", "active"], period_start__lte=start, period_end__gt=start
    )
    if not drafts and running.exists():  # already agreed for this period (e.g. by finance): point at it
        return ",".join(str(pk) for pk in running.values_list("pk", flat=True))
    if not drafts:
        drafts = _draft_from_plan(actor, plan, start, ledger)
    for budget in drafts:
        ledger.agree_budget(actor, budget, plan, f"Support plan {plan.pk} approved: {reason}")
    return ",".join(str(b.pk) for b in drafts)
