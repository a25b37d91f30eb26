"""Whole-population engine (numpy): pot sizing and what-if between policy versions.

Commissioners preview the effect of a rate change on everyone before recalculating
budgets in bulk, and size the pot from the price per point (seed 004 glossary). That
means running the RAS for every person at once. Answers are encoded as columns
(categorical codes, yes/no as int8, numbers in hundredths) and the points and bands
methods, conditions, eligibility, adjustments, rounding and limits run as array
operations. Other methods (matrix, schedule, traditional services) fall back to the
per-person engine for just the rows that use them.

The integer formulas are the same as the per-person path (:mod:`.money`), so results are
equal to the penny; the tests check this with hypothesis.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from .allocate import _allocate_normalised, band_hours_twice_centi, stream_order
from .loader import Policy, _freeze
from .money import CENTI, FP, SCORE_SCALE, div_round, round_fp_to_pence, scaled
from .questionnaire import normalise_answer
from .schema import (
    FACS_BANDS,
    BandsMethod,
    Condition,
    FixedMethod,
    PointsDerived,
    PointsMethod,
    Rate,
    RateByAnswer,
    RateRef,
    ShareMethod,
)

I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]

VECTOR_METHODS = frozenset({"points", "bands", "fixed", "share_of_stream"})


@dataclass(frozen=True)
class Categorical:
    """A choice column: integer codes into ``categories``; -1 means unanswered."""

    codes: npt.NDArray[np.int32]
    categories: tuple[str, ...]


@dataclass(frozen=True)
class MultiChoice:
    """A multiple-choice column: one boolean column per category."""

    chosen: npt.NDArray[np.bool_]
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Numbers:
    """A number column in hundredths, with a mask of who answered."""

    centi: I64
    present: Bool


@dataclass
class Population:
    """N people's answers as columns, plus reporting groups (e.g. client group, age band)."""

    n: int
    yes_no: dict[str, npt.NDArray[np.int8]] = field(default_factory=dict)
    choice: dict[str, Categorical] = field(default_factory=dict)
    multi: dict[str, MultiChoice] = field(default_factory=dict)
    number: dict[str, Numbers] = field(default_factory=dict)
    groups: dict[str, npt.NDArray[np.str_]] = field(default_factory=dict)

    @classmethod
    def from_answers(
        cls,
        answers: Sequence[Mapping[str, Any]],
        policies: Iterable[Policy],
        groups: Mapping[str, Sequence[str]] | None = None,
    ) -> Population:
        """Encode answer dicts; question types come from the policies (a what-if passes both versions).

        Answers are checked with the same rules as the per-person engine; a bad one raises ValueError.
        """
        qtypes: dict[str, Any] = {}
        for pol in policies:
            for qid, q in pol.questions.items():
                qtypes.setdefault(qid, q)
        n = len(answers)
        pop = cls(n)
        for qid, q in qtypes.items():
            values = []
            for a in answers:
                v = a.get(qid)
                if v is not None:
                    v, msg = normalise_answer(q, v)
                    if msg:
                        raise ValueError(msg)
                values.append(v)
            if q.type == "yes_no":
                pop.yes_no[qid] = np.array([-1 if v is None else int(v) for v in values], dtype=np.int8)
            elif q.type == "single_choice":
                cats = tuple(o.value for o in q.options)
                idx = {c: i for i, c in enumerate(cats)}
                pop.choice[qid] = Categorical(
                    np.array([-1 if v is None else idx[v] for v in values], dtype=np.int32), cats
                )
            elif q.type == "multiple_choice":
                cats = tuple(o.value for o in q.options)
                mat = np.zeros((n, len(cats)), dtype=np.bool_)
                for i, v in enumerate(values):
                    for c in v or ():
                        mat[i, cats.index(c)] = True
                pop.multi[qid] = MultiChoice(mat, cats)
            elif q.type == "number":
                pop.number[qid] = Numbers(
                    np.array([0 if v is None else scaled(v, CENTI) for v in values], dtype=np.int64),
                    np.array([v is not None for v in values], dtype=np.bool_),
                )
        for name, col in (groups or {}).items():
            pop.groups[name] = np.asarray(col, dtype=np.str_)
        return pop

    def row(self, i: int) -> dict[str, Any]:
        """One person's answers back as a dict (for the per-person fallback)."""
        out: dict[str, Any] = {}
        for qid, yn in self.yes_no.items():
            if yn[i] >= 0:
                out[qid] = bool(yn[i])
        for qid, cat in self.choice.items():
            if cat.codes[i] >= 0:
                out[qid] = cat.categories[cat.codes[i]]
        for qid, mc in self.multi.items():
            out[qid] = tuple(sorted(c for c, on in zip(mc.categories, mc.chosen[i], strict=True) if on))
        for qid, num in self.number.items():
            if num.present[i]:
                out[qid] = Decimal(int(num.centi[i])) / CENTI
        return out


