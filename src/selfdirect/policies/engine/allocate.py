"""Allocate one person's indicative budget, per funding stream, with an explanation.

This is the readable path: each step adds an :class:`ExplanationLine` in plain English
for the person and with the full derivation for staff. The lines of a stream always
add up to that stream's total, because each line is the change in the running amount
rounded to the penny (the last lines carry the policy's rounding and limits).

The figure is *indicative*: courts have held a RAS lawful only as a starting point
(Savva v RBKC, 2010), so the final amount and the reasons for any difference are kept
beside it by the caller; this engine never pretends to give the final figure.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from .eligibility import AssessorDecision, EligibilityResult, determine_eligibility_normalised
from .loader import Policy
from .methods import method_for
from .methods.common import Part
from .money import (
    CENTI,
    FP,
    div_round,
    format_fp,
    format_number,
    format_pence,
    format_rate,
    round_fp_to_pence,
    scaled,
)
from .questionnaire import (
    AnswerError,
    AnswerProblem,
    applicable_answers,
    condition_holds,
    derived_scores,
    missing_answers,
    normalise_answers,
    open_domains,
)
from .schema import PolicyModel, RateByAnswer, RateRef, Stream


class AssessmentIncomplete(ValueError):
    """Raised when required questions are unanswered; ``missing`` lists them."""

    def __init__(self, missing: list[Any]):
        self.missing = missing
        super().__init__("unanswered: " + ", ".join(m.question_id for m in missing))


@dataclass(frozen=True)
class ExplanationLine:
    """One line of "why this amount": shown line by line, and serialised for the API."""

    stream: str
    step: str
    person_text: str
    staff_text: str
    amount_pence: int
    policy_version: str
    policy_hash: str
    rates: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StreamAllocation:
    stream: str
    title: str
    annual_pence: int
    weekly_pence: int
    method: str | None
    lines: tuple[ExplanationLine, ...]
    # How the money is paid when it is not level: {"phases": [{"weeks", "weekly_pence"}, ...]} for a
    # diminishing schedule (the ledger's instalments follow them), {"once": True} for a stream the
    # policy pays once; None for level instalments.
    schedule: dict[str, Any] | None = None


@dataclass(frozen=True)
class Allocation:
    """An indicative budget: per stream, in total, with the lines that explain it."""

    authority: str
    policy_id: str
    policy_version: str
    policy_hash: str
    on: dt.date
    eligibility: EligibilityResult
    streams: dict[str, StreamAllocation]
    rates_used: dict[str, str]

    @property
    def total_annual_pence(self) -> int:
        return sum(s.annual_pence for s in self.streams.values())

    @property
    def total_weekly_pence(self) -> int:
        return sum(s.weekly_pence for s in self.streams.values())

    @property
    def lines(self) -> list[ExplanationLine]:
        return [line for s in self.streams.values() for line in s.lines]

    def annual_by_stream(self) -> dict[str, int]:
        return {k: s.annual_pence for k, s in self.streams.items()}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data for the API (money stays integer pence)."""
        return {
            "authority": self.authority,
            "policy_id": self.policy_id,
            "policy_version": self.policy_version,
            "policy_hash": self.policy_hash,
            "on": self.on.isoformat(),
            "indicative": True,
            "eligibility": self.eligibility.to_dict(),
            "total_annual_pence": self.total_annual_pence,
            "total_weekly_pence": self.total_weekly_pence,
            "streams": {
                k: {
                    "title": s.title,
                    "annual_pence": s.annual_pence,
                    "weekly_pence": s.weekly_pence,
                    "method": s.method,
                    "schedule": s.schedule,
                }
                for k, s in self.streams.items()
            },
            "rates_used": dict(self.rates_used),
            "lines": [asdict(line) for line in self.lines],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)


# --------------------------------------------------------------------------- internals


