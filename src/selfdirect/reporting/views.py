"""The reports dashboard, drill-down to the people behind a number, and exports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import http_date

from selfdirect.core import words
from selfdirect.core.dates import period_name
from selfdirect.core.errors import ServiceError
from selfdirect.core.http import AuthedRequest, current_authority, download, require
from selfdirect.core.models import Authority
from selfdirect.core.runs import RunStatus
from selfdirect.ledger.constants import Route
from selfdirect.people.access import people_scope
from selfdirect.people.constants import ClientGroup, Sex
from selfdirect.plans.constants import PanelDecision, RefusalReason

from . import charts, exports, queries, services
from .access import move_on_scope, offer_scope, pack_scope
from .indicators import (
    DASHBOARD_KEYS,
    EQUITY_DIMENSIONS,
    TABLE_KEYS,
    TITLES,
    PeriodError,
    Report,
    build_report,
    current_period,
    format_cell,
    is_month,
    parse_period,
)
from .models import OfferMadeAt, OfferOutcome, ReportPack, ShortTermService
from .rules import report_people

COHORTS = {
    "eligible": "Eligible people",
    "personal_budget": "Eligible people on a personal budget",
    "direct_payment": "Eligible people on a direct payment",
    "reviews_overdue": "People with a review overdue",
    "refusals_open": "People who declined a personal budget, whose follow-up is due and not done",
    "refusals_recorded": "People who declined a personal budget in the period",
    "reviews_due": "People with a review due in the period",
    "reviews_done": "People with a review held in the period",
    "offers_made": "People offered a personal budget at first contact in the period",
    "offers_accepted": "People offered a personal budget in the period who accepted",
    "offers_declined": "People offered a personal budget in the period who declined",
    "offers_undecided": "People offered a personal budget in the period who have not decided yet",
    "offers_follow_up_due": "People who declined a personal budget at first contact in the period, follow-up due",
    "offers_followed_up": "People who declined a personal budget at first contact in the period, followed up",
    "offers_review_made": "People offered a personal budget at a review in the period",
    "offers_review_accepted": "People offered a personal budget at a review in the period who accepted",
    "offers_review_declined": "People offered a personal budget at a review in the period who declined",
    "offers_review_undecided": "People offered a personal budget at a review in the period who have not decided yet",
    "offers_review_follow_up_due": "People who declined a personal budget at a review in the period, follow-up due",
    "offers_review_followed_up": "People who declined a personal budget at a review in the period, followed up",
    "journey_assessment": "People assessed by the period's end",
    "journey_budget": "People with a budget agreed by the period's end",
    "journey_payment": "People paid by the period's end",
    "panel_undecided": "People whose plan was referred to the panel in the period, not decided yet",
    **{
        f"panel_{value}": f"People whose plan was referred to the panel in the period: {label.lower()}"
        for value, label in PanelDecision.choices
    },
    "moved_on": "People who left short-term housing-related support in the period (NI 141)",
    "ni142": "People reviewed in the period on keeping their home (NI 142)",
    **{
        f"route_{value}": f"People with a budget running in the period, held as: {label}"
        for value, label in Route.choices
    },
}


def cohort_title(name: str, authority: Authority | None = None) -> str | None:
    """The drill-down page's title for a group of people, or None when there is no such group."""
    if name in COHORTS:
        return COHORTS[name]
    if name.startswith("stream_") and len(name) > len("stream_"):
        stream = words.label("stream", authority, name[len("stream_") :])
        return f"People with a budget from the funding stream “{stream}” running in the period"
    labels = {**dict(ClientGroup.choices), **dict(Sex.choices)}
    for dimension, said in EQUITY_DIMENSIONS.items():
        prefix = f"equity_{dimension}_"
        if name.startswith(prefix):
            key = name[len(prefix) :]
            label = queries.age_band_label(key) if dimension == "age_band" else labels.get(key)
            if label is None:
                return None
            return f"People with an indicative budget by the period's end, {said}: {label}"
    return None