@dataclass(frozen=True)
class PopulationResult:
    """Annual pence per stream per person, the FACS band index and the route per person."""

    policy_version: str
    streams: dict[str, I64]
    band: npt.NDArray[np.int8]
    route: npt.NDArray[np.int8]  # 0 eligible, then 1 + index of below-threshold route

    @property
    def total(self) -> I64:
        total = np.zeros(len(self.band), dtype=np.int64)
        for arr in self.streams.values():
            total += arr
        return total


def _referenced_questions(policy: Policy) -> set[str]:
    """Question ids the rules read directly (conditions, rates, quantities), not through points."""
    keys = {"answer", "question", "hours_question", "row_question", "column_question"}
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in keys and isinstance(v, str):
                    found.add(v)
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(policy.model.model_dump(by_alias=True, exclude={"questionnaire"}))
    return found


class _Vec:
    """Evaluates one policy over a population."""

    def __init__(self, policy: Policy, pop: Population):
        self.p = policy
        self.pop = pop
        self.n = pop.n
        self.opened = self._opened()
        self.scores = self._derived()  # points already ignore closed domains
        self.pop = self._mask_closed(pop)

    def _mask_closed(self, pop: Population) -> Population:
        """Hide answers to questions in closed domains, as the per-person path does."""
        out = Population(
            pop.n, dict(pop.yes_no), dict(pop.choice), dict(pop.multi), dict(pop.number), pop.groups
        )
        used = _referenced_questions(self.p)
        for d in self.p.model.questionnaire.domains:
            if not d.triggers:
                continue
            closed = ~self.opened[d.id]
            for q in d.questions:
                if q.id not in used:
                    continue
                if q.id in out.yes_no:
                    out.yes_no[q.id] = np.where(closed, -1, out.yes_no[q.id]).astype(np.int8)
                elif q.id in out.choice:
                    c = out.choice[q.id]
                    codes = np.where(closed, -1, c.codes).astype(np.int32)
                    out.choice[q.id] = Categorical(codes, c.categories)
                elif q.id in out.multi:
                    m = out.multi[q.id]
                    out.multi[q.id] = MultiChoice(m.chosen & ~closed[:, None], m.categories)
                elif q.id in out.number:
                    num = out.number[q.id]
                    out.number[q.id] = Numbers(num.centi, num.present & ~closed)
        return out

    # ---- answers
    def _yes(self, qid: str) -> Bool:
        col = self.pop.yes_no.get(qid)
        return np.zeros(self.n, np.bool_) if col is None else col == 1

    def _codes_for(self, qid: str, values: Iterable[str]) -> tuple[npt.NDArray[np.int32], list[int]]:
        cat = self.pop.choice.get(qid)
        if cat is None:
            return np.full(self.n, -1, np.int32), []
        return cat.codes, [cat.categories.index(v) for v in values if v in cat.categories]

    def _choice_table(self, qid: str, table: Mapping[str, int], missing: int) -> I64:
        """Map a choice column through ``table`` (category -> int); unanswered/unknown -> ``missing``."""
        cat = self.pop.choice.get(qid)
        if cat is None:
            return np.full(self.n, missing, np.int64)
        lut = np.array([table.get(c, missing) for c in cat.categories] + [missing], dtype=np.int64)
        return lut[cat.codes]  # code -1 picks the trailing "missing" entry

    def _points(self, qid: str) -> I64:
        q = self.p.questions[qid]
        if q.type == "yes_no":
            col = self.pop.yes_no.get(qid)
            if col is None or q.points_yes == 0:
                return np.zeros(self.n, np.int64)
            return np.where(col == 1, np.int64(scaled(q.points_yes, CENTI)), np.int64(0))
        if q.type == "single_choice":
            return self._choice_table(qid, {o.value: scaled(o.points, CENTI) for o in q.options}, 0)
        if q.type == "multiple_choice":
            mc = self.pop.multi.get(qid)
            if mc is None:
                return np.zeros(self.n, np.int64)
            pts = {o.value: scaled(o.points, CENTI) for o in q.options}
            vec = np.array([pts.get(c, 0) for c in mc.categories], dtype=np.int64)
            return mc.chosen.astype(np.int64) @ vec
        return np.zeros(self.n, np.int64)

    def _opened(self) -> dict[str, Bool]:
        out = {}
        for d in self.p.model.questionnaire.domains:
            if not d.triggers:
                out[d.id] = np.ones(self.n, np.bool_)
            else:
                acc = np.zeros(self.n, np.bool_)
                for t in d.triggers:
                    acc |= self._yes(t.id)
                out[d.id] = acc
        return out

    def _derived(self) -> dict[str, I64]:
        raw: dict[str, I64] = {}
        for d in self.p.model.questionnaire.domains:
            acc = np.zeros(self.n, np.int64)
            for t in d.triggers:
                acc += self._points(t.id)
            if d.questions:
                inner = np.zeros(self.n, np.int64)
                for q in d.questions:
                    if q.type in ("yes_no", "single_choice", "multiple_choice"):
                        inner += self._points(q.id)
                acc += np.where(self.opened[d.id], inner, 0)
            raw[d.id] = acc
        out: dict[str, I64] = {}

        def value(name: str) -> I64:
            if name in out:
                return out[name]
            d = self.p.model.derived[name]
            total = np.zeros(self.n, np.int64)
            if isinstance(d, PointsDerived):
                for dom, w in d.domains.items():
                    v = raw[dom] * scaled(w.weight, CENTI)
                    if w.cap is not None:
                        v = np.minimum(v, scaled(w.cap, SCORE_SCALE))
                    total += v
            else:
                for x in d.of:
                    total = total + value(x)
            if d.cap is not None:
                total = np.minimum(total, scaled(d.cap, SCORE_SCALE))
            out[name] = total
            return total

        for name in self.p.model.derived:
            value(name)
        return out

    # ---- conditions
    def cond(self, c: Condition | None) -> Bool:
        if c is None:
            return np.ones(self.n, np.bool_)
        if c.any_ is not None:
            acc = np.zeros(self.n, np.bool_)
            for s in c.any_:
                acc |= self.cond(s)
            return acc
        if c.all_ is not None:
            acc = np.ones(self.n, np.bool_)
            for s in c.all_:
                acc &= self.cond(s)
            return acc
        if c.not_ is not None:
            return ~self.cond(c.not_)
        if c.domain_open is not None:
            return self.opened[c.domain_open]
        if c.derived is not None:
            return self._range(self.scores[c.derived], np.ones(self.n, np.bool_), c, SCORE_SCALE)
        assert c.answer is not None
        q = self.p.questions[c.answer]
        if q.type == "yes_no":
            col = self.pop.yes_no.get(q.id, np.full(self.n, -1, np.int8))
            if c.answered is not None:
                return (col >= 0) == c.answered
            wanted = [c.is_] if c.is_ is not None else list(c.in_ or [])
            acc = np.zeros(self.n, np.bool_)
            for v in wanted:
                acc |= col == (1 if (v is True or str(v).lower() == "yes") else 0)
            return acc
        if q.type == "single_choice":
            codes, idx = self._codes_for(
                q.id, [str(c.is_)] if c.is_ is not None else [str(v) for v in c.in_ or []]
            )
            if c.answered is not None:
                return (codes >= 0) == c.answered
            return np.isin(codes, idx)
        if q.type == "multiple_choice":
            mc = self.pop.multi.get(q.id)
            if c.answered is not None:  # a multiple-choice answer is always present once encoded
                return np.full(self.n, c.answered, np.bool_)
            if mc is None or c.includes not in mc.categories:
                return np.zeros(self.n, np.bool_)
            return mc.chosen[:, mc.categories.index(c.includes)].copy()
        if q.type == "number":
            num = self.pop.number.get(q.id, Numbers(np.zeros(self.n, np.int64), np.zeros(self.n, np.bool_)))
            if c.answered is not None:
                return num.present == c.answered
            return self._range(num.centi, num.present, c, CENTI)
        return np.zeros(self.n, np.bool_)

    @staticmethod
    def _range(v: I64, present: Bool, c: Condition, scale: int) -> Bool:
        ok = present.copy()
        if c.at_least is not None:
            ok &= v >= scaled(c.at_least, scale)
        if c.at_most is not None:
            ok &= v <= scaled(c.at_most, scale)
        return ok

    # ---- rates and methods
    def rate_fp(self, ref: RateRef) -> I64:
        """Rate in fixed point per person (0 where it cannot be chosen, as in the per-person path)."""
        rates = self.p.model.rates
        if isinstance(ref, RateByAnswer):
            default = scaled(rates[ref.default].amount, FP) if ref.default else 0
            table = {opt: scaled(rates[rid].amount, FP) for opt, rid in ref.rates.items()}
            return self._choice_table(ref.question, table, default)
        return np.full(self.n, scaled(rates[ref].amount, FP), np.int64)

    def eligibility(self) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int8]]:
        e = self.p.model.eligibility
        band = np.full(self.n, FACS_BANDS.index(e.default_band), np.int8)
        decided = np.zeros(self.n, np.bool_)
        for rule in e.rules:
            hit = self.cond(rule.when) & ~decided
            band[hit] = FACS_BANDS.index(rule.band)
            decided |= hit
        funded = np.isin(band, [FACS_BANDS.index(b) for b in e.funded_bands])
        route = np.zeros(self.n, np.int8)
        decided = funded.copy()
        for i, r in enumerate(e.below_threshold):
            hit = self.cond(r.when) & ~decided
            route[hit] = i + 1
            decided |= hit
        return band, route


