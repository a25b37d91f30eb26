"""Money pages. Each view finds budgets through rules.budget_scope (what a user may not see is
a 404), checks the action's permission (403) and calls a service."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from selfdirect.core.http import AuthedRequest
from selfdirect.core.models import Authority
from selfdirect.core.views import require
from selfdirect.people.services import ServiceError

from . import books, charts, policy, services, tasks
from .forms import AgreeForm, CloseForm, RunForm, SpendForm, UploadForm
from .models import Budget, PaymentRun, Period
from .rules import budget_scope


def _authority(request: AuthedRequest) -> Authority:
    if request.authority is None:
        raise PermissionDenied("no authority")
    return request.authority


def _budget(request: AuthedRequest, pk: int) -> Budget:
    scope = budget_scope(request.user, request.authority).select_related("person", "authority")
    return get_object_or_404(scope, pk=pk)


def _run(request: AuthedRequest, pk: int) -> PaymentRun:
    authority = _authority(request)
    require(request, "ledger.run_payments", authority)
    return get_object_or_404(PaymentRun.objects.select_related("period"), pk=pk, authority=authority)


def _errors(form: Any, exc: ServiceError) -> None:
    for name, errs in exc.errors.items():
        for e in errs:
            form.add_error(name if name in form.fields else None, e)


def home_section(request: AuthedRequest) -> tuple[str, dict[str, Any]] | None:
    """The person's (or their money representative's) budgets on the home page."""
    if request.authority is None:
        return None
    mine = budget_scope(request.user, request.authority).filter(person__in=_own_people(request))
    if not mine.exists():
        return None
    return "ledger/home_section.html", {"budgets": mine.select_related("person")}


def _own_people(request: AuthedRequest) -> Any:
    from .rules import money_people

    roles = request.roles
    if roles & {"finance", "admin", "assessor", "planner"}:
        return money_people(request.user, request.authority).filter(user=request.user)
    return money_people(request.user, request.authority)


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    authority = _authority(request)
    require(request, "ledger.view_totals", authority)
    budgets = Budget.objects.filter(authority=authority)
    totals = list(
        budgets.values("stream").annotate(n=Count("id"), agreed=Sum("agreed_annual_pence")).order_by("stream")
    )
    paid = PaymentRun.objects.filter(authority=authority).aggregate(s=Sum("paid_pence"))["s"] or 0
    context: dict[str, Any] = {"totals": totals, "paid": paid, "budget_count": budgets.count()}
    if request.user.has_perm("ledger.view_ledger", authority):
        context["finance"] = True
        context["periods"] = (
            Period.objects.filter(authority=authority).prefetch_related("runs").order_by("-start")[:24]
        )
        context["run_form"] = RunForm()
    return render(request, "ledger/home.html", context)


@login_required
def budget_list(request: AuthedRequest) -> HttpResponse:
    authority = _authority(request)
    require(request, "ledger.list_budgets", authority)
    budgets = (
        budget_scope(request.user, authority)
        .select_related("person")
        .order_by("person__family_name", "stream")
    )
    return render(request, "ledger/budgets.html", {"budgets": budgets[:500]})


@login_required
def budget_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    budget = _budget(request, pk)
    st = services.statement(budget)
    pol = policy.load(budget.person.authority.slug)
    items = [
        ("Paid", st.paid),
        ("Spent", st.spent),
        ("Held now", max(st.held, 0)),
        ("Clawed back", st.clawed_back),
    ]
    context = {
        "budget": budget, "st": st, "policy": pol, "chart": charts.bars_svg("Your budget so far", items),
        "chart_rows": items, "instalments": budget.instalments.select_related("payment")[:60],
        "spends": budget.spends.all()[:50],
        "can_agree": request.user.has_perm("ledger.agree_budget", budget) and budget.status == "draft",
        "can_spend": request.user.has_perm("ledger.record_spending", budget) and budget.is_payable,
        "categories": pol.spending.categories,
    }  # fmt: skip
    return render(request, "ledger/budget.html", context)


@login_required
def statement_csv(request: AuthedRequest, pk: int) -> HttpResponse:
    budget = _budget(request, pk)
    st = services.statement(budget)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="statement-{budget.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(["item", "pence", "pounds"])
    for label, value in [("agreed a year", st.agreed_annual), ("indicative", st.indicative or 0),
                         ("this period", st.period_amount), ("paid", st.paid), ("spent", st.spent),
                         ("held", st.held), ("contributions", st.contributions), ("rolled over", st.rolled_over),
                         ("clawed back", st.clawed_back)]:  # fmt: skip
        writer.writerow(
            [label, value, services._pounds(value) if value >= 0 else "-" + services._pounds(-value)]
        )
    for cat, value in sorted(st.spend_by_category.items()):
        writer.writerow([f"spent on {cat}", value, services._pounds(value)])
    return response


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
            _errors(form, exc)
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
    form = SpendForm(request.POST if request.method == "POST" else None, categories=pol.spending.categories)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_spend(request.user, budget, on=data["on"], category=data["category"],
                                  description=data["description"], amount_pence=data["amount"])  # fmt: skip
        except ServiceError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "Spending recorded")
            return redirect("ledger:budget", pk=budget.pk)
    return render(request, "ledger/form.html", {"form": form, "budget": budget, "title": "Record spending",
                                                "button": "Save", "upload": UploadForm()},
                  status=400 if form.errors else 200)  # fmt: skip


@login_required
@require_POST
def spend_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    budget = _budget(request, pk)
    require(request, "ledger.record_spending", budget)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        raw = form.cleaned_data["file"].read()
        try:
            made = services.upload_statement(request.user, budget, raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            form.add_error("file", "The file must be a CSV saved as UTF-8 text")
        except ServiceError as exc:
            for errs in exc.errors.values():
                for e in errs:
                    form.add_error("file", e)
        else:
            messages.success(request, f"{len(made)} lines of spending recorded")
            return redirect("ledger:budget", pk=budget.pk)
    return render(request, "ledger/upload_errors.html", {"form": form, "budget": budget}, status=400)


@login_required
@require_POST
def run_start(request: AuthedRequest) -> HttpResponse:
    authority = _authority(request)
    require(request, "ledger.run_payments", authority)
    form = RunForm(request.POST)
    if form.is_valid():
        try:
            run = services.start_run(request.user, authority, form.cleaned_data["period"])
        except ServiceError as exc:
            _errors(form, exc)
        else:
            if run.status != "running":
                result = tasks.pay_run.enqueue(run.pk)
                PaymentRun.objects.filter(pk=run.pk).update(task_id=str(result.id)[:64])
            return redirect("ledger:run", pk=run.pk)
    return render(request, "ledger/run_form.html", {"form": form}, status=400)


@login_required
def run_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    percent = (
        int(100 * run.paid_count / run.due_count) if run.due_count else (100 if run.status == "done" else 0)
    )
    drafts = services.not_agreed(run).select_related("person")
    return render(request, "ledger/run.html", {"run": run, "percent": percent, "drafts": drafts[:50],
                                               "draft_count": drafts.count(), "reason": services.NOT_AGREED_REASON})  # fmt: skip


@login_required
def run_file(request: AuthedRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    response = HttpResponse(services.payment_file(run), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="payments-{run.authority.slug}-{run.period}.csv"'
    return response


@login_required
def run_remittances(request: AuthedRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    return render(request, "ledger/remittances.html", {"run": run, "payees": services.remittances(run)})


@login_required
def period_close(request: AuthedRequest, label: str) -> HttpResponse:
    authority = _authority(request)
    require(request, "ledger.close_period", authority)
    try:
        start = services.parse_period(label)
    except ServiceError:
        raise Http404("no such month") from None
    period = get_object_or_404(Period, authority=authority, start=start)
    form = CloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_period(request.user, authority, label, form.cleaned_data["reason"])
        except ServiceError as exc:
            _errors(form, exc)
        else:
            messages.success(request, f"{label} is closed")
            return redirect("ledger:home")
    pol = policy.load(authority.slug)
    return render(request, "ledger/close.html", {"form": form, "period": period, "policy": pol},
                  status=400 if form.errors else 200)  # fmt: skip


@login_required
def trial_balance(request: AuthedRequest) -> HttpResponse:
    authority = _authority(request)
    require(request, "ledger.view_ledger", authority)
    rows = books.trial_balance(authority)
    totals = {"debits": sum(r["debits"] for r in rows), "credits": sum(r["credits"] for r in rows)}  # type: ignore[misc]
    return render(request, "ledger/trial_balance.html", {"rows": rows, "totals": totals})


@login_required
def reconciliation(request: AuthedRequest) -> HttpResponse:
    authority = _authority(request)
    require(request, "ledger.view_ledger", authority)
    return render(request, "ledger/reconciliation.html", {"rows": services.reconciliation(authority),
                                                          "home": reverse("ledger:home")})  # fmt: skip
