"""A year of a scheme in SimPy: how much cover to plan and how much to leave floating.

Seed 000 asks "how much of the 24hr cover should be devoted to planned care and support, and
how much should be left floating for emergency cover?". This model answers it empirically:
staff are on shift per half-hour as the schedule of cover says; a share of their time is
committed to planned care, released as visit-sized blocks of staff time (not one process per
visit, which is what makes a year run in a fraction of a second); unplanned calls arrive as a
Poisson process with an hourly rate for each hour of the day. A free carer answers the oldest
waiting call first, then takes the next planned block. Nothing is pre-empted: a carer part-way
through a planned visit finishes it, so committing more of the cover to planned care delays
responses, which is exactly the trade-off the seed describes.

Randomness comes only from a seeded numpy ``Generator``, so a run is reproducible; the sweep
uses the same random numbers at every floating level (common random numbers) so the levels
differ only by the floating share.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import simpy

from .errors import Problem, SchemeInputError
from .model import ScheduleOfCover, ShiftRules, StaffingRules

MINUTES_PER_DAY = 24 * 60

# Illustrative call rates for an occupied 40-flat scheme (calls an hour, whole scheme), by hour
# of day from midnight. Not from the seeds: an authority should replace them with its own
# call-system data. Busier at getting-up and going-to-bed times, quiet overnight.
DEFAULT_CALL_RATES: tuple[float, ...] = (
    0.25, 0.2, 0.2, 0.2, 0.2, 0.25, 0.35, 0.6,
    0.8, 0.7, 0.6, 0.5, 0.5, 0.5, 0.45, 0.45,
    0.5, 0.55, 0.6, 0.6, 0.6, 0.55, 0.4, 0.3,
)  # fmt: skip


@dataclass(frozen=True)
class SimulationConfig:
    """Inputs of one simulated period. Times are in minutes; rates are calls per hour.

    ``staff_by_slot``: staff on shift in each slot of a day (from
    :meth:`ScheduleOfCover.staff_by_slot`). ``floating_share``: the share of on-shift staff
    time by day left floating (not committed to planned care); ``night_floating_share`` the
    same at night (waking night staff mostly float). Service times of calls are exponential
    with ``mean_call_minutes`` (at least ``min_call_minutes``).
    """

    staff_by_slot: tuple[int, ...]
    slot_minutes: int = 30
    call_rates_per_hour: tuple[float, ...] = DEFAULT_CALL_RATES
    mean_call_minutes: float = 15.0
    min_call_minutes: float = 2.0
    floating_share: float = 0.3
    night_floating_share: float = 1.0
    night_slots: tuple[bool, ...] = ()
    planned_block_minutes: float = 30.0
    days: int = 365

    def problems(self) -> list[Problem]:
        out: list[Problem] = []
        if self.slot_minutes <= 0 or MINUTES_PER_DAY % self.slot_minutes:
            out.append(("slot_minutes", "must divide a day exactly"))
        elif len(self.staff_by_slot) != MINUTES_PER_DAY // self.slot_minutes:
            out.append(("staff_by_slot", f"needs {MINUTES_PER_DAY // self.slot_minutes} slots for one day"))
        if any(s < 0 for s in self.staff_by_slot):
            out.append(("staff_by_slot", "staff numbers must not be negative"))
        if len(self.call_rates_per_hour) != 24 or any(
            r < 0 or not math.isfinite(r) for r in self.call_rates_per_hour
        ):
            out.append(("call_rates_per_hour", "needs 24 non-negative rates, one per hour of the day"))
        for name in ("floating_share", "night_floating_share"):
            v = getattr(self, name)
            if not 0 <= v <= 1:
                out.append((name, f"must be between 0 and 1 (got {v})"))
        if self.mean_call_minutes <= 0:
            out.append(("mean_call_minutes", "must be more than 0"))
        if self.planned_block_minutes <= 0:
            out.append(("planned_block_minutes", "must be more than 0"))
        if self.days < 1:
            out.append(("days", "must be at least 1"))
        if self.night_slots and len(self.night_slots) != len(self.staff_by_slot):
            out.append(("night_slots", "needs one flag per slot"))
        return out

    @classmethod
    def from_schedule(
        cls,
        schedule: ScheduleOfCover,
        staffing: StaffingRules | None = None,
        shifts: ShiftRules | None = None,
        **kwargs: Any,
    ) -> SimulationConfig:
        """Staff on shift per half-hour from a schedule of cover, nights from the shift rules."""
        st, sh = staffing or StaffingRules(), shifts or ShiftRules()
        slots = schedule.staff_by_slot(st, sh, 30)
        night = tuple(sh.is_night(i * 30) for i in range(len(slots)))
        return cls(staff_by_slot=slots, slot_minutes=30, night_slots=night, **kwargs)


@dataclass(frozen=True)
class SimulationResult:
    """What a commissioner needs from a simulated period: responses, time use and utilisation."""

    floating_share: float
    calls: int
    response_mean: float
    response_p50: float
    response_p95: float
    response_max: float
    planned_hours: float
    unplanned_hours: float
    on_shift_hours: float
    planned_delay_mean: float
    planned_backlog_hours: float
    utilisation_by_hour: tuple[float, ...]

    @property
    def floating_hours(self) -> float:
        """On-shift time not spent on planned care (used for calls or idle, ready for the next one)."""
        return self.on_shift_hours - self.planned_hours

    @property
    def utilisation(self) -> float:
        return (
            (self.planned_hours + self.unplanned_hours) / self.on_shift_hours if self.on_shift_hours else 0.0
        )


class _Scheme:
    """The event logic; callbacks rather than one process per visit keep the event count low."""

    def __init__(
        self, env: simpy.Environment, cfg: SimulationConfig, arrivals: np.ndarray, services: np.ndarray
    ):
        self.env = env
        self.cfg = cfg
        self.arrivals = arrivals
        self.services = services
        self.on_shift = 0
        self.busy = 0
        self.calls: deque[tuple[float, float]] = deque()
        self.planned: deque[tuple[float, float]] = deque()
        self.responses: list[float] = []
        self.planned_delays_sum = 0.0
        self.planned_started = 0
        self.planned_minutes = 0.0
        self.unplanned_minutes = 0.0
        self.busy_by_hour = [0.0] * 24
        self.last = 0.0
        self.carry = 0.0
        slots = cfg.staff_by_slot
        night = cfg.night_slots or tuple(False for _ in slots)
        self.commit = [
            s * (1 - (cfg.night_floating_share if n else cfg.floating_share)) * cfg.slot_minutes
            for s, n in zip(slots, night, strict=True)
        ]

    def _advance(self, now: float) -> None:
        """Add busy staff-minutes since the last change to the hour-of-day buckets."""
        last, busy = self.last, self.busy
        if busy:
            while last < now:
                edge = (math.floor(last / 60) + 1) * 60
                end = now if now < edge else edge
                self.busy_by_hour[int(last // 60) % 24] += busy * (end - last)
                last = end
        self.last = now

    def _dispatch(self) -> None:
        env = self.env
        while self.busy < self.on_shift and (self.calls or self.planned):
            now = env.now
            self._advance(now)
            self.busy += 1
            if self.calls:
                arrived, service = self.calls.popleft()
                self.responses.append(now - arrived)
                self.unplanned_minutes += service
                env.timeout(service).callbacks.append(self._finish)
            else:
                released, length = self.planned.popleft()
                self.planned_delays_sum += now - released
                self.planned_started += 1
                self.planned_minutes += length
                env.timeout(length).callbacks.append(self._finish)

    def _finish(self, _event: Any) -> None:
        self._advance(self.env.now)
        self.busy -= 1
        self._dispatch()

    def clock(self) -> Any:
        """Each slot: set who is on shift and release that slot's planned blocks."""
        cfg, env = self.cfg, self.env
        n = len(cfg.staff_by_slot)
        block = cfg.planned_block_minutes
        for i in range(cfg.days * n):
            slot = i % n
            self._advance(env.now)
            self.on_shift = cfg.staff_by_slot[slot]
            self.carry += self.commit[slot]
            now = env.now
            while self.carry >= block - 1e-9:
                self.planned.append((now, block))
                self.carry -= block
            self._dispatch()
            yield env.timeout(cfg.slot_minutes)

    def arrive(self) -> Any:
        env = self.env
        for t, s in zip(self.arrivals.tolist(), self.services.tolist(), strict=True):
            if t > env.now:
                yield env.timeout(t - env.now)
            self.calls.append((t, s))
            self._dispatch()