def _filters(request: AuthedRequest, authority: Authority) -> dict[str, Any]:
    """Period, team and client group from the query string, with an error message per bad field."""
    errors = {}
    raw_period = request.GET.get("period", "")
    period = current_period()
    if raw_period:
        try:
            period = parse_period(raw_period)
        except PeriodError as exc:
            errors["period"] = str(exc).split(": ", 1)[1]
    client_group = request.GET.get("client_group", "")
    if client_group and client_group not in ClientGroup.values:
        errors["client_group"] = "Choose a client group from the list"
        client_group = ""
    team_id: int | None = None
    teams = queries.teams(authority)
    raw_team = request.GET.get("team", "")
    if raw_team:
        if raw_team.isdigit() and int(raw_team) in {pk for pk, _ in teams}:
            team_id = int(raw_team)
        else:
            errors["team"] = "Choose a team from the list"
    return {"period": period, "client_group": client_group, "team_id": team_id, "teams": teams,
            "errors": errors, "raw_period": raw_period or period_name(period.label)}  # fmt: skip


def _report(request: AuthedRequest, sections: tuple[str, ...] | None = None) -> tuple[Report, dict[str, Any]]:
    authority = current_authority(request)
    require(request, "reporting.view_reports", authority)
    f = _filters(request, authority)
    report = build_report(
        authority,
        f["period"],
        client_group=f["client_group"],
        team_id=f["team_id"],
        caseload=report_people(request.user, authority),
        sections=sections,
    )
    return report, f


def _rendered(report: Report) -> list[dict[str, Any]]:
    out = []
    for table in report.tables:
        rows = []
        for i, row in enumerate(table.rows):
            cohort = table.cohorts[i] if i < len(table.cohorts) else None
            links = {1: cohort}
            for column, names in table.cell_cohorts.items():
                links[column] = names[i] if i < len(names) else None
            rows.append({
                "cells": [(format_cell(v, c.kind), c.kind != "text", links.get(j))
                          for j, (v, c) in enumerate(zip(row, table.columns, strict=True))],
                "cohort": cohort,
            })  # fmt: skip
        out.append({"table": table, "rows": rows, "chart": charts.table_chart(table)})
    return out


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    """The summary: the headline indicators with chart and table, and links to every other
    indicator's own page (worked out there, when asked for)."""
    report, f = _report(request, DASHBOARD_KEYS)
    authority = report.authority
    status = 400 if f["errors"] else 200
    headline = report.table("take_up")
    context = {
        "report": report,
        "tables": _rendered(report),
        "filters": f,
        "client_groups": ClientGroup.choices,
        "caseload_only": report.scope.caseload is not None,
        "may_drill": request.user.has_perm("reporting.drill_down", authority),
        "headline": headline,
        "query": request.GET.urlencode(),
        "cohorts": COHORTS,
        "may_packs": request.user.has_perm("reporting.view_packs", authority),
        "may_record": request.user.has_perm("reporting.record_move_on", authority),
        "others": [(k, TITLES[k]) for k in TABLE_KEYS if k not in DASHBOARD_KEYS],
    }
    return render(request, "reporting/dashboard.html", context, status=status)


@login_required
def indicator(request: AuthedRequest, key: str) -> HttpResponse:
    """One indicator on its own page: definition, chart, table, exports and drill-down."""
    if key not in TABLE_KEYS:
        raise Http404("no such indicator")
    report, f = _report(request, (key,))
    context = {
        "report": report,
        "tables": _rendered(report),
        "filters": f,
        "client_groups": ClientGroup.choices,
        "caseload_only": report.scope.caseload is not None,
        "may_drill": request.user.has_perm("reporting.drill_down", report.authority),
        "query": request.GET.urlencode(),
        "single": True,
    }
    return render(request, "reporting/indicator.html", context, status=400 if f["errors"] else 200)


