"""Whole-population engine (numpy): pot sizing and what-if between policy versions.

Commissioners preview the effect of a rate change on everyone before recalculating
budgets in bulk, and size the pot from the price per point (seed 004 glossary). That
means running the RAS for every person at once. Answers are encoded as columns
(categorical codes, yes/no as int8, numbers in hundredths) and the scores, conditions,
eligibility, adjustments, rounding and limits run as array operations here; each method's own
vectorised form lives in its module (:mod:`.methods`). A method without one (schedule,
traditional services) falls back to the per-person engine for just the rows that use it.

The integer formulas are the same as the per-person path (:mod:`.money`), so results are
equal to the penny; the tests check this with hypothesis.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from .allocate import allocate_normalised, limit_pence, stream_order
from .loader import Policy, freeze_policy
from .methods import method_for
from .money import CENTI, FP, SCORE_SCALE, div_round, mul_div_round, round_fp_to_pence, scaled
from .questionnaire import normalise_answer
from .schema import (
    FACS_BANDS,
    Condition,
    PointsDerived,
    PointsMethod,
    PolicyModel,
    Rate,
    RateByAnswer,
    RateRef,
)

I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]


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


# --------------------------------------------------------------------------- the compiled plan
#
# A policy is compiled once (cached by its content hash) into a plan: for each derived score,
# per domain, the questions that carry points with their points already multiplied by the
# domain weight, in the narrowest integer type that provably cannot overflow; lookup tables
# from answer codes to points are built once per set of categories. Running the plan over a
# population is then a short sequence of numpy passes on preallocated arrays: no object
# arrays, no per-person Python, and every trigger mask, answer mask and condition is worked
# out once per run and reused. The integer formulas are those of :mod:`.money`, so the pence
# equal the per-person path (tests/allocation_engine/test_alloc_population.py checks it).

_INT32_MAX = 2**31 - 1


def _dtype_for(bound: int) -> type[np.int32] | type[np.int64]:
    """int32 when every value is provably within +/- ``bound`` and that fits, else int64."""
    return np.int32 if bound <= _INT32_MAX else np.int64


@dataclass(frozen=True)
class _Term:
    """One question's points inside a domain, already multiplied by the domain weight."""

    kind: str  # "yes", "choice" or "multi"
    qid: str
    yes: int  # points for "yes" (kind "yes")
    table: tuple[tuple[str, int], ...]  # option -> points (kinds "choice" and "multi")
    bound: int  # largest absolute contribution


@dataclass(frozen=True)
class _Part:
    """One domain inside a points score: trigger terms, gated inner terms, the weighted cap."""

    domain: str
    gated: bool  # the domain has triggers: inner points count only when it is open
    triggers: tuple[_Term, ...]
    inner: tuple[_Term, ...]
    cap: int | None


@dataclass(frozen=True)
class _DerivedPlan:
    kind: str  # "points" or "sum"
    parts: tuple[_Part, ...]
    of: tuple[str, ...]
    cap: int | None
    dtype: type[np.int32] | type[np.int64]


def _term(q: Any, weight: int) -> _Term | None:
    if q.type == "yes_no":
        v = scaled(q.points_yes, CENTI) * weight
        return _Term("yes", q.id, v, (), abs(v)) if v else None
    if q.type in ("single_choice", "multiple_choice"):
        table = tuple((o.value, scaled(o.points, CENTI) * weight) for o in q.options)
        if not any(v for _, v in table):
            return None
        sizes = [abs(v) for _, v in table]
        bound = max(sizes) if q.type == "single_choice" else sum(sizes)
        return _Term("choice" if q.type == "single_choice" else "multi", q.id, 0, table, bound)
    return None