def compute_population(policy: Policy, pop: Population) -> PopulationResult:
    """Annual pence per stream for everyone in ``pop`` under ``policy`` (equal to :func:`allocate`)."""
    v = _Vec(policy, pop)
    band, route = v.eligibility()
    e = policy.model.eligibility
    w = policy.model.weeks_per_year
    final: dict[str, I64] = {}
    fallback_rows: dict[int, dict[str, int]] = {}

    def scalar_stream(i: int, name: str) -> int:
        if i not in fallback_rows:
            answers = pop.row(i)
            answers = {k: val for k, val in answers.items() if k in policy.questions}
            fallback_rows[i] = _allocate_normalised(policy, answers, dt.date.min, None).annual_by_stream()
        return fallback_rows[i][name]

    for name in stream_order(policy):
        s = policy.model.streams[name]
        funded = route == 0
        for i, r in enumerate(e.below_threshold):
            if name in r.streams:
                funded = funded | (route == i + 1)
        live = funded & v.cond(s.when)
        running = np.zeros(pop.n, np.int64)
        has_method = np.zeros(pop.n, np.bool_)
        scalar_mask = np.zeros(pop.n, np.bool_)
        taken = np.zeros(pop.n, np.bool_)
        for choice in s.methods:
            mask = live & ~taken & v.cond(choice.when)
            taken |= mask
            m = choice.method
            if not mask.any():
                continue
            if m.kind not in VECTOR_METHODS:
                scalar_mask |= mask
                continue
            has_method |= mask
            if isinstance(m, PointsMethod):
                k = w if m.period == "week" else 1
                amt = div_round(v.scores[m.score] * v.rate_fp(m.price_per_point) * k, SCORE_SCALE)
            elif isinstance(m, BandsMethod):
                bands = sorted(m.bands, key=lambda b: b.from_points)
                starts = np.array([scaled(b.from_points, SCORE_SCALE) for b in bands], dtype=np.int64)
                h2 = np.array([band_hours_twice_centi(b, m.hours_in_band) for b in bands], dtype=np.int64)
                idx = np.clip(np.searchsorted(starts, v.scores[m.score], side="right") - 1, 0, len(bands) - 1)
                amt = div_round(h2[idx] * v.rate_fp(m.rate) * w, 2 * CENTI)
            elif isinstance(m, FixedMethod):
                amt = v.rate_fp(m.rate)
            else:
                assert isinstance(m, ShareMethod)
                amt = div_round(final[m.stream] * FP * scaled(m.percent, CENTI), 100 * CENTI)
            running = np.where(mask, amt, running)
        for adj in s.adjustments:
            hit = has_method & v.cond(adj.when)
            if adj.kind == "percent":
                assert adj.percent is not None
                new = div_round(running * (100 * CENTI + scaled(adj.percent, CENTI)), 100 * CENTI)
            else:
                assert adj.rate is not None
                if adj.hours_question is not None:
                    num = v.pop.number.get(adj.hours_question)
                    if num is None:
                        continue
                    hours = num.centi
                    hit &= num.present
                else:
                    assert adj.hours_per_week is not None
                    hours = np.full(pop.n, scaled(adj.hours_per_week, CENTI), np.int64)
                rate = v.rate_fp(adj.rate)
                if isinstance(adj.rate, RateByAnswer) and adj.rate.default is None:
                    hit &= v._choice_table(adj.rate.question, dict.fromkeys(adj.rate.rates, 1), 0) == 1
                new = running - div_round(hours * rate * w, CENTI)
            running = np.where(hit, new, running)
        running = np.maximum(running, 0)
        pence = round_fp_to_pence(running, s.rounding.to, s.rounding.mode)
        if s.minimum is not None:
            pence = np.where((pence > 0) & (pence < s.minimum), s.minimum, pence)
        if s.maximum is not None:
            pence = np.minimum(pence, s.maximum)
        pence = np.where(has_method, pence, 0)
        for row in np.flatnonzero(scalar_mask).tolist():
            pence[row] = scalar_stream(row, name)
        final[name] = pence.astype(np.int64)
    ordered = {k: final[k] for k in policy.model.streams}
    return PopulationResult(policy.version_id, ordered, band, route)


