"""Background work: a year's simulation, the floating-cover sweep and the weekly rota.

The task writes its progress to the run row as it goes, so the status page (and the API) can
show "120 of 200 runs"; the result is stored as JSON (figures only: the run page draws its chart
from them), and names the scheme version it used. A bad input or a failure ends the run as FAILED
with a plain message.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from django_tasks import task

from selfdirect.core import runs

from .constants import RunKind, RunStatus
from .engine import (
    SchemeInputError,
    SimulationConfig,
    Worker,
    simulate,
    solve_rota,
    sweep,
    weekly_requirement,
)
from .engine.rota import DAY_NAMES
from .inputs import load
from .models import AnalysisRun

log = logging.getLogger(__name__)


def floating_levels(n: int) -> list[float]:
    """n evenly spaced floating shares from 0 to 1 (n=1 gives the seed-free middle, 0.5)."""
    if n == 1:
        return [0.5]
    return [round(i / (n - 1), 4) for i in range(n)]


def _config(run: AnalysisRun, days: int) -> SimulationConfig:
    s = load(run.version.inputs).scheme
    if s.schedule is None:
        raise SchemeInputError("scheme.schedule", "a schedule of cover is needed to simulate or build a rota")
    return SimulationConfig.from_schedule(s.schedule, s.staffing, s.shifts, days=days)


def _simulation(run: AnalysisRun) -> dict[str, Any]:
    p = run.params
    cfg = replace(_config(run, p["days"]), floating_share=p["floating_share"])
    r = simulate(cfg, p["seed"])
    return {
        "floating_share": r.floating_share,
        "days": p["days"],
        "calls": r.calls,
        "response_mean": round(r.response_mean, 2),
        "response_p50": round(r.response_p50, 2),
        "response_p95": round(r.response_p95, 2),
        "response_max": round(r.response_max, 2),
        "planned_hours": round(r.planned_hours, 1),
        "unplanned_hours": round(r.unplanned_hours, 1),
        "on_shift_hours": round(r.on_shift_hours, 1),
        "floating_hours": round(r.floating_hours, 1),
        "utilisation": round(r.utilisation, 4),
        "utilisation_by_hour": [round(u, 4) for u in r.utilisation_by_hour],
    }


def _sweep(run: AnalysisRun) -> dict[str, Any]:
    p = run.params
    cfg = _config(run, p["days"])
    last = [0.0]

    def progress(done: int, total: int) -> None:
        # Write at most twice a second: the page polls, and SQLite is shared with the web server.
        if done == total or time.monotonic() - last[0] > 0.5:
            last[0] = time.monotonic()
            runs.progress(AnalysisRun, run.pk, done, total)

    result = sweep(cfg, floating_levels(p["levels"]), p["replications"], seed=p["seed"], progress=progress)
    target = p["target_p95_minutes"]
    return {
        "days": p["days"],
        "replications": p["replications"],
        "target_p95_minutes": target,
        "min_floating_share": result.min_floating_share_for(target),
        "levels": [
            {
                "floating_share": lv.floating_share,
                "p50_minutes": round(lv.p50_mean, 2),
                "p95_minutes": round(lv.p95_mean, 2),
                "p95_low": round(lv.p95_spread[0], 2),
                "p95_high": round(lv.p95_spread[1], 2),
                "mean_minutes": round(lv.response_mean, 2),
                "utilisation": round(lv.utilisation, 4),
            }
            for lv in result.levels
        ],
    }


RULE_TEXT = {
    "shift_length": "shift length (minimum and maximum shift hours)",
    "one_shift_per_day": "one shift a day per worker",
    "max_hours_per_week": "maximum paid hours a week per worker",
    "min_rest_hours": "minimum rest between shifts",
    "max_nights_per_week": "maximum nights a week per worker",
    "workers": "the number of workers",
}


def _rota(run: AnalysisRun) -> dict[str, Any]:
    p = run.params
    s = load(run.version.inputs).scheme
    if s.schedule is None:
        raise SchemeInputError("scheme.schedule", "a schedule of cover is needed to build a rota")
    req = weekly_requirement(s.schedule, s.staffing, s.shifts)
    team = [Worker(f"W{i + 1:02d}", nights=i < p["nights_staff"]) for i in range(p["staff"])]
    week_start = date.fromisoformat(p["week_start"]) if p.get("week_start") else None
    r = solve_rota(req, team, s.shifts, time_limit_seconds=p["time_limit_seconds"], week_start=week_start)
    hours = r.hours_by_worker()
    return {
        "status": r.status,
        "feasible": r.feasible,
        "solve_seconds": round(r.solve_seconds, 3),
        "objective_hours": str(r.objective_hours) if r.objective_hours is not None else None,
        "best_bound_hours": str(r.best_bound_hours) if r.best_bound_hours is not None else None,
        "gap": r.gap,
        "required_staff_hours": str(Decimal(sum(req)) / 2),
        "blocking_rules": [{"rule": b, "text": RULE_TEXT.get(b, b)} for b in r.blocking_rules],
        "core_rules": [{"rule": b, "text": RULE_TEXT.get(b, b)} for b in r.core_rules],
        "assignments": [
            {
                "worker": a.worker,
                "day": DAY_NAMES[a.day],
                "day_index": a.day,
                "shift": a.shift.label(),
                "hours": str(a.shift.hours),
                "paid_hours": str(a.paid_hours),
                "night": a.shift.night,
            }
            for a in sorted(r.assignments, key=lambda a: (a.worker, a.day))
        ],
        "hours_by_worker": {w: str(h) for w, h in sorted(hours.items())},
        "csv": r.to_csv(),
    }


RUNNERS = {RunKind.SIMULATION: _simulation, RunKind.SWEEP: _sweep, RunKind.ROTA: _rota}


@task()
def run_analysis(run_id: int) -> str:
    """Work out one AnalysisRun; returns its final status."""
    run = AnalysisRun.objects.select_related("version").filter(pk=run_id).first()
    if run is None or run.finished:
        return "missing" if run is None else run.status
    runs.start(AnalysisRun, run.pk)
    try:
        result = RUNNERS[RunKind(run.kind)](run)
    except SchemeInputError as exc:
        runs.fail(AnalysisRun, run.pk, str(exc))
        return RunStatus.FAILED
    except Exception:
        log.exception("extra care run %s failed", run.pk)
        runs.fail(
            AnalysisRun, run.pk,
            "The calculation stopped with an unexpected error. It has been logged; try again or change the "
            "inputs.",
        )  # fmt: skip
        return RunStatus.FAILED
    runs.finish(AnalysisRun, run.pk, result=result, done=run.total)
    return RunStatus.DONE
