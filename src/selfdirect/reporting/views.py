"""The reports dashboard, drill-down to the people behind a number, and exports."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from selfdirect.core.http import AuthedRequest
from selfdirect.core.models import Authority
from selfdirect.core.views import require
from selfdirect.people.access import people_scope
from selfdirect.people.constants import ClientGroup

from . import charts, exports, queries
from .indicators import (
    TABLE_KEYS,
    PeriodError,
    Report,
    build_report,
    current_period,
    format_cell,
    parse_period,
)
from .rules import report_people

COHORTS = {
    "eligible": "Eligible people",
    "personal_budget": "Eligible people on a personal budget",
    "direct_payment": "Eligible people on a direct payment",
    "reviews_overdue": "People with a review overdue",
    "refusals_open": "People who declined a personal budget, whose follow-up is due and not done",
}


def _authority(request: AuthedRequest) -> Authority:
    if request.authority is None:
        raise PermissionDenied("no authority")
    return request.authority


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
            "errors": errors, "raw_period": raw_period or period.label}  # fmt: skip


def _report(request: AuthedRequest, sections: tuple[str, ...] | None = None) -> tuple[Report, dict[str, Any]]:
    authority = _authority(request)
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
            rows.append({
                "cells": [(format_cell(v, c.kind), c.kind != "text") for v, c in zip(row, table.columns, strict=True)],
                "cohort": cohort,
            })  # fmt: skip
        out.append({"table": table, "rows": rows, "svg": mark_safe(charts.table_svg(table))})  # noqa: S308
    return out


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    report, f = _report(request)
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
    }
    return render(request, "reporting/dashboard.html", context, status=status)


@login_required
def people(request: AuthedRequest, cohort: str) -> HttpResponse:
    authority = _authority(request)
    require(request, "reporting.view_reports", authority)
    require(request, "reporting.drill_down", authority)
    if cohort not in COHORTS:
        raise Http404("no such group")
    f = _filters(request, authority)
    if f["errors"]:
        return render(request, "reporting/people.html", {"filters": f, "title": COHORTS[cohort], "people": []},
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
        "filters": f, "title": COHORTS[cohort], "people": found[:1000], "query": request.GET.urlencode(),
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
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(
            exports.report_xlsx(report.tables),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    raise Http404("no such format")


@login_required
def open_data(request: AuthedRequest) -> HttpResponse:
    report, f = _report(request)
    if f["errors"]:
        return HttpResponse("; ".join(f"{k}: {v}" for k, v in f["errors"].items()), status=400,
                            content_type="text/plain")  # fmt: skip
    response = HttpResponse(exports.open_data_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{report.authority.slug}-{report.period.label}-open-data.csv"'
    )
    return response