# --------------------------------------------------------------------------- pot sizing and what-if


def with_rates(policy: Policy, amounts: Mapping[str, Decimal | int]) -> Policy:
    """A new policy version with some rates changed (new content hash) - for previews and sizing."""
    rates = dict(policy.model.rates)
    for rid, amount in amounts.items():
        old = rates[rid]
        rates[rid] = Rate(
            amount=Decimal(amount), unit=old.unit, description=old.description, source=old.source
        )
    model = policy.model.model_copy(update={"rates": rates})
    return _freeze(model, policy.file)


@dataclass(frozen=True)
class PotSizing:
    """Price per point from the money available: ``pot / total points`` (seed 004 glossary)."""

    stream: str
    rate_id: str
    pot_pence: int
    people_scored: int
    total_points: Decimal
    price_per_point_pence: Decimal
    projected_spend_pence: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "rate_id": self.rate_id,
            "pot_pence": self.pot_pence,
            "people_scored": self.people_scored,
            "total_points": str(self.total_points),
            "price_per_point_pence": str(self.price_per_point_pence),
            "projected_spend_pence": self.projected_spend_pence,
        }


def size_price_per_point(policy: Policy, pop: Population, stream: str, pot_pence: int) -> PotSizing:
    """The price per point that spends ``pot_pence`` on ``stream`` across ``pop``.

    Total points are counted only for people whom the points method would fund (eligible,
    stream applies, first matching method is points). The price is rounded *down* to
    1/10,000 of a penny; ``projected_spend_pence`` reruns the population at that price, after
    adjustments, rounding and limits, so the commissioner sees the real spend.
    """
    v = _Vec(policy, pop)
    s = policy.model.streams[stream]
    band, route = v.eligibility()
    funded = route == 0
    for i, r in enumerate(policy.model.eligibility.below_threshold):
        if stream in r.streams:
            funded = funded | (route == i + 1)
    live = funded & v.cond(s.when)
    taken = np.zeros(pop.n, np.bool_)
    method: PointsMethod | None = None
    points_mask = np.zeros(pop.n, np.bool_)
    for ch in s.methods:
        mask = live & ~taken & v.cond(ch.when)
        taken |= mask
        if isinstance(ch.method, PointsMethod):
            method, points_mask = ch.method, mask
            break
    if method is None or isinstance(method.price_per_point, RateByAnswer):
        raise ValueError(f"stream {stream!r} has no points method with a single price per point")
    total_scaled = int(v.scores[method.score][points_mask].sum())
    total = Decimal(total_scaled) / SCORE_SCALE
    if total_scaled == 0:
        raise ValueError("nobody scores any points: the price per point is undefined")
    k = policy.model.weeks_per_year if method.period == "week" else 1
    price_fp = (pot_pence * FP * SCORE_SCALE) // (total_scaled * k)
    price = Decimal(price_fp) / FP
    sized = with_rates(policy, {method.price_per_point: price})
    spend = int(compute_population(sized, pop).streams[stream].sum())
    return PotSizing(stream, method.price_per_point, pot_pence, int(points_mask.sum()), total, price, spend)


