"""SimPy simulation: reproducible, sane, and answering "how much floating cover?" (seed 000)."""

from dataclasses import replace

import numpy as np
import pytest

from selfdirect.extracare.engine import SEED_SCHEDULE, SEED_SHIFTS, SEED_STAFFING, SchemeInputError
from selfdirect.extracare.engine.simulation import SimulationConfig, simulate, sweep

BASE = SimulationConfig.from_schedule(SEED_SCHEDULE, SEED_STAFFING, SEED_SHIFTS, days=28)


def test_same_seed_same_result_and_generator_accepted():
    a = simulate(BASE, 7)
    b = simulate(BASE, np.random.default_rng(7))
    assert a == b
    c = simulate(BASE, 8)
    assert c.calls != a.calls or c.response_p95 != a.response_p95


def test_staff_on_shift_follow_the_schedule():
    r = simulate(replace(BASE, floating_share=0.5), 1)
    # 49.5 staff-hours by day (48.5 in sessions + 2 staff for 07:00-07:30) + 9 night hours, per day.
    assert r.on_shift_hours == pytest.approx((49.5 + 9) * 28)
    # Half the daytime cover is committed to planned care; nights float.
    assert r.planned_hours + r.planned_backlog_hours == pytest.approx(0.5 * 49.5 * 28, abs=0.5)
    assert 0 < r.utilisation < 1
    assert len(r.utilisation_by_hour) == 24
    assert r.utilisation_by_hour[3] < r.utilisation_by_hour[9]  # nights are quieter than mornings


def test_more_floating_cover_means_faster_response_monotone():
    result = sweep(BASE, [0.1, 0.3, 0.5, 0.7], replications=2, seed=3)
    p95 = [lv.p95_mean for lv in result.levels]
    assert p95 == sorted(p95, reverse=True)
    assert p95[0] > 2 * p95[-1]
    planned = [np.mean([r.planned_hours for r in lv.runs]) for lv in result.levels]
    assert planned == sorted(planned, reverse=True)
    target = (p95[1] + p95[2]) / 2
    assert result.min_floating_share_for(target) == 0.5
    assert result.min_floating_share_for(-1) is None


def test_sweep_is_the_same_on_two_processes_and_reports_progress():
    short = replace(BASE, days=7)
    seen = []
    one = sweep(short, [0.2, 0.6], replications=2, seed=5, progress=lambda d, t: seen.append((d, t)))
    two = sweep(short, [0.2, 0.6], replications=2, seed=5, workers=2)
    assert one == two
    assert seen[-1] == (4, 4) and len(seen) == 4


def test_bad_simulation_inputs_are_named():
    with pytest.raises(SchemeInputError) as err:
        simulate(replace(BASE, floating_share=1.5, call_rates_per_hour=(1.0,) * 23), 1)
    assert set(err.value.fields) == {"floating_share", "call_rates_per_hour"}
    with pytest.raises(SchemeInputError) as err:
        sweep(BASE, [0.2, 2.0], replications=0)
    assert set(err.value.fields) == {"replications", "floating_shares[1]"}
