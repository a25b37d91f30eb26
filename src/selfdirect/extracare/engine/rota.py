"""A week's rota with OR-Tools CP-SAT that covers the schedule of cover under the shift rules.

The schedule of cover says how many staff are needed each half-hour; the rota says who works
which shift. Shifts start and end where the requirement changes (07:30, 10:00, 12:00...) so
peaks can be met by part-time shifts, as the seed notes ("part-time staff often assist in
boosting provision at peak times"); nights run from the shift rules' night start to end.
Rules are grouped in named families (shift length, one shift a day, weekly hours, rest,
nights). When no rota exists the solver is asked which families to blame: a minimal set of
assumptions it needed, and, one at a time, which single family, relaxed, makes a rota
possible; both are reported by name so a commissioner knows which rule to revisit.

Paid hours exclude the unpaid breaks (the meal break, and the short breaks if the authority does
not pay them); cover counts the whole shift, on the basis that breaks
are taken on site and the carer can respond to an emergency (an assumption to state in a
contract, not a seed figure).
"""

from __future__ import annotations

import io
import time as _time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ortools.sat.python import cp_model

from selfdirect.core import spreadsheet

from .errors import SchemeInputError
from .model import ScheduleOfCover, ShiftRules, StaffingRules, minutes_of

SLOT = 30
SLOTS_PER_DAY = 24 * 60 // SLOT
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

RULE_FAMILIES = (
    "shift_length",
    "one_shift_per_day",
    "max_hours_per_week",
    "min_rest_hours",
    "max_nights_per_week",
)
"""Rule families that can be blamed for an infeasible rota (cover itself is never relaxed)."""


@dataclass(frozen=True)
class Worker:
    """A member of the care team; ``max_hours`` overrides the rules' weekly maximum."""

    name: str
    max_hours: Decimal | None = None
    nights: bool = True


@dataclass(frozen=True)
class ShiftTemplate:
    """A shift on one day: start and end in minutes from that day's midnight (end may pass midnight)."""

    start: int
    end: int
    night: bool

    @property
    def hours(self) -> Decimal:
        return Decimal(self.end - self.start) / Decimal(60)

    def label(self) -> str:
        def hm(m: int) -> str:
            return f"{(m // 60) % 24:02d}:{m % 60:02d}"

        return f"{hm(self.start)}-{hm(self.end)}"


@dataclass(frozen=True)
class Assignment:
    worker: str
    day: int
    shift: ShiftTemplate
    paid_hours: Decimal


