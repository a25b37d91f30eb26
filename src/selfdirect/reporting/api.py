"""The reporting API: every indicator table for the caller's authority, period and filters.
Figures follow the same rules as the dashboard (caseload workers see their caseload only)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Query, Router, Schema

from selfdirect.core.api_schema import DB_INT_MAX
from selfdirect.core.errors import ServiceError
from selfdirect.core.http import AuthedRequest
from selfdirect.core.models import Authority
from selfdirect.people.constants import ClientGroup

from . import queries
from .indicators import TABLE_KEYS, PeriodError, Report, build_report, current_period, parse_period
from .rules import report_people

router = Router(tags=["reporting"])
TEAM = Query(None, ge=1, le=DB_INT_MAX, description="Only this team's caseload")


class ReportColumnOut(Schema):
    label: str
    kind: str


class ReportTableOut(Schema):
    key: str
    title: str
    definition: str
    note: str
    columns: list[ReportColumnOut]
    rows: list[list[str | int | Decimal | None]]


class ReportOut(Schema):
    authority: str
    period: str
    start: str
    end: str
    caseload_only: bool
    pb_target_percent: Decimal
    tables: list[ReportTableOut]


def _report(request: AuthedRequest, period: str, client_group: str, team: int | None,
            sections: tuple[str, ...]) -> Report:  # fmt: skip
    authority: Authority | None = request.authority
    if authority is None or not request.user.has_perm("reporting.view_reports", authority):
        raise PermissionDenied("reporting.view_reports")
    errors: dict[str, list[str]] = {}
    chosen = current_period()
    if period:
        try:
            chosen = parse_period(period)
        except PeriodError as exc:
            errors["period"] = [str(exc).split(": ", 1)[1]]
    if client_group and client_group not in ClientGroup.values:
        errors["client_group"] = ["Choose a client group from the list"]
    if team is not None and team not in {pk for pk, _ in queries.teams(authority)}:
        errors["team"] = ["No such team in this authority"]
    if errors:
        raise ServiceError(errors)
    return build_report(authority, chosen, client_group=client_group, team_id=team,
                        caseload=report_people(request.user, authority), sections=sections)  # fmt: skip


def _out(report: Report) -> dict[str, Any]:
    return {
        "authority": report.authority.slug,
        "period": report.period.label,
        "start": report.period.start.isoformat(),
        "end": report.period.end.isoformat(),
        "caseload_only": report.scope.caseload is not None,
        "pb_target_percent": report.target,
        "tables": [
            {"key": t.key, "title": t.title, "definition": t.definition, "note": t.note,
             "columns": [{"label": c.label, "kind": c.kind} for c in t.columns], "rows": t.rows}
            for t in report.tables
        ],
    }  # fmt: skip


@router.get("/reports", response=ReportOut, summary="Every indicator for a period (money in pence)")
def all_indicators(
    request: AuthedRequest, period: str = "", client_group: str = "", team: int | None = TEAM
) -> Any:
    return _out(_report(request, period, client_group, team, TABLE_KEYS))


@router.get("/reports/{key}", response=ReportOut, summary="One indicator table for a period")
def one_indicator(
    request: AuthedRequest, key: str, period: str = "", client_group: str = "", team: int | None = TEAM
) -> Any:
    if key not in TABLE_KEYS:
        raise Http404("no such indicator")
    return _out(_report(request, period, client_group, team, (key,)))