class Plan:
    """A policy compiled for the population engine (see the comment above)."""

    def __init__(self, policy: Policy):
        m = policy.model
        self.policy = policy
        domains = {d.id: d for d in m.questionnaire.domains}
        self.triggers = {d.id: tuple(t.id for t in d.triggers) for d in m.questionnaire.domains}
        # answers the rules read are hidden when their domain is closed, as in the per-person path
        self.gated_by = {q.id: d.id for d in m.questionnaire.domains if d.triggers for q in d.questions}
        self.derived: dict[str, _DerivedPlan] = {}
        bounds: dict[str, int] = {}

        def compile_derived(name: str) -> int:
            if name in bounds:
                return bounds[name]
            d = m.derived[name]
            cap = None if d.cap is None else scaled(d.cap, SCORE_SCALE)
            parts: list[_Part] = []
            if isinstance(d, PointsDerived):
                bound = 0
                for dom_id, w in d.domains.items():
                    dom, weight = domains[dom_id], scaled(w.weight, CENTI)
                    trig = tuple(t for t in (_term(q, weight) for q in dom.triggers) if t)
                    inner = tuple(
                        t
                        for t in (_term(q, weight) for q in dom.questions)
                        if t and t.kind in ("yes", "choice", "multi")
                    )
                    dcap = None if w.cap is None else scaled(w.cap, SCORE_SCALE)
                    b = sum(t.bound for t in trig + inner)
                    bound += max(b, abs(dcap or 0))
                    parts.append(_Part(dom_id, bool(dom.triggers), trig, inner, dcap))
                of: tuple[str, ...] = ()
            else:
                of = tuple(d.of)
                bound = sum(compile_derived(x) for x in of)
            bound = max(bound, abs(cap or 0))
            bounds[name] = bound
            self.derived[name] = _DerivedPlan(d.kind, tuple(parts), of, cap, _dtype_for(bound))
            return bound

        for name in m.derived:
            compile_derived(name)
        self._luts: dict[tuple[Any, ...], npt.NDArray[Any]] = {}

    def lut(self, key: tuple[Any, ...], categories: tuple[str, ...], table: Mapping[str, int], missing: int,
            dtype: Any) -> npt.NDArray[Any]:  # fmt: skip
        """Answer code -> value, with a trailing entry for "unanswered" (code -1, taken with mode="wrap")."""
        full = (*key, categories, dtype)
        arr = self._luts.get(full)
        if arr is None:
            arr = np.array([table.get(c, missing) for c in categories] + [missing], dtype=dtype)
            self._luts[full] = arr
        return arr


PLANS: dict[str, Plan] = {}
_PLAN_LOCK = threading.Lock()


def plan_for(policy: Policy) -> Plan:
    """The compiled plan for ``policy``; compiled on first use, then reused (keyed by content hash)."""
    plan = PLANS.get(policy.content_hash)
    if plan is None:
        plan = Plan(policy)
        with _PLAN_LOCK:
            if len(PLANS) >= 64:
                PLANS.clear()
            PLANS[policy.content_hash] = plan
    return plan