@dataclass
class _Ctx:
    """One person's side of the calculation, as the methods see it (:class:`.methods.common.OnePerson`)."""

    policy: Policy
    answers: Mapping[str, Any]
    scores: Mapping[str, int]
    opened: set[str]
    final: dict[str, int]
    rates: dict[str, str] = field(default_factory=dict)

    @property
    def model(self) -> PolicyModel:
        return self.policy.model

    def holds(self, cond: Any) -> bool:
        return cond is None or condition_holds(self.policy, cond, self.answers, self.scores, self.opened)

    def rate(self, ref: RateRef) -> tuple[str, Decimal] | None:
        """The rate id and amount, recorded as used; for a rate chosen by answer, ``None`` if
        unanswered without a default."""
        if isinstance(ref, RateByAnswer):
            value = self.answers.get(ref.question)
            rid = ref.rates.get(value) if isinstance(value, str) else None
            rid = rid or ref.default
            if rid is None:
                return None
        else:
            rid = ref
        amount = self.policy.rate_amount(rid)
        self.rates[rid] = format_rate(amount)
        return rid, amount


def apply_adjustments_fp(ctx: _Ctx, stream: Stream, running: int) -> tuple[int, list[Part]]:
    """Apply the stream's adjustments in order; returns the new running amount and a part per change."""
    w = ctx.policy.model.weeks_per_year
    parts = []
    for adj in stream.adjustments:
        if not ctx.holds(adj.when):
            continue
        before = running
        if adj.kind == "percent":
            assert adj.percent is not None
            running = div_round(running * (100 * CENTI + scaled(adj.percent, CENTI)), 100 * CENTI)
            staff = f"{adj.label}: {format_number(adj.percent)}%"
        else:
            if adj.hours_question is not None:
                hours = ctx.answers.get(adj.hours_question)
                if hours is None:
                    continue
            else:
                hours = adj.hours_per_week
            assert adj.rate is not None and hours is not None
            rate = ctx.rate(adj.rate)
            if rate is None:
                continue
            rid, amount = rate
            running -= div_round(scaled(hours, CENTI) * scaled(amount, FP) * w, CENTI)
            staff = f"{adj.label}: -{format_number(hours)} h/wk x {rid} {format_rate(amount)}/h x {w} weeks"
        parts.append(
            Part(
                "adjustment",
                adj.person_text or adj.label,
                f"{staff} ({format_fp(before)} -> {format_fp(running)})",
                running - before,
            )
        )
    return running, parts


def limit_pence(stream: Stream, pence: int) -> int:
    """Minimum (only for someone who gets something) and maximum, in annual pence."""
    if stream.minimum is not None and 0 < pence < stream.minimum:
        pence = stream.minimum
    if stream.maximum is not None and pence > stream.maximum:
        pence = stream.maximum
    return pence


def stream_order(policy: Policy) -> list[str]:
    """Streams in dependency order (a share of another stream comes after it); cycles were refused."""
    order: list[str] = []
    streams = policy.model.streams

    def visit(name: str) -> None:
        if name in order:
            return
        for ch in streams[name].methods:
            for other in method_for(ch.method).streams_used(ch.method).values():
                visit(other)
        order.append(name)

    for name in streams:
        visit(name)
    return order


