"""Benchmark the Extra Care engine: naive SimPy baseline, engine year, sweep, rota.

Run: python bench/bench_extracare.py
Writes (or replaces) the "## Extra Care" section of bench/RESULTS.md, keeping other sections.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import simpy
from results import write_section  # bench/results.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from selfdirect.extracare.engine import SEED_RESIDENTS, SEED_SCHEDULE, SEED_SHIFTS, SEED_STAFFING  # noqa: E402
from selfdirect.extracare.engine.rota import solve_rota, weekly_requirement  # noqa: E402
from selfdirect.extracare.engine.simulation import DEFAULT_CALL_RATES, SimulationConfig, simulate, sweep  # noqa: E402

VISIT_MINUTES = 13.0  # 342.5 h a week in 13-minute visits: about 82,000 visits a year


def naive_year(seed: int = 1) -> tuple[float, int]:
    """One process per planned visit and per call; staff a fixed simpy.Resource of 5."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    staff = simpy.Resource(env, capacity=5)
    planned_hours_per_day = float(sum(g.hours for g in SEED_RESIDENTS)) / 7
    visits_per_day = int(round(planned_hours_per_day * 60 / VISIT_MINUTES))
    sessions = [
        (s.start.hour * 60 + s.start.minute, s.end.hour * 60 + s.end.minute, float(s.staff_hours))
        for s in SEED_SCHEDULE.sessions
    ]
    weights = np.array([w for *_, w in sessions]) / sum(w for *_, w in sessions)
    waits: list[float] = []

    def job(at: float, length: float, record: bool):  # noqa: ANN202
        yield env.timeout(at - env.now)
        with staff.request() as req:
            yield req
            if record:
                waits.append(env.now - at)
            yield env.timeout(length)

    count = 0
    for day in range(365):
        which = rng.choice(len(sessions), size=visits_per_day, p=weights)
        for k in which:
            a, b, _ = sessions[k]
            env.process(job(day * 1440 + rng.uniform(a, b), VISIT_MINUTES, False))
            count += 1
        for hour, rate in enumerate(DEFAULT_CALL_RATES):
            for _ in range(rng.poisson(rate)):
                env.process(
                    job(day * 1440 + hour * 60 + rng.uniform(0, 60), max(rng.exponential(15), 2), True)
                )
    env.run()
    return float(np.percentile(waits, 95)), count


def progress_bar(total: int):  # noqa: ANN201
    try:
        from rich.progress import Progress

        bar = Progress()
        task = bar.add_task("sweep (scheme-years)", total=total)
        bar.start()
        return (lambda done, _t: bar.update(task, completed=done)), bar.stop
    except ImportError:  # pragma: no cover - rich is a project dependency

        def show(done: int, t: int) -> None:
            if done % 10 == 0 or done == t:
                print(f"  sweep {done}/{t}", flush=True)

        return show, (lambda: None)


def main() -> None:
    figures: dict[str, str] = {}
    t = time.perf_counter()
    p95_naive, visits = naive_year()
    figures["naive"] = (
        f"{time.perf_counter() - t:.2f} s ({visits:,} visit processes, p95 wait {p95_naive:.1f} min)"
    )
    print("naive SimPy year:", figures["naive"])

    cfg = SimulationConfig.from_schedule(SEED_SCHEDULE, SEED_STAFFING, SEED_SHIFTS, floating_share=0.3)
    simulate(cfg, 0)  # warm-up (imports)
    times = []
    for s in range(5):
        t = time.perf_counter()
        r = simulate(cfg, s)
        times.append(time.perf_counter() - t)
    figures["engine"] = (
        f"{np.median(times):.3f} s median of 5 (calls {r.calls:,}, p95 {r.response_p95:.1f} min, "
        f"utilisation {r.utilisation:.0%})"
    )
    print("engine year:", figures["engine"])

    levels = [round(i * 0.05, 2) for i in range(20)]
    update, stop = progress_bar(len(levels) * 10)
    t = time.perf_counter()
    result = sweep(cfg, levels, replications=10, seed=2025, workers=2, progress=update)
    stop()
    elapsed = time.perf_counter() - t
    target = 15.0
    answer = result.min_floating_share_for(target)
    figures["sweep"] = f"{elapsed:.1f} s for 200 scheme-years on 2 processes"
    figures["answer"] = (
        f"p95 response <= {target:g} min needs {answer:.0%} of daytime cover floating"
        if answer is not None
        else f"no level met p95 <= {target:g} min"
    )
    print("sweep:", figures["sweep"], "|", figures["answer"])
    rows = "\n".join(
        f"| {lv.floating_share:.0%} | {lv.p50_mean:.1f} | {lv.p95_mean:.1f} | {lv.utilisation:.0%} |"
        for lv in result.levels
    )

    rota = solve_rota(
        weekly_requirement(SEED_SCHEDULE, SEED_STAFFING, SEED_SHIFTS),
        12,
        SEED_SHIFTS,
        time_limit_seconds=10,
        num_workers=2,
    )
    figures["rota"] = (
        f"{rota.status}, {rota.solve_seconds:.2f} s, gap {rota.gap:.1%}, {rota.objective_hours} paid hours, "
        f"{len(rota.assignments)} shifts for 12 workers"
        if rota.feasible
        else rota.status
    )
    print("rota:", figures["rota"])

    section = f"""## Extra Care

Run {date.today().isoformat()} on {os.cpu_count()} CPUs (`python bench/bench_extracare.py`).
Scheme: seed 003's 40 flats, schedule of cover (49.5 staff-hours a day + nights), illustrative call rates.

| Measure | Result |
|---|---|
| (a) naive SimPy, one process per visit, staff as a Resource, one year | {figures["naive"]} |
| (b) engine, one year (planned care as blocks of staff time) | {figures["engine"]} |
| (c) sweep, 20 floating levels x 10 replications | {figures["sweep"]} |
| (d) weekly rota, CP-SAT, 2 workers, 10 s limit | {figures["rota"]} |

Sweep answer: {figures["answer"]}.

| Daytime cover floating | p50 response (min) | p95 response (min) | Utilisation |
|---|---|---|---|
{rows}
"""
    write_section(section)


if __name__ == "__main__":
    main()
