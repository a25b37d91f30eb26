"""What can be done with budgets and money. Views, the API, the CLI and other apps (support
plans call :func:`agree_budget`) call these; each runs in a database transaction with its audit
event, and posts to the ledger only through :mod:`selfdirect.ledger.books`.

One module per sub-domain; this package re-exports their public names, so callers import
``selfdirect.ledger.services`` and need not know which module does what. The modules import one
another one way only: ``common`` at the bottom; ``reassessment`` uses ``budgets``; ``charging``
and ``figures`` use ``clawback``.
"""

from .budgets import (
    BUDGET_AUDIT_FIELDS,
    BUDGET_YEARS_AHEAD,
    BUDGET_YEARS_BACK,
    agree_budget,
    check_plan_cost,
    create_budget,
    phases_as_paid,
    schedule_phases_total,
)
from .charging import ChargingSummary, assess_charge, charging_summary, receive_contribution
from .clawback import (
    ClawbackPosition,
    clawback_position,
    clawback_repayments,
    person_clawback_position,
    receive_clawback,
)
from .close import CLOSE_BATCH, CLOSE_LINE_COLUMNS, CloseResult, close_period, close_refusal
from .common import parse_period
from .corrections import reverse_transaction
from .disputes import DISPUTE_TRANSITIONS, decide_dispute, open_dispute
from .figures import BudgetStatement, statement
from .reassessment import end_budget, reassess_budget
from .runs import (
    NOT_AGREED_REASON,
    RUN_LEASE,
    RunBusy,
    RunMoney,
    RunRefused,
    due_instalments,
    execute_run,
    not_agreed,
    payment_file,
    reconciliation,
    remittances,
    run_money,
    start_run,
)
from .spending import (
    MAX_STATEMENT_BYTES,
    STATEMENT_COLUMNS,
    NeedsConfirmation,
    match_plan_line,
    parse_statement_csv,
    plan_lines,
    plan_match,
    record_spend,
    record_spends,
    upload_statement,
    upload_statement_file,
)

__all__ = [
    "BUDGET_AUDIT_FIELDS",
    "BUDGET_YEARS_AHEAD",
    "BUDGET_YEARS_BACK",
    "CLOSE_BATCH",
    "CLOSE_LINE_COLUMNS",
    "DISPUTE_TRANSITIONS",
    "MAX_STATEMENT_BYTES",
    "NOT_AGREED_REASON",
    "RUN_LEASE",
    "STATEMENT_COLUMNS",
    "BudgetStatement",
    "ChargingSummary",
    "ClawbackPosition",
    "CloseResult",
    "NeedsConfirmation",
    "RunBusy",
    "RunMoney",
    "RunRefused",
    "agree_budget",
    "assess_charge",
    "charging_summary",
    "check_plan_cost",
    "clawback_position",
    "clawback_repayments",
    "close_period",
    "close_refusal",
    "create_budget",
    "decide_dispute",
    "due_instalments",
    "end_budget",
    "execute_run",
    "match_plan_line",
    "not_agreed",
    "open_dispute",
    "parse_period",
    "parse_statement_csv",
    "payment_file",
    "person_clawback_position",
    "phases_as_paid",
    "plan_lines",
    "plan_match",
    "reassess_budget",
    "receive_clawback",
    "receive_contribution",
    "reconciliation",
    "record_spend",
    "record_spends",
    "remittances",
    "run_money",
    "reverse_transaction",
    "schedule_phases_total",
    "start_run",
    "statement",
    "upload_statement",
    "upload_statement_file",
]