def _stream(ctx: _Ctx, name: str, elig: EligibilityResult) -> StreamAllocation:
    policy = ctx.policy
    s = policy.model.streams[name]
    w = policy.model.weeks_per_year
    title = s.person_title or s.title
    ctx.rates = {}

    def line(step: str, person: str, staff: str, pence: int) -> ExplanationLine:
        return ExplanationLine(
            name, step, person, staff, pence, policy.version_id, policy.content_hash, dict(ctx.rates)
        )

    if name not in elig.funded_streams:
        why = (
            f"{title} is not part of your route ({elig.route.replace('_', ' ')})."
            if not elig.funded
            else f"{title} is not funded."
        )
        return StreamAllocation(
            name, s.title, 0, 0, None, (line("eligibility", why, f"{s.title} not funded: {elig.staff_text}", 0),)
        )
    if not ctx.holds(s.when):
        return StreamAllocation(
            name,
            s.title,
            0,
            0,
            None,
            (
                line(
                    "applies",
                    f"{title} does not apply to your answers.",
                    f"{s.title}: its condition does not hold for these answers",
                    0,
                ),
            ),
        )
    choice = next((c for c in s.methods if ctx.holds(c.when)), None)
    if choice is None:
        return StreamAllocation(
            name,
            s.title,
            0,
            0,
            None,
            (
                line(
                    "method",
                    f"{title} does not apply to your answers.",
                    f"{s.title}: none of its methods applies to these answers",
                    0,
                ),
            ),
        )
    parts = method_for(choice.method).parts(ctx, choice.method)
    running = sum(p.fp for p in parts)
    running, adj_parts = apply_adjustments_fp(ctx, s, running)
    parts.extend(adj_parts)
    if running < 0:
        parts.append(
            Part("floor", "The amount cannot go below nothing.", "negative amount set to 0", -running)
        )
        running = 0
    lines: list[ExplanationLine] = []
    shown = 0
    cum = 0
    label = f" [{choice.label}]" if choice.label else ""
    for i, p in enumerate(parts):
        cum += p.fp
        pence = round_fp_to_pence(cum, "penny", "nearest")
        staff = p.staff + (label if i == 0 else "")
        lines.append(line(p.step, p.person, staff, pence - shown))
        shown = pence
    rounded = round_fp_to_pence(running, s.rounding.to, s.rounding.mode)
    if rounded != shown:
        lines.append(
            line(
                "rounding",
                f"Rounded {s.rounding.mode} to the {s.rounding.to.replace('_', ' ')}.",
                f"Rounded {s.rounding.mode} to the {s.rounding.to.replace('_', ' ')}: {format_pence(shown)} to "
                f"{format_pence(rounded)}",
                rounded - shown,
            )
        )
    final = limit_pence(s, rounded)
    if final != rounded:
        which = "minimum" if final > rounded else "maximum"
        lines.append(
            line(
                "limit",
                f"The {which} for {title} is {format_pence(final)} a year.",
                f"{s.title}: the {which} of {format_pence(final)} a year applies",
                final - rounded,
            )
        )
    ctx.final[name] = final
    paid = _schedule(ctx, s, choice.method, final)
    return StreamAllocation(name, s.title, final, div_round(final, w), choice.method.kind, tuple(lines), paid)


def _schedule(ctx: _Ctx, stream: Stream, method: Any, final: int) -> dict[str, Any] | None:
    """How the stream's money is paid (StreamAllocation.schedule): once, as the policy says, or as
    its method pays (the phases of a diminishing schedule); None for level instalments."""
    if not final:
        return None
    if stream.paid == "once":
        return {"once": True}
    return method_for(method).payments(ctx, method)


def allocate(
    policy: Policy,
    answers: Mapping[str, Any],
    *,
    on: dt.date,
    override: AssessorDecision | None = None,
    require_complete: bool = True,
) -> Allocation:
    """The indicative budget for one person on date ``on`` (never "now": the caller passes the date).

    Raises :class:`AnswerError` for unacceptable answers, :class:`AssessmentIncomplete` when
    required questions are unanswered (unless ``require_complete`` is false: missing
    answers then score nothing), and :class:`ValueError` if the policy is not in force on ``on``.
    """
    if not policy.in_force_on(on):
        raise ValueError(f"policy {policy.version_id} is not in force on {on.isoformat()}")
    norm = normalise_answers(policy, answers)
    if require_complete:
        missing = missing_answers(policy, norm)
        if missing:
            raise AssessmentIncomplete(missing)
    return allocate_normalised(policy, norm, on, override)


def allocate_normalised(
    policy: Policy, norm: Mapping[str, Any], on: dt.date, override: AssessorDecision | None
) -> Allocation:
    """:func:`allocate` for answers already normalised, without the date and completeness checks
    (the population engine's per-person fallback)."""
    norm = applicable_answers(policy, norm)
    elig = determine_eligibility_normalised(policy, norm, override)
    ctx = _Ctx(policy, norm, derived_scores(policy, norm), set(open_domains(policy, norm)), {})
    streams: dict[str, StreamAllocation] = {}
    used: dict[str, str] = {}
    for name in stream_order(policy):
        streams[name] = _stream(ctx, name, elig)
        used.update(ctx.rates)
    ordered = {k: streams[k] for k in policy.model.streams}
    return Allocation(
        policy.authority, policy.id, policy.version_id, policy.content_hash, on, elig, ordered, used
    )


__all__ = [
    "AnswerError",
    "AnswerProblem",
    "Allocation",
    "AssessmentIncomplete",
    "ExplanationLine",
    "StreamAllocation",
    "allocate",
]