class _Run:
    """One plan over one population; every mask and score is computed once and cached.

    Cached arrays are shared between callers and never changed in place.
    """

    def __init__(self, plan: Plan, pop: Population):
        self.plan = plan
        self.p = plan.policy
        self.pop = pop
        self.n = pop.n
        self.ones = np.ones(self.n, np.bool_)
        self.zeros = np.zeros(self.n, np.bool_)
        self._yes: dict[str, Bool | None] = {}
        self._open: dict[str, Bool] = {}
        self._codes: dict[str, npt.NDArray[np.int32] | None] = {}
        self._scores: dict[str, npt.NDArray[Any]] = {}
        self._conds: dict[int, Bool] = {}
        self._elig: tuple[npt.NDArray[np.int8], npt.NDArray[np.int8]] | None = None

    @property
    def model(self) -> PolicyModel:
        return self.p.model

    # ---- answers
    def yes_raw(self, qid: str) -> Bool | None:
        """Who answered "yes" (ignoring whether the domain is open); None if nobody has the column."""
        if qid not in self._yes:
            col = self.pop.yes_no.get(qid)
            self._yes[qid] = None if col is None else np.equal(col, 1)
        return self._yes[qid]

    def opened(self, domain: str) -> Bool:
        got = self._open.get(domain)
        if got is None:
            trig = self.plan.triggers[domain]
            if not trig:
                got = self.ones
            else:
                cols = [y for y in (self.yes_raw(t) for t in trig) if y is not None]
                if not cols:
                    got = self.zeros
                elif len(cols) == 1:
                    got = cols[0]
                else:
                    got = np.logical_or(cols[0], cols[1])
                    for y in cols[2:]:
                        np.logical_or(got, y, out=got)
            self._open[domain] = got
        return got

    def visible(self, qid: str) -> Bool | None:
        """Mask of people whose answer to ``qid`` counts (None: everyone's)."""
        domain = self.plan.gated_by.get(qid)
        return None if domain is None else self.opened(domain)

    def _and_visible(self, mask: Bool, qid: str) -> Bool:
        vis = self.visible(qid)
        return mask if vis is None else mask & vis

    def codes(self, qid: str) -> npt.NDArray[np.int32] | None:
        """Choice codes with -1 where unanswered or hidden by a closed domain."""
        if qid not in self._codes:
            cat = self.pop.choice.get(qid)
            vis = self.visible(qid)
            if cat is None:
                self._codes[qid] = None
            else:
                if vis is None:
                    self._codes[qid] = cat.codes
                else:  # (code + 1) x visible - 1: a hidden answer becomes -1 (three cheap passes, no branch)
                    masked = np.add(cat.codes, np.int32(1), dtype=np.int32)
                    np.multiply(masked, vis, out=masked)
                    self._codes[qid] = np.subtract(masked, np.int32(1), out=masked)
        return self._codes[qid]

    def categories(self, qid: str) -> tuple[str, ...]:
        """The options a choice column's codes index."""
        return self.pop.choice[qid].categories

    def choice_values(self, qid: str, table: Mapping[str, int], missing: int) -> I64:
        """Map a (visible) choice answer through ``table``; unanswered/unknown -> ``missing``."""
        codes = self.codes(qid)
        if codes is None:
            return np.full(self.n, missing, np.int64)
        cats = self.pop.choice[qid].categories
        lut = self.plan.lut(("values", qid, tuple(sorted(table.items())), missing), cats, table, missing,
                            np.int64)  # fmt: skip
        return np.take(lut, codes, mode="wrap")

    def number(self, qid: str) -> Numbers | None:
        num = self.pop.number.get(qid)
        if num is None:
            return None
        vis = self.visible(qid)
        return num if vis is None else Numbers(num.centi, num.present & vis)

    # ---- points
    def _add_term(self, acc: npt.NDArray[Any] | None, t: _Term, dtype: Any, tmp: npt.NDArray[Any]) -> Any:
        """``acc + points of t`` (in place when ``acc`` exists); None stays None if t adds nothing."""
        if t.kind == "yes":
            y = self.yes_raw(t.qid)
            if y is None:
                return acc
            if acc is None:
                return np.multiply(y, dtype(t.yes), dtype=dtype)
            np.multiply(y, dtype(t.yes), out=tmp)
            return np.add(acc, tmp, out=acc)
        if t.kind == "choice":
            cat = self.pop.choice.get(t.qid)
            if cat is None:
                return acc
            lut = self.plan.lut(("points", t.qid, t.table), cat.categories, dict(t.table), 0, dtype)
            if acc is None:
                return np.take(lut, cat.codes, mode="wrap")
            np.take(lut, cat.codes, mode="wrap", out=tmp)
            return np.add(acc, tmp, out=acc)
        mc = self.pop.multi.get(t.qid)
        if mc is None:
            return acc
        table = dict(t.table)
        for j, c in enumerate(mc.categories):
            v = table.get(c, 0)
            if not v:
                continue
            if acc is None:
                acc = np.multiply(mc.chosen[:, j], dtype(v), dtype=dtype)
            else:
                np.multiply(mc.chosen[:, j], dtype(v), out=tmp)
                np.add(acc, tmp, out=acc)
        return acc

    def score(self, name: str) -> npt.NDArray[Any]:
        """A derived score (points x 10,000) for everyone, int32 where that provably fits."""
        got = self._scores.get(name)
        if got is not None:
            return got
        d = self.plan.derived[name]
        total: npt.NDArray[Any] | None = None
        if d.kind == "sum":
            for x in d.of:
                s = self.score(x)
                total = s.astype(d.dtype) if total is None else np.add(total, s, out=total)
        else:
            tmp = np.empty(self.n, d.dtype)
            for part in d.parts:
                v: npt.NDArray[Any] | None = None
                for t in part.triggers:
                    v = self._add_term(v, t, d.dtype, tmp)
                inner: npt.NDArray[Any] | None = None
                for t in part.inner:
                    inner = self._add_term(inner, t, d.dtype, tmp)
                if inner is not None:
                    if part.gated:
                        np.multiply(inner, self.opened(part.domain), out=inner)
                    v = inner if v is None else np.add(v, inner, out=v)
                if v is None:
                    v = np.zeros(self.n, d.dtype)
                if part.cap is not None:
                    np.minimum(v, d.dtype(part.cap), out=v)
                total = v if total is None else np.add(total, v, out=total)
        if total is None:
            total = np.zeros(self.n, d.dtype)
        if d.cap is not None:
            np.minimum(total, d.dtype(d.cap), out=total)
        self._scores[name] = total
        return total

    # ---- conditions
    def cond(self, c: Condition | None) -> Bool:
        if c is None:
            return self.ones
        got = self._conds.get(id(c))
        if got is None:
            got = self._conds[id(c)] = self._cond(c)
        return got

    def _cond(self, c: Condition) -> Bool:
        if c.any_ is not None or c.all_ is not None:
            subs = c.any_ if c.any_ is not None else c.all_
            op = np.logical_or if c.any_ is not None else np.logical_and
            if not subs:
                return self.zeros if c.any_ is not None else self.ones
            acc = self.cond(subs[0]).copy()
            for s in subs[1:]:
                op(acc, self.cond(s), out=acc)
            return acc
        if c.not_ is not None:
            return ~self.cond(c.not_)
        if c.domain_open is not None:
            return self.opened(c.domain_open)
        if c.derived is not None:
            return self._range(self.score(c.derived), None, c, SCORE_SCALE)
        assert c.answer is not None
        q = self.p.questions[c.answer]
        if q.type == "yes_no":
            col = self.pop.yes_no.get(q.id)
            if col is None:
                return self.zeros if c.answered is None or c.answered else self.ones
            if c.answered is not None:
                answered = self._and_visible(col >= 0, q.id)
                return answered if c.answered else ~answered
            wanted = [c.is_] if c.is_ is not None else list(c.in_ or [])
            flags = {1 if (v is True or str(v).lower() == "yes") else 0 for v in wanted}
            if not flags:
                return self.zeros
            hit = col >= 0 if flags == {0, 1} else (np.equal(col, 1) if flags == {1} else np.equal(col, 0))
            return self._and_visible(hit, q.id)
        if q.type == "single_choice":
            codes = self.codes(q.id)
            if codes is None:
                codes = np.full(self.n, -1, np.int32)
            if c.answered is not None:
                answered = codes >= 0
                return answered if c.answered else ~answered
            cats = self.pop.choice[q.id].categories if q.id in self.pop.choice else ()
            values = [str(c.is_)] if c.is_ is not None else [str(v) for v in c.in_ or []]
            idx = sorted({cats.index(v) for v in values if v in cats})
            if not idx:
                return self.zeros
            acc = np.equal(codes, idx[0])
            for i in idx[1:]:
                acc |= codes == i
            return acc
        if q.type == "multiple_choice":
            mc = self.pop.multi.get(q.id)
            if c.answered is not None:  # a multiple-choice answer is always present once encoded
                return self.ones if c.answered else self.zeros
            if mc is None or c.includes not in mc.categories:
                return self.zeros
            return self._and_visible(mc.chosen[:, mc.categories.index(c.includes)].copy(), q.id)
        if q.type == "number":
            num = self.number(q.id)
            if num is None:
                return self.zeros if c.answered is None or c.answered else self.ones
            if c.answered is not None:
                return num.present if c.answered else ~num.present
            return self._range(num.centi, num.present, c, CENTI)
        return self.zeros

    @staticmethod
    def _range(v: npt.NDArray[Any], present: Bool | None, c: Condition, scale: int) -> Bool:
        tests: list[tuple[Any, int]] = []
        if c.at_least is not None:
            tests.append((np.greater_equal, scaled(c.at_least, scale)))
        if c.at_most is not None:
            tests.append((np.less_equal, scaled(c.at_most, scale)))
        info = np.iinfo(v.dtype)
        if any(not info.min <= lim <= info.max for _, lim in tests):
            v = v.astype(np.int64)
        ok = None if present is None else present.copy()
        for op, lim in tests:
            hit = op(v, v.dtype.type(lim))
            ok = hit if ok is None else np.logical_and(ok, hit, out=ok)
        return ok if ok is not None else np.ones(len(v), np.bool_)

    # ---- rates, eligibility and methods
    def rate_fp(self, ref: RateRef) -> I64 | int:
        """Rate in fixed point: one number, or per person when it depends on an answer
        (0 where it cannot be chosen, as in the per-person path)."""
        if isinstance(ref, RateByAnswer):
            default, table = self.rate_table_fp(ref)
            return self.choice_values(ref.question, table, default)
        return scaled(self.p.model.rates[ref].amount, FP)

    def rate_table_fp(self, ref: RateByAnswer) -> tuple[int, dict[str, int]]:
        """A rate chosen by answer: its default (0 without one) and answer -> rate, in fixed point."""
        rates = self.p.model.rates
        default = scaled(rates[ref.default].amount, FP) if ref.default else 0
        return default, {opt: scaled(rates[rid].amount, FP) for opt, rid in ref.rates.items()}

    def eligibility(self) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int8]]:
        if self._elig is not None:
            return self._elig
        e = self.p.model.eligibility
        # Each person is hit by at most one rule (the first that holds), so the band is the default
        # plus that rule's difference: arithmetic on int8, no masked copies.
        default = FACS_BANDS.index(e.default_band)
        band = np.full(self.n, default, np.int8)
        step = np.empty(self.n, np.int8)
        decided = np.zeros(self.n, np.bool_)
        for rule in e.rules:
            hit = self.cond(rule.when) & ~decided
            np.multiply(hit, np.int8(FACS_BANDS.index(rule.band) - default), out=step)
            np.add(band, step, out=band)
            decided |= hit
        funded = np.zeros(self.n, np.bool_)
        for b in {FACS_BANDS.index(b) for b in e.funded_bands}:
            funded |= band == b
        route = np.zeros(self.n, np.int8)
        decided = funded
        for i, r in enumerate(e.below_threshold):
            hit = self.cond(r.when) & ~decided
            np.multiply(hit, np.int8(i + 1), out=step)
            np.add(route, step, out=route)
            decided = decided | hit
        self._elig = (band, route)
        return self._elig

    def live(self, name: str) -> Bool:
        """Who the stream can fund: eligible (or on a route that includes it) and its ``when`` holds."""
        _, route = self.eligibility()
        funded = route == 0
        for i, r in enumerate(self.p.model.eligibility.below_threshold):
            if name in r.streams:
                funded |= route == i + 1
        s = self.p.model.streams[name]
        return funded if s.when is None else np.logical_and(funded, self.cond(s.when), out=funded)


