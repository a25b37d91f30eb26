"""Reporting's writes, each audited: recording a move-on from short-term support (NI 141), and
asking for a monthly report pack, made in the background (``manage.py db_worker`` runs it). The
pack also stores the month's open-data extract, which the open-data download then serves."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from selfdirect.core import audit, runs
from selfdirect.core.constants import AuditAction
from selfdirect.core.dates import parse_date, period_name
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority, User
from selfdirect.core.pdf import pdf_bytes
from selfdirect.core.runs import RunStatus
from selfdirect.people.access import people_scope
from selfdirect.people.models import Person
from selfdirect.plans.constants import RefusalReason
from selfdirect.plans.models import Refusal, Review
from selfdirect.plans.services import record_refusal
from selfdirect.plans.workflow import TransitionForbidden

from . import charts
from .exports import open_data_csv
from .indicators import PeriodError, build_report, format_cell, is_month, parse_period, store_snapshots
from .models import BudgetOffer, MoveOn, OfferMadeAt, OfferOutcome, ReportPack, ShortTermService


def _person(actor: User, authority: Authority, reference: str, errors: dict[str, list[str]]) -> Person | None:
    """The person with ``reference`` among those the actor may edit; else None, with the error at
    ``reference``."""
    reference = (reference or "").strip()
    if not reference:
        errors["reference"] = ["Enter the person's reference"]
        return None
    person = people_scope(actor, authority, "edit").filter(reference=reference).first()
    if person is None:
        errors["reference"] = [f"No one you work with has the reference {reference!r}"]
    return person


def _past_date(text: str, field: str, what: str, errors: dict[str, list[str]]) -> dt.date | None:
    """The date in ``text`` (``what``, e.g. "the date they left"), today or earlier; else None,
    with the error at ``field``."""
    try:
        day = parse_date(text)
    except ValueError:
        errors[field] = [f"Enter {what}, like 31 10 2026"]
        return None
    if day > timezone.localdate():
        errors[field] = [f"{what[0].upper()}{what[1:]} must be today or in the past"]
        return None
    return day


def _decline(actor: User, person: Person, reason: str, notes: str, day: dt.date) -> Refusal:
    """A declined offer's refusal (the plans app's, which brings its follow-up date), recorded by
    the person's assessor or planner only."""

    try:
        return record_refusal(actor, person, reason, notes, today=day)
    except TransitionForbidden as exc:
        raise ServiceError(
            {
                "outcome": [
                    "Only the person's assessor or planner can record a decline, as the follow-up is theirs"
                ]
            }
        ) from exc


def record_move_on(
    actor: User,
    authority: Authority,
    *,
    reference: str,
    service: str,
    left_on: str,
    planned: str,
    destination: str = "",
) -> MoveOn:
    """Record that a person left short-term support, planned or not. Every field is checked
    before anything is written; the person must be one the actor may edit."""
    errors: dict[str, list[str]] = {}
    person = _person(actor, authority, reference, errors)
    if service not in ShortTermService.values:
        errors["service"] = ["Choose the support they left"]
    day = _past_date(left_on, "left_on", "the date they left", errors)
    if planned not in ("yes", "no"):
        errors["planned"] = ["Say whether they moved on in a planned way"]
    if len(destination or "") > 200:
        errors["destination"] = ["Where they moved to must be 200 characters or fewer"]
    if errors or person is None or day is None:
        raise ServiceError(errors)
    with transaction.atomic():
        move = MoveOn.objects.create(
            authority=authority, person=person, service=service, left_on=day, planned=planned == "yes",
            destination=(destination or "").strip(), recorded_by=actor,
        )  # fmt: skip
        audit.record(
            actor=actor, authority=authority, action=AuditAction.CREATE, obj=move, person_id=person.pk,
            reason=f"Left {move.get_service_display().lower()} on {day} ({'planned' if move.planned else 'not planned'})",
        )  # fmt: skip
    return move