@dataclass(frozen=True)
class RotaResult:
    """The solver's answer: assignments if any, timing, gap, and the rules blamed if none."""

    status: str
    assignments: tuple[Assignment, ...]
    solve_seconds: float
    objective_hours: Decimal | None
    best_bound_hours: Decimal | None
    blocking_rules: tuple[str, ...] = ()
    core_rules: tuple[str, ...] = ()
    week_start: date | None = None

    @property
    def feasible(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")

    @property
    def gap(self) -> float | None:
        """Relative optimality gap: (objective - bound) / objective; 0 when proven optimal."""
        if self.objective_hours is None or self.best_bound_hours is None or not self.objective_hours:
            return None
        return float((self.objective_hours - self.best_bound_hours) / self.objective_hours)

    def hours_by_worker(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for a in self.assignments:
            out[a.worker] = out.get(a.worker, Decimal(0)) + a.paid_hours
        return out

    def to_csv(self) -> str:
        """CSV text: worker, day, date (if a week start was given), start, end, hours, paid hours, night."""
        buf = io.StringIO()
        w = spreadsheet.writer(buf, lineterminator="\n")
        w.writerow(["worker", "day", "date", "start", "end", "shift_hours", "paid_hours", "night"])
        for a in sorted(self.assignments, key=lambda a: (a.day, a.shift.start, a.worker)):
            when = (self.week_start + timedelta(days=a.day)).isoformat() if self.week_start else ""
            start, end = a.shift.label().split("-")
            w.writerow(
                [
                    a.worker,
                    DAY_NAMES[a.day],
                    when,
                    start,
                    end,
                    a.shift.hours,
                    a.paid_hours,
                    "yes" if a.shift.night else "no",
                ]
            )
        return buf.getvalue()


def weekly_requirement(
    schedule: ScheduleOfCover, staffing: StaffingRules | None = None, shifts: ShiftRules | None = None
) -> tuple[int, ...]:
    """Staff needed per half-hour over a week (Monday 00:00 first), from the schedule of cover."""
    day = schedule.staff_by_slot(staffing or StaffingRules(), shifts or ShiftRules(), SLOT)
    return day * 7


def _templates(req_day: Sequence[int], rules: ShiftRules) -> list[tuple[ShiftTemplate, bool]]:
    """Day shifts between change points inside the day window, plus the night; flag = length allowed."""
    night_start, night_end = minutes_of(rules.night_start), minutes_of(rules.night_end)
    if night_start > night_end:  # the usual case: nights cross midnight
        day_lo, day_hi = night_end, night_start
    else:
        day_lo, day_hi = 0, 24 * 60
    points = {day_lo, day_hi}
    for i in range(1, SLOTS_PER_DAY):
        if req_day[i] != req_day[i - 1]:
            points.add(i * SLOT)
    cuts = sorted(p for p in points if day_lo <= p <= day_hi)
    lo, hi = rules.min_shift_hours * 60, rules.max_shift_hours * 60
    out: list[tuple[ShiftTemplate, bool]] = []
    for i, a in enumerate(cuts):
        for b in cuts[i + 1 :]:
            out.append((ShiftTemplate(a, b, False), lo <= b - a <= hi))
    if night_start > night_end:
        length = 24 * 60 - night_start + night_end
        out.append((ShiftTemplate(night_start, 24 * 60 + night_end, True), lo <= length <= hi))
    return out


def _cover_lower_bound(
    templates: Sequence[tuple[ShiftTemplate, bool]],
    requirement: Sequence[int],
    r: ShiftRules,
    limit: float,
    threads: int,
) -> int:
    """Fewest paid half-hours that cover the week ignoring who works: a valid bound for the rota.

    Why: with interchangeable workers CP-SAT's own bound is weak (it reported 15% gaps on the
    seed's scheme); this small covering model proves the bound, so the gap reported is honest
    and the solver can stop as soon as a rota reaches it.
    """
    m = cp_model.CpModel()
    top = max(requirement, default=0)
    week = 7 * 24 * 60
    n = {
        (d, t): m.new_int_var(0, top, f"n_{d}_{t}")
        for d in range(7)
        for t, (tpl, ok) in enumerate(templates)
        if ok
    }
    covering: list[list[Any]] = [[] for _ in range(len(requirement))]
    for (d, t), v in n.items():
        tpl = templates[t][0]
        for minute in range(tpl.start, tpl.end, SLOT):
            covering[((d * 24 * 60 + minute) % week) // SLOT].append(v)
    for slot, need in enumerate(requirement):
        if need:
            m.add(sum(covering[slot]) >= need)
    m.minimize(sum(int(r.paid_hours(templates[t][0].hours) * 2) * v for (_, t), v in n.items()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = threads
    solver.parameters.max_time_in_seconds = max(limit, 0.1)
    code = solver.solve(m)
    if solver.status_name(code) in ("OPTIMAL", "FEASIBLE"):
        return int(round(solver.best_objective_bound))
    return 0


def _capacity_reasons(
    staff: Sequence[Worker], r: ShiftRules, requirement: Sequence[int], lower_bound: int
) -> tuple[str, ...]:
    """Quick arithmetic that names a rule without search: too few night-capable worker-nights, or hours."""
    reasons = []
    night_start, night_end = minutes_of(r.night_start), minutes_of(r.night_end)
    if night_start > night_end:
        midnight_slots = [d * SLOTS_PER_DAY for d in range(7)]
        nights_needed = sum(requirement[s] for s in midnight_slots)
        if nights_needed > sum(r.max_nights_per_week for w in staff if w.nights):
            reasons.append("max_nights_per_week")
    cap = sum(w.max_hours if w.max_hours is not None else r.max_hours_per_week for w in staff)
    if lower_bound and Decimal(lower_bound) / 2 > cap:
        reasons.append("max_hours_per_week")
    return tuple(reasons)


def solve_rota(
    requirement: Sequence[int],
    workers: Sequence[Worker] | int,
    rules: ShiftRules | None = None,
    *,
    time_limit_seconds: float = 10.0,
    num_workers: int = 2,
    diagnose: bool = True,
    week_start: date | None = None,
) -> RotaResult:
    """Solve a week's rota covering ``requirement`` (staff per half-hour, 336 values from Monday 00:00).

    Minimises paid hours (so over-cover is kept down). The week wraps round (Sunday night runs
    into Monday morning, and rest is checked across the wrap) because rotas repeat.
    """
    r = rules or ShiftRules()
    staff = [Worker(f"W{i + 1:02d}") for i in range(workers)] if isinstance(workers, int) else list(workers)
    problems = []
    if len(requirement) != 7 * SLOTS_PER_DAY:
        problems.append(("requirement", f"needs {7 * SLOTS_PER_DAY} half-hour values (a week)"))
    if any(x < 0 for x in requirement):
        problems.append(("requirement", "staff numbers must not be negative"))
    if not staff:
        problems.append(("workers", "at least one worker is needed"))
    if len({w.name for w in staff}) != len(staff):
        problems.append(("workers", "worker names must be different"))
    if time_limit_seconds <= 0:
        problems.append(("time_limit_seconds", "must be more than 0"))
    if problems:
        raise SchemeInputError(problems=problems)

    started = _time.perf_counter()
    # Templates come from Monday's profile; other days of the same profile share them.
    templates = _templates(requirement[:SLOTS_PER_DAY], r)
    for d in range(1, 7):
        extra = _templates(requirement[d * SLOTS_PER_DAY : (d + 1) * SLOTS_PER_DAY], r)
        known = {t for t, _ in templates}
        templates += [(t, ok) for t, ok in extra if t not in known]

    lower_bound = _cover_lower_bound(templates, requirement, r, min(2.0, time_limit_seconds / 4), num_workers)

    def build(
        relaxed: frozenset[str], assume: bool = False
    ) -> tuple[cp_model.CpModel, dict[Any, Any], dict[str, Any]]:
        m = cp_model.CpModel()
        fam = {f: m.new_bool_var(f) for f in RULE_FAMILIES}
        x: dict[tuple[int, int, int], Any] = {}
        week = 7 * 24 * 60
        for w, worker in enumerate(staff):
            for d in range(7):
                for t, (tpl, length_ok) in enumerate(templates):
                    if tpl.night and not worker.nights:
                        continue
                    v = m.new_bool_var(f"x_{w}_{d}_{t}")
                    x[(w, d, t)] = v
                    if not length_ok:
                        m.add(v == 0).only_enforce_if(fam["shift_length"])
        # Cover every half-hour.
        covering: list[list[Any]] = [[] for _ in range(7 * SLOTS_PER_DAY)]
        for (_w, d, t), v in x.items():
            tpl = templates[t][0]
            for minute in range(tpl.start, tpl.end, SLOT):
                covering[((d * 24 * 60 + minute) % week) // SLOT].append(v)
        for s, need in enumerate(requirement):
            if need:
                m.add(sum(covering[s]) >= need)
        for w, worker in enumerate(staff):
            mine = [(d, t, v) for (ww, d, t), v in x.items() if ww == w]
            for d in range(7):
                m.add(sum(v for dd, _, v in mine if dd == d) <= 1).only_enforce_if(fam["one_shift_per_day"])
            cap = worker.max_hours if worker.max_hours is not None else r.max_hours_per_week
            m.add(
                sum(int(r.paid_hours(templates[t][0].hours) * 2) * v for _, t, v in mine) <= int(cap * 2)
            ).only_enforce_if(fam["max_hours_per_week"])
            m.add(
                sum(v for _, t, v in mine if templates[t][0].night) <= r.max_nights_per_week
            ).only_enforce_if(fam["max_nights_per_week"])
            rest = int(r.min_rest_hours * 60)
            for i, (d1, t1, v1) in enumerate(mine):
                a = templates[t1][0]
                s1, e1 = d1 * 1440 + a.start, d1 * 1440 + a.end
                for d2, t2, v2 in mine[i + 1 :]:
                    b = templates[t2][0]
                    s2, e2 = d2 * 1440 + b.start, d2 * 1440 + b.end
                    # gap either way round the (wrapping) week
                    gap = min((s2 - e1) % week, (s1 - e2) % week)
                    overlap = (
                        s1 < e2
                        and s2 < e1
                        or (s1 + week < e2 and s2 < e1 + week)
                        or (s2 + week < e1 and s1 < e2 + week)
                    )
                    if overlap:
                        m.add_bool_or([v1.Not(), v2.Not()])
                    elif gap < rest:
                        m.add_bool_or([v1.Not(), v2.Not()]).only_enforce_if(fam["min_rest_hours"])
        cost = sum(int(r.paid_hours(templates[t][0].hours) * 2) * v for (_, _, t), v in x.items())
        m.minimize(cost)
        if lower_bound and not relaxed:
            m.add(cost >= lower_bound)
        for f, lit in fam.items():
            if f in relaxed:
                m.add(lit == 0)
            elif not assume:
                m.add(lit == 1)
        if assume:
            m.add_assumptions([lit for f, lit in fam.items() if f not in relaxed])
        return m, x, fam

    def run(
        m: cp_model.CpModel, limit: float, first: bool = False, threads: int = num_workers
    ) -> tuple[cp_model.CpSolver, str]:
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = threads
        solver.parameters.stop_after_first_solution = first
        solver.parameters.max_time_in_seconds = max(limit, 0.1)
        solver.parameters.random_seed = 1
        code = solver.solve(m)
        return solver, solver.status_name(code)

    reasons = _capacity_reasons(staff, r, requirement, lower_bound)
    if reasons and diagnose:
        return RotaResult(
            "INFEASIBLE", (), _time.perf_counter() - started, None, None, reasons, reasons, week_start
        )

    m, x, fam = build(frozenset())
    solver, status = run(m, time_limit_seconds)
    if status in ("OPTIMAL", "FEASIBLE"):
        assignments = tuple(
            Assignment(staff[w].name, d, templates[t][0], r.paid_hours(templates[t][0].hours))
            for (w, d, t), v in x.items()
            if solver.value(v)
        )
        return RotaResult(
            status,
            assignments,
            _time.perf_counter() - started,
            Decimal(int(solver.objective_value)) / 2,
            Decimal(max(int(round(solver.best_objective_bound)), lower_bound)) / 2,
            week_start=week_start,
        )
    core: tuple[str, ...] = ()
    blocking: list[str] = []
    if status == "INFEASIBLE" and diagnose:
        remaining = max(time_limit_seconds - (_time.perf_counter() - started), 1.0)
        # 1. Which single rule family, relaxed on its own, lets a rota exist?
        for f in RULE_FAMILIES:
            m2, _, _ = build(frozenset({f}))
            _, status2 = run(m2, remaining / (len(RULE_FAMILIES) + 1), first=True)
            if status2 in ("OPTIMAL", "FEASIBLE"):
                blocking.append(f)
        # 2. A minimal set of families that together rule a rota out: start from the solver's
        #    sufficient assumptions, then drop each family whose relaxation keeps it infeasible.
        m3, _, fam3 = build(frozenset(), assume=True)
        s3, status3 = run(m3, remaining / (len(RULE_FAMILIES) + 1))
        needed = list(RULE_FAMILIES)
        if status3 == "INFEASIBLE":
            index = {lit.index: f for f, lit in fam3.items()}
            needed = [
                f
                for f in RULE_FAMILIES
                if f in {index.get(i) for i in s3.sufficient_assumptions_for_infeasibility()}
            ]
        for f in list(needed):
            if _time.perf_counter() - started > 2 * time_limit_seconds:
                break
            trial = frozenset(RULE_FAMILIES) - (set(needed) - {f})
            m4, _, _ = build(trial)
            _, status4 = run(m4, remaining / (len(RULE_FAMILIES) + 1), first=True)
            if status4 == "INFEASIBLE":
                needed.remove(f)
        core = tuple(needed) if needed else ("workers",)
    return RotaResult(
        status, (), _time.perf_counter() - started, None, None, tuple(blocking), core, week_start
    )