def compute_population(policy: Policy, pop: Population) -> PopulationResult:
    """Annual pence per stream for everyone in ``pop`` under ``policy`` (equal to :func:`allocate`)."""
    run = _Run(plan_for(policy), pop)
    band, route = run.eligibility()
    w = policy.model.weeks_per_year
    final: dict[str, I64] = {}
    fallback_rows: dict[int, dict[str, int]] = {}

    def scalar_stream(i: int, name: str) -> int:
        if i not in fallback_rows:
            answers = pop.row(i)
            answers = {k: val for k, val in answers.items() if k in policy.questions}
            fallback_rows[i] = allocate_normalised(policy, answers, dt.date.min, None).annual_by_stream()
        return fallback_rows[i][name]

    for name in stream_order(policy):
        s = policy.model.streams[name]
        live = run.live(name)
        running: I64 | int | None = None  # an int: the same amount for everyone (e.g. a fixed grant)
        has_method = np.zeros(pop.n, np.bool_)
        scalar_mask = np.zeros(pop.n, np.bool_)
        taken = np.zeros(pop.n, np.bool_)
        for choice in s.methods:
            mask = live & ~taken
            if choice.when is not None:
                mask &= run.cond(choice.when)
            taken |= mask
            m = choice.method
            if not mask.any():
                continue
            method = method_for(m)
            if not method.vectorised:
                scalar_mask |= mask
                continue
            amt = method.population(run, m, final)
            if running is None:
                # rows outside every method are zeroed at the end, so the first amount is taken whole
                running = amt
            else:
                if isinstance(running, int):
                    running = np.full(pop.n, running, np.int64)
                np.copyto(running, amt, where=mask)
            has_method |= mask
        if running is None:
            pence = np.zeros(pop.n, np.int64)
        elif isinstance(running, int) and not s.adjustments:
            # one amount for everyone: finish it once (same integer steps), then mask
            one = limit_pence(s, round_fp_to_pence(max(running, 0), s.rounding.to, s.rounding.mode))
            pence = np.multiply(has_method, np.int64(one), dtype=np.int64)
        else:
            if isinstance(running, int):
                running = np.full(pop.n, running, np.int64)
            for adj in s.adjustments:
                hit = has_method & run.cond(adj.when)
                if adj.kind == "percent":
                    assert adj.percent is not None
                    new = mul_div_round(running, 100 * CENTI + scaled(adj.percent, CENTI), 100 * CENTI)
                else:
                    assert adj.rate is not None
                    hours: I64 | int
                    if adj.hours_question is not None:
                        num = run.number(adj.hours_question)
                        if num is None:
                            continue
                        hours = num.centi
                        hit &= num.present
                    else:
                        assert adj.hours_per_week is not None
                        hours = scaled(adj.hours_per_week, CENTI)
                    rate = run.rate_fp(adj.rate)
                    if isinstance(adj.rate, RateByAnswer) and adj.rate.default is None:
                        hit &= run.choice_values(adj.rate.question, dict.fromkeys(adj.rate.rates, 1), 0) == 1
                    new = running - div_round(np.multiply(hours, rate, dtype=np.int64) * w, CENTI)
                # running + (new - running) x hit: exact, and cheaper than a masked copy
                np.subtract(new, running, out=new)
                np.multiply(new, hit, out=new)
                np.add(running, new, out=running)
            np.maximum(running, 0, out=running)
            pence = round_fp_to_pence(running, s.rounding.to, s.rounding.mode)
            if s.minimum is not None:
                pence = np.where((pence > 0) & (pence < s.minimum), s.minimum, pence)
            if s.maximum is not None:
                np.minimum(pence, s.maximum, out=pence)
            np.multiply(pence, has_method, out=pence)
        for row in np.flatnonzero(scalar_mask).tolist():
            pence[row] = scalar_stream(row, name)
        final[name] = pence.astype(np.int64, copy=False)
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
    return freeze_policy(model, policy.file)