@login_required
def people(request: AuthedRequest, cohort: str) -> HttpResponse:
    authority = current_authority(request)
    require(request, "reporting.view_reports", authority)
    require(request, "reporting.drill_down", authority)
    title = cohort_title(cohort, authority)
    if title is None:
        raise Http404("no such group")
    f = _filters(request, authority)
    if f["errors"]:
        return render(request, "reporting/people.html", {"filters": f, "title": title, "people": []},
                      status=400)  # fmt: skip
    report = build_report(authority, f["period"], client_group=f["client_group"], team_id=f["team_id"],
                          caseload=report_people(request.user, authority), sections=())  # fmt: skip
    visible = people_scope(request.user, authority, "view")
    found = (
        queries.cohort(report.scope, cohort)
        .filter(pk__in=visible.values("pk"))
        .order_by("family_name", "given_name")
    )
    return render(request, "reporting/people.html", {
        "filters": f, "title": title, "people": found[:1000], "query": request.GET.urlencode(),
    })  # fmt: skip


@login_required
def export(request: AuthedRequest, key: str, fmt: str) -> HttpResponse:
    if key not in TABLE_KEYS and key != "all":
        raise Http404("no such table")
    sections = TABLE_KEYS if key == "all" else (key,)
    report, f = _report(request, sections)
    if f["errors"]:
        return HttpResponse("; ".join(f"{k}: {v}" for k, v in f["errors"].items()), status=400,
                            content_type="text/plain")  # fmt: skip
    name = f"{report.authority.slug}-{report.period.label}-{key}"
    if fmt == "csv" and key != "all":
        response = HttpResponse(exports.table_csv(report.tables[0]), content_type="text/csv; charset=utf-8")
        return download(response, f"{name}.csv")
    if fmt == "xlsx":
        response = HttpResponse(
            exports.report_xlsx(report.tables),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        return download(response, f"{name}.xlsx")
    raise Http404("no such format")


@login_required
def open_data(request: AuthedRequest) -> HttpResponse:
    """The anonymised extract of every table. For the whole authority and a month whose report
    pack is made, it is the one stored with the pack (the month's published figures, as made
    then), served at once; otherwise (filters, a caseload, a year, or no pack yet) it is worked
    out now."""
    authority = current_authority(request)
    require(request, "reporting.view_reports", authority)
    f = _filters(request, authority)
    if f["errors"]:
        return HttpResponse("; ".join(f"{k}: {v}" for k, v in f["errors"].items()), status=400,
                            content_type="text/plain")  # fmt: skip
    period = f["period"]
    name = f"{authority.slug}-{period.label}-open-data.csv"
    scope = queries.Scope(authority, period.start, period.end, f["client_group"], f["team_id"],
                          report_people(request.user, authority))  # fmt: skip
    stored = None
    if is_month(period.label) and not queries.filtered(scope):
        stored = (
            pack_scope(request.user, authority)
            .filter(period=period.label, status=RunStatus.DONE)
            .exclude(open_data="")
            .order_by("-finished_at", "-pk")
            .only("open_data", "finished_at")
            .first()
        )
    if stored is not None:
        response = HttpResponse(stored.open_data, content_type="text/csv; charset=utf-8")
        if stored.finished_at:
            response["Last-Modified"] = http_date(stored.finished_at.timestamp())
    else:
        report = build_report(authority, period, client_group=scope.client_group, team_id=scope.team_id,
                              caseload=scope.caseload)  # fmt: skip
        response = HttpResponse(exports.open_data_csv(report), content_type="text/csv; charset=utf-8")
    return download(response, name)


@login_required
def packs(request: AuthedRequest) -> HttpResponse:
    """Past monthly packs, and a form to make one for any month (in the background)."""
    authority = current_authority(request)
    require(request, "reporting.view_packs", authority)
    errors: dict[str, list[str]] = {}
    last_month = period_name(current_period(timezone.localdate().replace(day=1) - dt.timedelta(days=1)).label)
    month = request.POST.get("period", last_month) if request.method == "POST" else last_month
    if request.method == "POST":
        try:
            pack = services.request_pack(request.user, authority, month)
        except ServiceError as exc:
            errors = exc.errors
        else:
            return redirect("reporting:pack", pk=pack.pk)
    found = pack_scope(request.user, authority).defer("pdf", "open_data")[:60]
    return render(request, "reporting/packs.html", {"authority": authority, "packs": found, "errors": errors,
                  "month": month}, status=400 if errors else 200)  # fmt: skip


def _pack(request: AuthedRequest, pk: int) -> ReportPack:
    authority = current_authority(request)
    require(request, "reporting.view_packs", authority)
    return get_object_or_404(pack_scope(request.user, authority).select_related("authority"), pk=pk)


@login_required
def pack(request: AuthedRequest, pk: int) -> HttpResponse:
    return render(request, "reporting/pack.html", {"pack": _pack(request, pk)})


@login_required
def pack_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    found = _pack(request, pk)
    if found.status != RunStatus.DONE or not found.pdf:
        return HttpResponse("The pack is not ready yet", status=409, content_type="text/plain")
    response = HttpResponse(bytes(found.pdf), content_type="application/pdf")
    return download(response, found.filename)


@login_required
def move_ons(request: AuthedRequest) -> HttpResponse:
    """Record someone leaving short-term support, planned or not (NI 141); recent ones below."""
    authority = current_authority(request)
    require(request, "reporting.record_move_on", authority)
    errors: dict[str, list[str]] = {}
    post = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            services.record_move_on(
                request.user, authority, reference=post.get("reference", ""), service=post.get("service", ""),
                left_on=post.get("left_on", ""), planned=post.get("planned", ""),
                destination=post.get("destination", ""),
            )  # fmt: skip
        except ServiceError as exc:
            errors = exc.errors
        else:
            messages.success(request, "Move-on recorded")
            return redirect("reporting:move-ons")
    moves = move_on_scope(request.user, authority).select_related("person")[:50]
    return render(request, "reporting/move_ons.html", {"errors": errors, "post": post, "moves": moves,
                  "services": ShortTermService.choices}, status=400 if errors else 200)  # fmt: skip


def _offers_page(request: AuthedRequest, authority: Authority, errors: dict[str, list[str]],
                 post: Any, answering: int | None = None, answer_errors: dict[str, list[str]] | None = None,
                 answer_post: Any = None) -> HttpResponse:  # fmt: skip
    offers = offer_scope(request.user, authority).filter(made_at=OfferMadeAt.REVIEW).select_related(
        "person", "refusal"
    )[:50]
    return render(request, "reporting/offers.html", {
        "errors": errors, "post": post, "offers": offers, "outcomes": OfferOutcome.choices,
        "reasons": RefusalReason.choices, "answering": answering, "answer_errors": answer_errors or {},
        "answer_post": answer_post or {},
    }, status=400 if errors or answer_errors else 200)  # fmt: skip


@login_required
def review_offers(request: AuthedRequest) -> HttpResponse:
    """Record a personal budget offered at a review and the answer (seed 001); recent ones below,
    with a form to record the answer to any not decided then."""
    authority = current_authority(request)
    require(request, "reporting.record_offer", authority)
    errors: dict[str, list[str]] = {}
    post = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            services.record_review_offer(
                request.user, authority, reference=post.get("reference", ""), offered_on=post.get("offered_on", ""),
                outcome=post.get("outcome", ""), reason=post.get("reason", ""), notes=post.get("notes", ""),
            )  # fmt: skip
        except ServiceError as exc:
            errors = exc.errors
        else:
            messages.success(request, "Offer recorded")
            return redirect("reporting:offers")
    return _offers_page(request, authority, errors, post)


@login_required
def answer_offer(request: AuthedRequest, pk: int) -> HttpResponse:
    authority = current_authority(request)
    require(request, "reporting.record_offer", authority)
    offer = get_object_or_404(offer_scope(request.user, authority, "edit").select_related("person"), pk=pk)
    if request.method != "POST":
        return redirect("reporting:offers")
    try:
        services.decide_review_offer(request.user, offer, outcome=request.POST.get("answer", ""),
                                     reason=request.POST.get("answer_reason", ""),
                                     notes=request.POST.get("answer_notes", ""))  # fmt: skip
    except ServiceError as exc:
        return _offers_page(request, authority, {}, {}, answering=offer.pk, answer_errors=exc.errors,
                            answer_post=request.POST)  # fmt: skip
    messages.success(request, "Answer recorded")
    return redirect("reporting:offers")
