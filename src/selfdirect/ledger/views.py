"""Money pages. Each view finds its rows through their scope in access.py (what a user may not see
is a 404), checks the action's permission (403) and calls a service."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from selfdirect.allocation import services as allocation
from selfdirect.core import registry, words
from selfdirect.core.dates import format_date
from selfdirect.core.errors import ServiceError
from selfdirect.core.forms import apply_service_errors
from selfdirect.core.http import AuthedRequest, current_authority, download, paged, require
from selfdirect.core.models import Authority
from selfdirect.core.money import format_pence
from selfdirect.core.pdf import render_pdf
from selfdirect.people.models import Person

from . import books, labels, policy, services, statements, views_months
from .access import budget_scope, dispute_scope, money_people, period_scope, run_scope
from .constants import Frequency, Route, RunStatus
from .forms import (
    AgreeForm,
    ChargeForm,
    ClawbackReceiptForm,
    CloseForm,
    DecideForm,
    DisputeForm,
    DraftBudgetForm,
    InvoiceForm,
    ReassessForm,
    ReceiptForm,
    RunForm,
    SpendForm,
    UploadForm,
)
from .models import Budget, CloseLine, PaymentRun, Spend


def _budget(request: AuthedRequest, pk: int) -> Budget:
    scope = budget_scope(request.user, request.authority).select_related("person", "authority")
    return get_object_or_404(scope, pk=pk)


def _run(request: AuthedRequest, pk: int) -> PaymentRun:
    authority = current_authority(request)
    require(request, "ledger.run_payments", authority)
    return get_object_or_404(run_scope(request.user, authority).select_related("period"), pk=pk)


def home_section(request: AuthedRequest) -> tuple[str, dict[str, Any]] | None:
    """On the home page: for finance, the months still open and the next step for each (make the
    payment run, see it, close the month); for a person (or their money representative), their
    budgets."""
    if request.authority is None:
        return None
    context: dict[str, Any] = {}
    if request.user.has_perm("ledger.run_payments", request.authority):
        context["finance"] = True
        context["open_months"] = views_months.open_months(request.user, request.authority, timezone.localdate())
    mine = budget_scope(request.user, request.authority).filter(person__in=_own_people(request))
    if mine.exists():
        context["budgets"] = mine.select_related("person")
    return ("ledger/home_section.html", context) if context else None


def _own_people(request: AuthedRequest) -> Any:
    roles = request.roles
    if roles & {"finance", "admin", "assessor", "planner"}:
        return money_people(request.user, request.authority).filter(user=request.user)
    return money_people(request.user, request.authority)


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    authority = current_authority(request)
    require(request, "ledger.view_totals", authority)
    budgets = budget_scope(request.user, authority, "totals")
    totals = list(
        budgets.values("stream").annotate(n=Count("id"), agreed=Sum("agreed_annual_pence")).order_by("stream")
    )
    paid = run_scope(request.user, authority, "totals").aggregate(s=Sum("paid_pence"))["s"] or 0
    context: dict[str, Any] = {"totals": totals, "paid": paid, "budget_count": budgets.count()}
    if request.user.has_perm("ledger.view_ledger", authority):
        context["finance"] = True
        today = timezone.localdate()
        # The months, the open ones first among them even before anything is posted in them, each
        # with its next step: make its payment run, see it, close the month, or see what closing did.
        opened = views_months.open_months(request.user, authority, today)
        context["open_months"] = opened
        context["months"] = views_months.months_table(request.user, authority, opened)
        # Spending flagged for a check (light-touch categories, large purchases, confirmed overspending).
        context["to_check"] = (
            Spend.objects.filter(
                budget__authority=authority, flagged=True, transaction__reversed_by__isnull=True
            )
            .select_related("budget__person")
            .order_by("-on", "-pk")[:20]
        )
        context["run_form"] = RunForm(months=[(m.label, m.name) for m in opened])
    return render(request, "ledger/home.html", context)


@login_required
def budget_list(request: AuthedRequest) -> HttpResponse:
    authority = current_authority(request)
    require(request, "ledger.list_budgets", authority)
    budgets = (
        budget_scope(request.user, authority)
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "person_id", "stream", "-period_start", "-pk")
    )
    return render(request, "ledger/budgets.html", {
        "budgets": budgets[:500], "can_draft": request.user.has_perm("ledger.draft_budget", authority),
    })  # fmt: skip


@login_required
def budget_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    budget = _budget(request, pk)
    context = statements.statement_context(budget)
    context.update({
        "can_agree": request.user.has_perm("ledger.agree_budget", budget) and budget.status == "draft",
        "can_spend": request.user.has_perm("ledger.record_spending", budget) and budget.is_payable,
        "can_invoice": request.user.has_perm("ledger.agree_budget", budget) and budget.is_payable,
        "can_reassess": request.user.has_perm("ledger.reassess_budget", budget) and budget.is_payable
        and context["replaced_by"] is None,
        "can_receive_clawback": request.user.has_perm("ledger.receive_clawback", budget),
    })  # fmt: skip
    return render(request, "ledger/budget.html", context)


@login_required
def statement_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    budget = _budget(request, pk)
    context = statements.statement_context(budget)
    context["made_on"] = timezone.localdate()
    return render_pdf(request, "ledger/statement_pdf.html", context, f"statement-{budget.pk}.pdf")


@login_required
def statement_csv(request: AuthedRequest, pk: int) -> HttpResponse:
    budget = _budget(request, pk)
    response = HttpResponse(statements.statement_csv_text(budget), content_type="text/csv")
    return download(response, f"statement-{budget.pk}.csv")


@login_required
def budget_agree(request: AuthedRequest, pk: int) -> HttpResponse:
    budget = _budget(request, pk)
    require(request, "ledger.agree_budget", budget)
    form = AgreeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agree_budget(
                request.user, budget, form.cleaned_data["approved_by"], form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The budget is agreed and its instalments are scheduled")
            return redirect("ledger:budget", pk=budget.pk)
    return render(request, "ledger/form.html", {"form": form, "budget": budget, "title": "Agree this budget",
                                                "button": "Agree budget"}, status=400 if form.errors else 200)  # fmt: skip


@login_required
def spend_add(request: AuthedRequest, pk: int) -> HttpResponse:
    budget = _budget(request, pk)
    require(request, "ledger.record_spending", budget)
    pol = policy.load(budget.person.authority.slug)
    lines = [(line.pk, f"{line.description} ({words.label('plan_category', budget.authority_id, line.category)})")
             for line in services.plan_lines(budget)]
    posted = request.POST if request.method == "POST" else None
    form = SpendForm(
        posted, categories=pol.spending.categories, plan_lines=lines,
        confirm=posted is not None and "confirm_overspend" in posted,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.record_spend(request.user, budget, on=data["on"], category=data["category"],
                                         description=data["description"], amount_pence=data["amount"],
                                         plan_line=data.get("plan_line"),
                                         confirm_overspend=bool(data.get("confirm_overspend")))  # fmt: skip
        except services.NeedsConfirmation as exc:
            form = SpendForm(posted, categories=pol.spending.categories, plan_lines=lines, confirm=True)
            form.is_valid()
            apply_service_errors(form, exc)
        except ServiceError as exc:
            apply_service_errors(form, exc)
        else:
            note = " and flagged for finance to check" if made.flagged else ""
            messages.success(request, f"Spending of {format_pence(made.amount_pence)} recorded{note}")
            return redirect("ledger:budget", pk=budget.pk)
    return render(request, "ledger/form.html", {"form": form, "budget": budget, "title": "Record spending",
                                                "button": "Save", "upload": UploadForm()},
                  status=400 if form.errors else 200)  # fmt: skip


@login_required
@require_POST
def spend_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    budget = _budget(request, pk)
    require(request, "ledger.record_spending", budget)
    form = UploadForm(request.POST, request.FILES, confirm="confirm_overspend" in request.POST)
    if form.is_valid():
        raw = form.cleaned_data["file"].read(services.MAX_STATEMENT_BYTES + 1)
        try:
            made = services.upload_statement_file(
                request.user, budget, raw, confirm_overspend=bool(form.cleaned_data.get("confirm_overspend"))
            )
        except ServiceError as exc:
            if isinstance(exc, services.NeedsConfirmation):
                form = UploadForm(request.POST, request.FILES, confirm=True)
                form.is_valid()
            for errs in exc.errors.values():
                for e in errs:
                    form.add_error("file", e)
        else:
            messages.success(request, f"{len(made)} lines of spending recorded")
            return redirect("ledger:budget", pk=budget.pk)
    return render(request, "ledger/upload_errors.html", {"form": form, "budget": budget}, status=400)


def _run_form(request: AuthedRequest, authority: Authority, data: Any = None) -> RunForm:
    opened = views_months.open_months(request.user, authority, timezone.localdate())
    choices = [(m.label, m.name) for m in opened]
    chosen = request.GET.get("period", "")
    initial = {"period": chosen} if chosen in dict(choices) else {}
    return RunForm(data, months=choices, initial=initial)


@login_required
def run_start(request: AuthedRequest) -> HttpResponse:
    """The run form (a month offered by the money page comes chosen, ``?period=2026-12``); posting it
    starts the month's run, or finds the run already made and hands it to the worker again."""
    authority = current_authority(request)
    require(request, "ledger.run_payments", authority)
    form = _run_form(request, authority, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.start_run(request.user, authority, form.cleaned_data["period"], to_worker=True)
        except ServiceError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("ledger:run", pk=run.pk)
    return render(request, "ledger/run_form.html", {"form": form}, status=400 if form.errors else 200)


# A run waiting this long to start, or not moving this long while running, is worth a word: the
# worker picks a run up in seconds, and a running one renews its lease with every batch it writes.
RUN_STUCK_AFTER = dt.timedelta(minutes=2)


def _how_long(delta: dt.timedelta) -> str:
    """A wait in words: "7 minutes", "3 hours", "2 days"."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    if minutes < 48 * 60:
        return f"{minutes // 60} hours"
    return f"{minutes // (24 * 60)} days"


def run_stuck(run: PaymentRun, now: dt.datetime) -> str:
    """Why a run that ought to be moving seems not to be, in words ("" when it is fine): waiting to
    start for more than a couple of minutes, or running with a lease that ran out that long ago (its
    worker stopped). Either way the worker is what to check."""
    check = "ask whoever runs this service to check it."
    if run.status == RunStatus.QUEUED and now - run.created_at > RUN_STUCK_AFTER:
        return (
            f"This run has waited {_how_long(now - run.created_at)} to start. The background worker that "
            f"makes payment runs may not be running: {check}"
        )
    lease = run.lease_expires_at
    if run.status == RunStatus.RUNNING and lease is not None and now > lease:
        # Every batch written renews the lease for services.RUN_LEASE: it last moved that long before.
        return (
            f"This run has not moved for {_how_long(now - lease + services.RUN_LEASE)}. The background "
            f"worker making it may have stopped: {check} Then start the run again: what is paid stays paid."
        )
    return ""


@login_required
def run_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    percent = (
        int(100 * run.paid_count / run.due_count) if run.due_count else (100 if run.status == "done" else 0)
    )
    drafts = services.not_agreed(run).select_related("person")
    authority = current_authority(request)
    return render(request, "ledger/run.html", {
        "run": run, "percent": percent, "drafts": drafts[:50], "draft_count": drafts.count(),
        "reason": services.NOT_AGREED_REASON, "money": services.run_money(run),
        "stuck": run_stuck(run, timezone.now()), "month": views_months.month_of_run(authority, run),
        "finished": run.status == RunStatus.DONE,
        # Counts are known once a worker has taken the run (it counts what is due as it starts).
        "started": run.attempts > 0 or run.status == RunStatus.DONE,
    })  # fmt: skip


@login_required
def run_file(request: AuthedRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    response = HttpResponse(services.payment_file(run), content_type="text/csv")
    return download(response, f"payments-{run.authority.slug}-{run.period.label}.csv")


def bank_details(account: str) -> str:
    """A payee's account as a remittance shows it: what is held, or "" when nothing is (blank, or only
    the placeholder of zeros a budget drafted without the payee's details carries)."""
    return account if account.strip(" -0") else ""


@login_required
def run_remittances(request: AuthedRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    payees = services.remittances(run)
    names = Counter(p["payee"] for p in payees)
    for p in payees:
        p["bank"] = bank_details(p["account"])
        # Each table is named by its payee; two payees of one name are told apart by their accounts.
        p["caption"] = (
            p["payee"] if names[p["payee"]] == 1 else f"{p['payee']}, {p['bank'] or 'no bank details held'}"
        )
    routes = sorted({line.route for p in payees for line in p["lines"]}, key=list(Route.values).index)
    return render(request, "ledger/remittances.html", {
        "run": run, "payees": payees, "total": sum(p["total"] for p in payees),
        "finished": run.status == RunStatus.DONE,
        "routes": [(code[:3].upper(), Route(code).label) for code in routes],
    })  # fmt: skip


def close_message(result: services.CloseResult) -> str:
    """What closing a month did, in one sentence with its plurals right."""
    if not result.changed:
        return result.message
    n = result.budgets
    return (
        f"{result.period} is closed: {n} budget{'' if n == 1 else 's'}, {format_pence(result.kept_pence)} kept "
        f"by budget holders, {format_pence(result.clawed_back_pence)} clawed back"
    )


@login_required
def period_close(request: AuthedRequest, label: str) -> HttpResponse:
    authority = current_authority(request)
    require(request, "ledger.close_period", authority)
    try:
        start = services.parse_period(label)
    except ServiceError:
        raise Http404("no such month") from None
    period = get_object_or_404(period_scope(request.user, authority), start=start)
    form = CloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.close_period(request.user, authority, label, form.cleaned_data["reason"])
        except ServiceError as exc:
            apply_service_errors(form, exc)
        else:
            (messages.success if result.changed else messages.info)(request, close_message(result))
            return redirect("ledger:close", label=label)  # what the close did, budget by budget
    pol = policy.load(authority.slug)
    refusal = None if period.is_closed else services.close_refusal(authority, period)
    # The version a month was closed under is kept as data; people read which rules those were.
    closed_under = pol.label if period.policy_version == pol.version else "the money rules in force when it was closed"
    context: dict[str, Any] = {"form": form, "period": period, "policy": pol, "refusal": refusal,
                               "closed_under": closed_under}  # fmt: skip
    if period.is_closed:
        lines = CloseLine.objects.filter(period=period)
        context["totals"] = lines.aggregate(
            budgets=Count("id"), unspent=Sum("unspent_pence", default=0), kept=Sum("kept_pence", default=0),
            clawed=Sum("clawed_back_pence", default=0),
        )  # fmt: skip
        page, query_string = paged(request, lines.order_by("budget__person__family_name", "budget__person__given_name", "budget_id"))
        names = labels.budget_names(line.budget_id for line in page)
        context.update(page=page, query_string=query_string, lines=[(names.get(line.budget_id, ""), line) for line in page])
    return render(request, "ledger/close.html", context, status=400 if form.errors else 200)


@login_required
def trial_balance(request: AuthedRequest) -> HttpResponse:
    authority = current_authority(request)
    require(request, "ledger.view_ledger", authority)
    rows = books.trial_balance(authority)
    ids = [int(str(r["code"]).split(":")[1]) for r in rows if str(r["code"]).startswith(("budget:", "holder:"))]
    budgets = labels.budget_names(ids)
    for row in rows:
        row["name"] = labels.account_name(authority, str(row["code"]), str(row["name"]), budgets)
    totals = {"debits": sum(r["debits"] for r in rows), "credits": sum(r["credits"] for r in rows)}  # type: ignore[misc]
    return render(request, "ledger/trial_balance.html", {"rows": rows, "totals": totals})


@login_required
def reconciliation(request: AuthedRequest) -> HttpResponse:
    authority = current_authority(request)
    require(request, "ledger.view_ledger", authority)
    return render(request, "ledger/reconciliation.html", {"rows": services.reconciliation(authority),
                                                          "home": reverse("ledger:home")})  # fmt: skip


@login_required
def budget_reassess(request: AuthedRequest, pk: int) -> HttpResponse:
    """Staff replace an agreed budget at a reassessment (seed 004 Q5)."""
    budget = _budget(request, pk)
    require(request, "ledger.reassess_budget", budget)
    form = ReassessForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = services.reassess_budget(
                request.user, budget, on=data["on"], agreed_annual_pence=data["agreed"], reason=data["reason"],
                approved_by_ref=data["approved_by"], indicative_pence=data["indicative"],
                difference_reasons=data["difference_reasons"],
            )  # fmt: skip
        except ServiceError as exc:
            apply_service_errors(
                form, exc, {"agreed_annual_pence": "agreed", "indicative_pence": "indicative"}
            )
        else:
            messages.success(
                request, f"The new budget starts on {format_date(new.starts_on)}; the old one ends the day before"
            )
            return redirect("ledger:budget", pk=new.pk)
    return render(request, "ledger/form.html", {"form": form, "budget": budget, "title": "Reassess this budget",
                                                "button": "Replace the budget"}, status=400 if form.errors else 200)  # fmt: skip


# --- charging: contributions, arrears and disputes ------------------------------------------------


def person_section(request: AuthedRequest, person: Person) -> tuple[str, dict[str, Any]] | None:
    """On a person's record: their budgets (each with its statement) and, for those who see the
    person's money, their contributions, claw-backs and disagreements about money."""
    budgets = budget_scope(request.user, request.authority).filter(person=person).order_by("-starts_on", "-pk")
    sees_money = money_people(request.user, request.authority).filter(pk=person.pk).exists()
    if not sees_money and not budgets.exists():
        return None
    items = [
        registry.PersonItem(
            f"{words.label('stream', person.authority_id, b.stream)} budget, {format_date(b.period_start)} to "
            f"{format_date(b.period_end)}",
            reverse("ledger:budget", args=[b.pk]),
            f"{format_pence(b.agreed_annual_pence)} a year, {b.get_status_display().lower()}",
        )
        for b in budgets[:6]
    ]
    links = (
        [registry.PersonLink("Contributions, claw-back and disagreements about money",
                             reverse("ledger:charging", args=[person.pk]))]
        if sees_money else []
    )  # fmt: skip
    return registry.person_section_page("budgets", "Budgets and money", items, empty="No budget yet.", links=links)


def _person(request: AuthedRequest, person_pk: int) -> Person:
    """A person whose money the user may see (what ledger.view_charging allows); anyone else (or
    another authority's) is a 404."""
    return get_object_or_404(money_people(request.user, current_authority(request)), pk=person_pk)


@login_required
def charging(request: AuthedRequest, person_pk: int) -> HttpResponse:
    person = _person(request, person_pk)
    summary = services.charging_summary(person)
    pol = policy.load(person.authority.slug)
    finance = request.user.has_perm("ledger.assess_charge", person.authority)
    return render(request, "ledger/charging.html", {
        "person": person, "s": summary, "policy": pol, "can_assess": finance,
        "can_decide": request.user.has_perm("ledger.decide_dispute", person.authority),
        "clawback": summary.clawback_position,
        "can_raise": request.user.has_perm("ledger.raise_dispute", person),
        "budgets": person.budgets.exclude(status="draft").order_by("-starts_on"),
    })  # fmt: skip


def _person_form(request: AuthedRequest, person: Person, form: Any, title: str, button: str) -> HttpResponse:
    return render(request, "ledger/person_form.html", {"form": form, "person": person, "title": title,
                                                       "button": button}, status=400 if form.errors else 200)  # fmt: skip


@login_required
def charge_assess(request: AuthedRequest, person_pk: int) -> HttpResponse:
    person = _person(request, person_pk)
    require(request, "ledger.assess_charge", person.authority)
    form = ChargeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assess_charge(request.user, person, weekly_pence=data["weekly"], starts_on=data["starts_on"],
                                   reason=data["reason"], mode=data["mode"] or None)  # fmt: skip
        except ServiceError as exc:
            apply_service_errors(form, exc, {"weekly_pence": "weekly"})
        else:
            messages.success(request, "The assessed contribution is recorded")
            return redirect("ledger:charging", person_pk=person.pk)
    return _person_form(request, person, form, "Record an assessed contribution", "Save")


@login_required
def receipt_add(request: AuthedRequest, person_pk: int) -> HttpResponse:
    person = _person(request, person_pk)
    require(request, "ledger.assess_charge", person.authority)
    form = ReceiptForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.receive_contribution(
                request.user, person, data["amount"], data["on"], reason=data["reason"]
            )
        except ServiceError as exc:
            apply_service_errors(form, exc, {"amount_pence": "amount"})
        else:
            messages.success(request, "The money received is recorded")
            return redirect("ledger:charging", person_pk=person.pk)
    return _person_form(request, person, form, "Record a contribution received", "Save")


def _about_choices(person: Person) -> list[tuple[str, str]]:

    choices = [("", "Something else about money")]
    for c in person.charge_assessments.order_by("-starts_on"):
        choices.append(
            (f"charge:{c.pk}", f"My contribution of {format_pence(c.weekly_pence)} a week from {format_date(c.starts_on)}")
        )
    for b in person.budgets.exclude(status="draft").order_by("-starts_on"):
        choices.append(
            (
                f"budget:{b.pk}",
                f"My budget of {format_pence(b.agreed_annual_pence)} a year from {format_date(b.starts_on)}",
            )
        )
    return choices


@login_required
def dispute_new(request: AuthedRequest, person_pk: int) -> HttpResponse:
    person = _person(request, person_pk)
    require(request, "ledger.raise_dispute", person)
    form = DisputeForm(request.POST if request.method == "POST" else None, about=_about_choices(person))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind, _, ref = data["about"].partition(":")
        charge = person.charge_assessments.filter(pk=ref).first() if kind == "charge" else None
        budget = person.budgets.filter(pk=ref).first() if kind == "budget" else None
        try:
            services.open_dispute(request.user, person, subject=data["subject"], amount_pence=data["amount"] or 0,
                                  raised_by=request.user.full_name or request.user.username, charge=charge,
                                  budget=budget)  # fmt: skip
        except ServiceError as exc:
            apply_service_errors(form, exc, {"amount_pence": "amount"})
        else:
            messages.success(request, "Your dispute is recorded. Its status shows on this page.")
            return redirect("ledger:charging", person_pk=person.pk)
    return _person_form(request, person, form, "Raise a dispute about money", "Send")


@login_required
def dispute_list(request: AuthedRequest) -> HttpResponse:
    authority = current_authority(request)
    require(request, "ledger.decide_dispute", authority)
    disputes = (
        dispute_scope(request.user, authority)
        .select_related("person", "charge")
        .order_by("status", "-opened_on", "-pk")
    )
    return render(request, "ledger/disputes.html", {"disputes": disputes[:500]})


@login_required
def dispute_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    authority = current_authority(request)
    require(request, "ledger.decide_dispute", authority)
    dispute = get_object_or_404(
        dispute_scope(request.user, authority).select_related("person", "charge"), pk=pk
    )
    form = DecideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_dispute(
                request.user, dispute, form.cleaned_data["status"], form.cleaned_data["outcome"]
            )
        except ServiceError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The outcome is recorded")
            return redirect("ledger:charging", person_pk=dispute.person_id)
    return render(request, "ledger/dispute_decide.html", {"form": form, "dispute": dispute, "person": dispute.person},
                  status=400 if form.errors else 200)  # fmt: skip


@login_required
def invoice_add(request: AuthedRequest, pk: int) -> HttpResponse:
    """Finance records a provider's invoice against a managed or ISF budget (posted as an invoice
    from that route's holder account)."""
    budget = _budget(request, pk)
    require(request, "ledger.agree_budget", budget)
    pol = policy.load(budget.person.authority.slug)
    routes = [(d.route, d.get_route_display()) for d in budget.deployments.all()]
    form = InvoiceForm(
        request.POST if request.method == "POST" else None, categories=pol.spending.categories, routes=routes
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        row = {"on": data["on"], "route": data["route"], "payee": data["payee"], "category": data["category"],
               "description": data["description"], "amount_pence": data["amount"]}  # fmt: skip
        try:
            services.record_spends(request.user, budget, [row], source="invoice")
        except ServiceError as exc:
            apply_service_errors(form, exc, {"amount": "amount"})
        else:
            messages.success(request, "The provider's invoice is recorded")
            return redirect("ledger:budget", pk=budget.pk)
    return render(request, "ledger/form.html", {"form": form, "budget": budget, "title": "Record a provider's invoice",
                                                "button": "Save"}, status=400 if form.errors else 200)  # fmt: skip


# --- drafting a budget; claw-back received back ----------------------------------------------------


def _streams(request: AuthedRequest, authority: Authority) -> list[tuple[str, str]]:
    """Funding streams to choose from: the allocation policy in force's, then any already in use."""

    found: dict[str, str] = {}
    try:
        version = allocation.policy_in_force(authority, timezone.localdate())
    except ServiceError:
        pass
    else:
        for code, stream in allocation.policy_for(version).model.streams.items():
            found[code] = stream.title
    for code in (
        budget_scope(request.user, authority).order_by("stream").values_list("stream", flat=True).distinct()
    ):
        found.setdefault(code, code.replace("_", " ").capitalize())
    return list(found.items())


def _frequencies(authority: Authority) -> list[tuple[str, str]]:
    """How often budgets may be paid under the authority's money rules (``payment_frequencies``), and
    once: a one-off grant is paid once whatever the rules say about regular payments."""
    regular = [(code, Frequency(code).label) for code in policy.payment_frequencies(authority.slug)]
    return [*regular, (Frequency.ONCE.value, Frequency.ONCE.label)]


@login_required
def budget_new(request: AuthedRequest, person_pk: int | None = None) -> HttpResponse:
    """Finance drafts a budget (figure, frequency, start date, routes with shares, payees, the
    manager's fee, indicative against agreed with reasons); it pays nothing until it is agreed."""
    authority = current_authority(request)
    person = _person(request, person_pk) if person_pk is not None else None
    require(request, "ledger.draft_budget", authority)
    today = timezone.localdate()
    year = today.year if today.month >= 4 else today.year - 1
    frequencies = _frequencies(authority)
    codes = [code for code, _ in frequencies]
    initial = {"period_start": dt.date(year, 4, 1), "period_end": dt.date(year + 1, 3, 31),
               "frequency": "monthly" if "monthly" in codes else codes[0]}  # fmt: skip
    form = DraftBudgetForm(
        request.POST if request.method == "POST" else None, initial=initial, routes=list(Route.choices),
        frequencies=frequencies, streams=_streams(request, authority), person_fixed=person is not None,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = person
        if target is None:
            reference = data["person"].strip()
            target = money_people(request.user, authority).filter(reference__iexact=reference).first()
            if target is None:
                form.add_error("person", f"No one with the reference {reference!r} in {authority.name}")
        if target is not None:
            try:
                budget = services.create_budget(
                    request.user, target, stream=data["stream"], period_start=data["period_start"],
                    period_end=data["period_end"], agreed_annual_pence=data["agreed"], starts_on=data["starts_on"],
                    frequency=data["frequency"], deployments=data["deployments"], indicative_pence=data["indicative"],
                    difference_reasons=data["difference_reasons"], source=data["source"],
                    plan_cost_pence=data["plan_cost"], reason=data["reason"], midpoint=_midpoint(data),
                )  # fmt: skip
            except ServiceError as exc:
                apply_service_errors(form, exc, {"agreed_annual_pence": "agreed", "indicative_pence": "indicative",
                                    "deployments": f"share_{Route.values[0]}", "midpoint": "midpoint_low"})  # fmt: skip
            else:
                messages.success(request, "The budget is drafted. It pays nothing until it is agreed.")
                return redirect("ledger:budget", pk=budget.pk)
    return render(request, "ledger/budget_new.html", {"form": form, "person": person},
                  status=400 if form.errors else 200)  # fmt: skip


def _midpoint(data: dict[str, Any]) -> tuple[int, int] | None:
    low, high = data.get("midpoint_low"), data.get("midpoint_high")
    if low is None and high is None:
        return None
    if low is None or high is None:
        raise ServiceError({"midpoint": ["Give both yearly figures for a mid-point budget, or neither"]})
    return low, high


@login_required
def clawback(request: AuthedRequest, pk: int) -> HttpResponse:
    """What a budget owes back from period close, what has been repaid, and (finance) recording
    money received back."""
    budget = _budget(request, pk)
    require(request, "ledger.receive_clawback", budget)
    form = ClawbackReceiptForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.receive_clawback(request.user, budget, data["amount"], data["on"], reason=data["reason"])
        except ServiceError as exc:
            apply_service_errors(form, exc, {"amount_pence": "amount"})
        else:
            messages.success(request, "The claw-back money received is recorded")
            return redirect("ledger:clawback", pk=budget.pk)
    return render(request, "ledger/clawback.html", {
        "budget": budget, "form": form, "position": services.clawback_position(budget),
        "repayments": services.clawback_repayments(budget),
        "closes": budget.close_lines.select_related("period").order_by("period__start"),
    }, status=400 if form.errors else 200)  # fmt: skip