@dataclass(frozen=True)
class PotSizing:
    """Price per point from the money available: ``pot / total points`` (seed 004 glossary).

    With the working for the commissioner: how many people were read and how many the points
    method funds, their total points, the period the price is for, and what the stream would
    cost at the sized price and at the current one (after adjustments, rounding and limits).
    """

    stream: str
    rate_id: str
    pot_pence: int
    people_scored: int
    total_points: Decimal
    price_per_point_pence: Decimal
    projected_spend_pence: int
    people_total: int = 0
    period: str = "year"  # the price is per point per year, or per week (then x weeks_per_year)
    weeks: int = 1
    current_price_pence: Decimal = Decimal(0)
    current_spend_pence: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "rate_id": self.rate_id,
            "pot_pence": self.pot_pence,
            "people_scored": self.people_scored,
            "total_points": str(self.total_points),
            "price_per_point_pence": str(self.price_per_point_pence),
            "projected_spend_pence": self.projected_spend_pence,
            "people_total": self.people_total,
            "period": self.period,
            "weeks": self.weeks,
            "current_price_pence": str(self.current_price_pence),
            "current_spend_pence": self.current_spend_pence,
        }


def sizing_method(policy: Policy, stream: str) -> PointsMethod | None:
    """The points method whose price a pot sizes for ``stream``: the stream's first points method,
    when it has one price per point (not one picked by an answer). None when there is none, or no
    such stream: the stream is not priced by points."""
    s = policy.model.streams.get(stream)
    first = next((ch.method for ch in s.methods if isinstance(ch.method, PointsMethod)), None) if s else None
    return first if first is not None and isinstance(first.price_per_point, str) else None