def record_review_offer(
    actor: User,
    authority: Authority,
    *,
    reference: str,
    offered_on: str,
    outcome: str,
    reason: str = "",
    notes: str = "",
) -> BudgetOffer:
    """Record that a personal budget was offered at someone's review (seed 001), and their answer:
    accepted, declined (with the reason: the plans app's refusal, which brings its follow-up
    date), or not decided yet. Every field is checked before anything is written. If the person's
    support plan had a review held that day, the offer is linked to it; otherwise it was a
    review of traditional services."""

    errors: dict[str, list[str]] = {}
    person = _person(actor, authority, reference, errors)
    day = _past_date(offered_on, "offered_on", "the date of the review", errors)
    if outcome not in OfferOutcome.values:
        errors["outcome"] = ["Say whether they accepted, declined or have not decided yet"]
    if outcome == OfferOutcome.DECLINED and reason not in RefusalReason.values:
        errors["reason"] = ["Choose why they declined"]
    if len(notes or "") > 2000:
        errors["notes"] = ["Notes must be 2,000 characters or fewer"]
    if errors or person is None or day is None:
        raise ServiceError(errors)
    review = (
        Review.objects.filter(authority=authority, plan__person=person, held_on=day).order_by("-pk").first()
    )
    with transaction.atomic():
        refusal = _decline(actor, person, reason, notes, day) if outcome == OfferOutcome.DECLINED else None
        offer = BudgetOffer.objects.create(
            authority=authority, person=person, made_at=OfferMadeAt.REVIEW, review=review, offered_on=day,
            outcome=outcome, decided_on=None if outcome == OfferOutcome.UNDECIDED else day, refusal=refusal,
            notes=(notes or "").strip(), recorded_by=actor,
        )  # fmt: skip
        audit.record(
            actor=actor, authority=authority, action=AuditAction.CREATE, obj=offer, person_id=person.pk,
            reason=f"Personal budget offered at a review on {day}: {offer.get_outcome_display().lower()}",
        )  # fmt: skip
    return offer


def decide_review_offer(
    actor: User, offer: BudgetOffer, *, outcome: str, reason: str = "", notes: str = ""
) -> BudgetOffer:
    """Record the answer to an offer at a review that was not decided then, dated today."""

    if offer.outcome != OfferOutcome.UNDECIDED:
        raise ServiceError({"outcome": ["This offer has already been answered"]})
    errors: dict[str, list[str]] = {}
    if outcome not in (OfferOutcome.ACCEPTED, OfferOutcome.DECLINED):
        errors["outcome"] = ["Say whether they accepted or declined"]
    if outcome == OfferOutcome.DECLINED and reason not in RefusalReason.values:
        errors["reason"] = ["Choose why they declined"]
    if errors:
        raise ServiceError(errors)
    day = timezone.localdate()
    with transaction.atomic():
        if outcome == OfferOutcome.DECLINED:
            offer.refusal = _decline(actor, offer.person, reason, notes, day)
        offer.outcome, offer.decided_on = outcome, day
        offer.save(update_fields=["outcome", "decided_on", "refusal"])
        audit.record(
            actor=actor, authority=offer.authority, action=AuditAction.CHANGE, obj=offer, person_id=offer.person_id,
            reason=f"Answer to the personal budget offered on {offer.offered_on}: {offer.get_outcome_display().lower()}",
        )  # fmt: skip
    return offer


def request_pack(
    actor: User | None, authority: Authority, month: str, *, run_now: bool = False
) -> ReportPack:
    """Record a pack for ``month`` (2026-10) and queue it, or make it at once (``run_now``)."""
    text = (month or "").strip()
    try:
        period = parse_period(text)
        if not is_month(period.label):
            raise PeriodError(text)
    except PeriodError as exc:
        raise ServiceError({"period": [f"Enter a month like October 2026, not {text!r}"]}) from exc
    if period.start > timezone.localdate():
        raise ServiceError({"period": ["The month has not started yet"]})
    with transaction.atomic():
        pack = ReportPack.objects.create(authority=authority, period=period.label, requested_by=actor)
        audit.record(
            actor=actor, authority=authority, action=AuditAction.CREATE, obj=pack,
            reason=f"Monthly report pack for {period_name(period.label)}" + ("" if actor else " (scheduled)"),
        )  # fmt: skip
    if run_now:
        make_pack(pack.pk)
        pack.refresh_from_db()
        return pack
    runs.enqueue(pack, "selfdirect.reporting.tasks.report_pack_task")
    return pack


def pack_context(authority: Authority, month: str) -> dict[str, Any]:
    """The pack's content: every indicator for the whole authority, with chart and table."""
    report = build_report(authority, parse_period(month))
    sections = []
    for table in report.tables:
        rows = [
            [format_cell(v, c.kind) for v, c in zip(row, table.columns, strict=True)] for row in table.rows
        ]
        sections.append({"table": table, "rows": rows, "chart": charts.table_chart(table)})
    return {"report": report, "sections": sections, "made_at": timezone.now()}


def make_pack(pack_id: int) -> None:
    """Lay out the pack's PDF and store it; a failure is kept on the pack, to show on its page."""
    pack = ReportPack.objects.select_related("authority").get(pk=pack_id)
    if pack.status == RunStatus.DONE:
        return  # made already: a task delivered twice makes nothing twice
    runs.start(ReportPack, pack.pk)
    try:
        store_snapshots(pack.authority, parse_period(pack.period), timezone.localdate())
        context = pack_context(pack.authority, pack.period)
        html = render_to_string("reporting/pack_pdf.html", context)
        data = pdf_bytes(html)
        extract = open_data_csv(context["report"])
    except Exception as exc:  # the pack's page says why
        runs.fail(ReportPack, pack.pk, str(exc))
        raise
    runs.finish(ReportPack, pack.pk, pdf=data, size_bytes=len(data), open_data=extract)
