"""What can be done to support plans. Views, the API, the CLI and other apps call these; each change
is written in one transaction with its audit event. :func:`apply_transition` is the only way a plan
changes state.

One module per sub-domain; this package re-exports their public names, so callers import
``selfdirect.plans.services`` and need not know which module does what. The modules import one
another one way only: ``common``, ``policies``, ``checks`` and ``market`` at the bottom; ``money``
uses ``policies``; ``writing``, ``panel``, ``reviews`` and ``refusals`` sit above them; ``effects``
(what each transition does) uses those; ``transitions`` applies the effects; ``notices`` ends plans
through ``transitions``.
"""

from .checks import (
    RISK_QUESTIONS,
    BudgetCheck,
    annual_pence,
    check_budget,
    referral_reasons,
    submission_problems,
)
from .common import PLAN_FIELDS
from .effects import notice_expired
from .market import (
    EQUIPMENT_SERVICE_KINDS,
    MARKET_LINK_KINDS,
    MARKET_LINKS,
    market_day,
    market_entry,
    market_kind_error,
    market_link_kinds,
    market_links,
    market_rate_pence,
    market_register,
    market_unit,
    market_unpayable_error,
    not_in_register,
)
from .money import (
    LEDGER_ROUTES,
    deploy_money,
    latest_indicative_budget,
    reassess_money,
    reassessed_budget_source,
    stop_money,
)
from .notices import EndedPlan, end_withdrawn_plans, notices_ending
from .panel import (
    WEEKDAYS,
    invite_to_panel,
    mark_invitation_sent,
    next_meeting,
    open_referral,
    record_attendance,
    save_minutes,
    visible_invitations,
    waiting_appeal,
)
from .policies import LoadSummary, current_rules, load_policies, policies_root
from .refusals import follow_up_refusal, record_refusal, refusals_due
from .reviews import (
    VISITABLE,
    open_review,
    record_review,
    record_visit,
    reviews_due,
    schedule_visit,
    visits_due,
)
from .transitions import WHEN_REFUSED, applies, apply_transition, next_steps
from .writing import (
    LINE_FIELDS,
    create_plan,
    delete_line,
    delete_outcome,
    save_line,
    save_outcome,
    update_plan,
)

__all__ = [
    "EQUIPMENT_SERVICE_KINDS",
    "LEDGER_ROUTES",
    "LINE_FIELDS",
    "MARKET_LINKS",
    "MARKET_LINK_KINDS",
    "PLAN_FIELDS",
    "RISK_QUESTIONS",
    "VISITABLE",
    "WEEKDAYS",
    "WHEN_REFUSED",
    "BudgetCheck",
    "EndedPlan",
    "LoadSummary",
    "annual_pence",
    "applies",
    "apply_transition",
    "check_budget",
    "create_plan",
    "current_rules",
    "delete_line",
    "delete_outcome",
    "deploy_money",
    "end_withdrawn_plans",
    "follow_up_refusal",
    "invite_to_panel",
    "latest_indicative_budget",
    "load_policies",
    "mark_invitation_sent",
    "market_day",
    "market_entry",
    "market_kind_error",
    "market_link_kinds",
    "market_links",
    "market_rate_pence",
    "market_register",
    "market_unit",
    "market_unpayable_error",
    "next_meeting",
    "next_steps",
    "not_in_register",
    "notice_expired",
    "notices_ending",
    "open_referral",
    "open_review",
    "policies_root",
    "reassess_money",
    "reassessed_budget_source",
    "record_attendance",
    "record_refusal",
    "record_review",
    "record_visit",
    "referral_reasons",
    "refusals_due",
    "reviews_due",
    "save_line",
    "save_minutes",
    "save_outcome",
    "schedule_visit",
    "stop_money",
    "submission_problems",
    "update_plan",
    "visible_invitations",
    "visits_due",
    "waiting_appeal",
]