def size_price_per_point(
    policy: Policy, pop: Population, stream: str, pot_pence: int, current: PopulationResult | None = None
) -> PotSizing:
    """The price per point that spends ``pot_pence`` on ``stream`` across ``pop``.

    Total points are counted only for people whom the points method would fund (eligible,
    stream applies, first matching method is :func:`sizing_method`'s). The price is rounded *down*
    to 1/10,000 of a penny; ``projected_spend_pence`` reruns the population at that price, after
    adjustments, rounding and limits, so the commissioner sees the real spend. ``current`` is
    ``compute_population(policy, pop)`` when the caller has it already (the current spend).
    """
    method = sizing_method(policy, stream)
    if method is None:
        raise ValueError(f"stream {stream!r} has no points method with a single price per point")
    run = _Run(plan_for(policy), pop)
    live = run.live(stream)
    taken = np.zeros(pop.n, np.bool_)
    for ch in policy.model.streams[stream].methods:
        points_mask = live & ~taken & run.cond(ch.when)
        if ch.method is method:
            break
        taken |= points_mask
    total_scaled = int(run.score(method.score)[points_mask].sum(dtype=np.int64))
    total = Decimal(total_scaled) / SCORE_SCALE
    if total_scaled == 0:
        raise ValueError("nobody scores any points: the price per point is undefined")
    k = policy.model.weeks_per_year if method.period == "week" else 1
    price_fp = (pot_pence * FP * SCORE_SCALE) // (total_scaled * k)
    price = Decimal(price_fp) / FP
    rate_id = cast(str, method.price_per_point)  # one price per point: sizing_method's
    sized = with_rates(policy, {rate_id: price})
    spend = int(compute_population(sized, pop).streams[stream].sum())
    if current is None:
        current = compute_population(policy, pop)
    return PotSizing(
        stream, rate_id, pot_pence, int(points_mask.sum()), total, price, spend,
        people_total=pop.n, period=method.period, weeks=k,
        current_price_pence=policy.model.rates[rate_id].amount, current_spend_pence=int(current.streams[stream].sum()),
    )  # fmt: skip


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