def _draw_calls(cfg: SimulationConfig, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    hours = cfg.days * 24
    rates = np.tile(np.asarray(cfg.call_rates_per_hour, dtype=float), cfg.days)
    counts = rng.poisson(rates)
    starts = np.repeat(np.arange(hours, dtype=float) * 60.0, counts)
    arrivals = np.sort(starts + rng.uniform(0.0, 60.0, size=starts.size))
    services = np.maximum(rng.exponential(cfg.mean_call_minutes, size=arrivals.size), cfg.min_call_minutes)
    return arrivals, services


def simulate(cfg: SimulationConfig, rng: np.random.Generator | int) -> SimulationResult:
    """Simulate ``cfg.days`` days; ``rng`` is a numpy ``Generator`` or an integer seed."""
    problems = cfg.problems()
    if problems:
        raise SchemeInputError(problems=problems)
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    arrivals, services = _draw_calls(cfg, gen)
    env = simpy.Environment()
    model = _Scheme(env, cfg, arrivals, services)
    env.process(model.clock())
    env.process(model.arrive())
    horizon = float(cfg.days * MINUTES_PER_DAY)
    env.run(until=horizon)
    model._advance(horizon)
    # Calls still waiting at the end count with their wait so far, so a swamped scheme
    # cannot look good by leaving calls unanswered.
    waits = model.responses + [horizon - a for a, _ in model.calls]
    resp = np.asarray(waits, dtype=float) if waits else np.zeros(1)
    on_shift_by_hour = [0.0] * 24
    for i, s in enumerate(cfg.staff_by_slot):
        on_shift_by_hour[(i * cfg.slot_minutes) // 60] += s * cfg.slot_minutes * cfg.days
    util = tuple(b / o if o else 0.0 for b, o in zip(model.busy_by_hour, on_shift_by_hour, strict=True))
    backlog = sum(length for _, length in model.planned) / 60.0
    return SimulationResult(
        floating_share=cfg.floating_share,
        calls=int(arrivals.size),
        response_mean=float(resp.mean()),
        response_p50=float(np.percentile(resp, 50)),
        response_p95=float(np.percentile(resp, 95)),
        response_max=float(resp.max()),
        planned_hours=model.planned_minutes / 60.0,
        unplanned_hours=model.unplanned_minutes / 60.0,
        on_shift_hours=sum(on_shift_by_hour) / 60.0,
        planned_delay_mean=model.planned_delays_sum / model.planned_started if model.planned_started else 0.0,
        planned_backlog_hours=backlog,
        utilisation_by_hour=util,
    )


@dataclass(frozen=True)
class LevelSummary:
    """Replications at one floating share, summarised."""

    floating_share: float
    runs: tuple[SimulationResult, ...]

    @property
    def p95_mean(self) -> float:
        return float(np.mean([r.response_p95 for r in self.runs]))

    @property
    def p95_spread(self) -> tuple[float, float]:
        values = [r.response_p95 for r in self.runs]
        return float(min(values)), float(max(values))

    @property
    def p50_mean(self) -> float:
        return float(np.mean([r.response_p50 for r in self.runs]))

    @property
    def response_mean(self) -> float:
        return float(np.mean([r.response_mean for r in self.runs]))

    @property
    def utilisation(self) -> float:
        return float(np.mean([r.utilisation for r in self.runs]))

    @property
    def planned_hours_per_week(self) -> float:
        return (
            float(np.mean([r.planned_hours / (r.on_shift_hours / (168.0)) for r in self.runs]))
            if self.runs
            else 0.0
        )


@dataclass(frozen=True)
class SweepResult:
    """A sweep over floating shares x replications: the evidence for seed 000's question."""

    levels: tuple[LevelSummary, ...]
    replications: int
    seed: int
    days: int = field(default=365)

    def min_floating_share_for(self, target_p95_minutes: float) -> float | None:
        """Smallest floating share whose mean p95 response meets the target, and every larger one too.

        None if no level meets it. The answer to "how much should be left floating" for a
        response-time target; a judgement about the target itself stays with people.
        """
        ok: float | None = None
        for level in sorted(self.levels, key=lambda lv: lv.floating_share, reverse=True):
            if level.p95_mean <= target_p95_minutes:
                ok = level.floating_share
            else:
                break
        return ok

    def table(self) -> list[dict[str, float]]:
        return [
            {
                "floating_share": lv.floating_share,
                "p50_minutes": lv.p50_mean,
                "p95_minutes": lv.p95_mean,
                "mean_minutes": lv.response_mean,
                "utilisation": lv.utilisation,
            }
            for lv in self.levels
        ]


def _run_one(cfg: SimulationConfig, seed: int, rep: int) -> SimulationResult:
    return simulate(cfg, np.random.default_rng(np.random.SeedSequence([seed, rep])))


def sweep(
    base: SimulationConfig,
    floating_shares: Sequence[float],
    replications: int,
    *,
    seed: int = 0,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Run every floating share ``replications`` times; optionally across ``workers`` processes.

    Replication ``r`` uses the same random numbers at every level (seeded from ``(seed, r)``),
    so results are reproducible and independent of the number of workers. ``progress`` is
    called as ``progress(done, total)`` after each run.
    """
    problems: list[Problem] = []
    if replications < 1:
        problems.append(("replications", f"must be at least 1 (got {replications})"))
    if not floating_shares:
        problems.append(("floating_shares", "at least one level is needed"))
    problems += [
        (f"floating_shares[{i}]", "must be between 0 and 1")
        for i, f in enumerate(floating_shares)
        if not 0 <= f <= 1
    ]
    problems += base.problems()
    if problems:
        raise SchemeInputError(problems=problems)
    tasks = [
        (li, rep, replace(base, floating_share=float(f)))
        for li, f in enumerate(floating_shares)
        for rep in range(replications)
    ]
    results: dict[tuple[int, int], SimulationResult] = {}
    total = len(tasks)
    if workers <= 1:
        for done, (li, rep, cfg) in enumerate(tasks, 1):
            results[(li, rep)] = _run_one(cfg, seed, rep)
            if progress:
                progress(done, total)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_run_one, cfg, seed, rep): (li, rep) for li, rep, cfg in tasks}
            for done, fut in enumerate(as_completed(futures), 1):
                results[futures[fut]] = fut.result()
                if progress:
                    progress(done, total)
    levels = tuple(
        LevelSummary(float(f), tuple(results[(li, rep)] for rep in range(replications)))
        for li, f in enumerate(floating_shares)
    )
    return SweepResult(levels, replications, seed, base.days)