PERCENTILES = (10, 25, 50, 75, 90)


def _distribution(values: I64) -> dict[str, int]:
    if len(values) == 0:
        return {f"p{q}": 0 for q in PERCENTILES} | {"mean": 0}
    out = {f"p{q}": int(np.percentile(values, q, method="nearest")) for q in PERCENTILES}
    out["mean"] = int(div_round(int(values.sum()), len(values)))
    return out


def what_if(
    base: Policy, proposed: Policy, pop: Population, group_by: Sequence[str] = ("client_group", "age_band")
) -> dict[str, Any]:
    """Compare two policy versions over one population; plain data for a chart or the API.

    Totals per stream, the distribution of personal totals (percentiles), winners/losers
    (anyone whose total changes by at least a penny) and the same grouped by ``group_by``
    (columns in ``pop.groups``).
    """
    a = compute_population(base, pop)
    b = compute_population(proposed, pop)
    ta, tb = a.total, b.total
    diff = tb - ta
    streams = sorted(set(a.streams) | set(b.streams))
    zero = np.zeros(pop.n, np.int64)
    out: dict[str, Any] = {
        "people": pop.n,
        "base": {"policy_version": base.version_id, "total_pence": int(ta.sum())},
        "proposed": {"policy_version": proposed.version_id, "total_pence": int(tb.sum())},
        "streams": {
            s: {
                "base_pence": int(a.streams.get(s, zero).sum()),
                "proposed_pence": int(b.streams.get(s, zero).sum()),
                "change_pence": int(b.streams.get(s, zero).sum() - a.streams.get(s, zero).sum()),
            }
            for s in streams
        },
        "distribution": {
            "base": _distribution(ta),
            "proposed": _distribution(tb),
            "change": _distribution(diff),
        },
        "winners": int((diff > 0).sum()),
        "losers": int((diff < 0).sum()),
        "unchanged": int((diff == 0).sum()),
        "groups": {},
    }
    for g in group_by:
        col = pop.groups.get(g)
        if col is None:
            continue
        table = {}
        for value in sorted(set(col.tolist())):
            m = col == value
            table[value] = {
                "people": int(m.sum()),
                "base_pence": int(ta[m].sum()),
                "proposed_pence": int(tb[m].sum()),
                "winners": int((diff[m] > 0).sum()),
                "losers": int((diff[m] < 0).sum()),
                "median_change_pence": int(np.percentile(diff[m], 50, method="nearest")),
            }
        out["groups"][g] = table
    return out


def age_bands(ages: Sequence[int | Decimal | None], edges: Sequence[int] = (18, 65, 75, 85)) -> list[str]:
    """Reporting age bands such as ``18-64``, ``65-74``, ``75-84``, ``85+`` (``unknown`` if missing)."""
    labels = [f"{lo}-{hi - 1}" for lo, hi in zip(edges, edges[1:], strict=False)] + [f"{edges[-1]}+"]
    out = []
    for a in ages:
        if a is None:
            out.append("unknown")
            continue
        i = int(np.searchsorted(np.array(edges), int(a), side="right")) - 1
        out.append("unknown" if i < 0 else labels[i])
    return out
