"""The Extra Care charts as HTML bar charts: what each shows, on what scale, and the figures of
the table beside it; a run's chart is drawn from the figures its stored result holds."""

from __future__ import annotations

import re

from helpers import client_for
from selfdirect.core.charts import BLUE, GREEN
from selfdirect.core.constants import Role
from selfdirect.extracare.analysis import figures
from selfdirect.extracare.charts import phasing_chart, viability_chart
from selfdirect.extracare.constants import RunKind, RunStatus
from selfdirect.extracare.inputs import load
from selfdirect.extracare.models import AnalysisRun


def chart_html(html: str) -> str:
    m = re.search(r'<figure class="app-bars">.*?</figure>', html, re.S)
    assert m, "no chart"
    return m[0]


def labels(html: str) -> list[str]:
    return re.findall(r'app-bars__label">([^<]+)</p>', html)


def shown(html: str) -> list[str]:
    return re.findall(r'app-bars__figure">([^<]+)</span>', html)


def commissioner(world):
    return client_for(world.north.users[Role.COMMISSIONER])


def test_viability_chart_pairs_the_pooled_headroom_with_the_core_cost_by_occupied_flats(scheme):
    v = figures(load(scheme.current.inputs)).viability
    chart = viability_chart(v)
    assert chart is not None
    assert chart.caption == (
        "Bar chart of the pooled headroom a week (what residents' budgets leave after planned care) and the "
        "core's weekly cost by occupied flats, every 4 flats, on a scale from £0 to £5,190. The table gives the "
        "figures."
    )
    assert chart.key == [(BLUE, "Pooled headroom"), (GREEN, "Core cost")]
    # Ten rows, not forty: every fourth count of flats, 40 (full, and break-even) among them.
    assert [r.label for r in chart.rows] == [f"{n} occupied flats" for n in range(4, 41, 4)]
    assert [b.figure for b in chart.rows[1].bars] == ["£1,050", "£5,076"]  # 8 flats: £1,050.00 in the table
    assert [b.figure for b in chart.rows[-1].bars] == ["£5,190", "£5,076"]  # full: pooling pays


def test_viability_page_shows_the_chart_and_break_even_in_words_beside_it(world, scheme):
    html = commissioner(world).get(f"/extracare/{scheme.pk}/viability/").content.decode()
    chart = chart_html(html)
    assert labels(chart)[:2] == ["4 occupied flats", "8 occupied flats"]
    assert shown(chart)[-2:] == ["£5,190", "£5,076"]
    ten = re.search(r'data-testid="viability-data".*?<td[^>]*>10</td><td[^>]*>([^<]+)</td>', html, re.S)
    assert ten and ten[1] == "£1,290.00"
    eight = re.search(r'data-testid="viability-data".*?<td[^>]*>8</td><td[^>]*>([^<]+)</td>', html, re.S)
    assert eight and eight[1] == "£1,050.00"  # the chart's second row, rounded to pounds
    m = re.search(r'data-testid="break-even-by-occupancy">(.*?)</p>', html, re.S)
    assert m and m[1] == (
        "With 40 occupied flats or more, the pooled headroom is at least the core's cost of £5,075.67 a "
        "week: pooling pays for the core."
    )


def test_phasing_chart_draws_hours_a_week_from_each_start_date():
    steps = [
        {"starts_on": "2026-04-05", "weekly_hours": "310", "label": "Opening", "occupied": 10},
        {"starts_on": "2026-10-05", "weekly_hours": "342.5", "label": "Step 1", "occupied": 40},
    ]
    chart = phasing_chart(steps)
    assert chart is not None
    assert chart.caption == (
        "Bar chart of the block hours a week as the scheme fills, from the date each step starts, on a scale "
        "from 0 hours to 342.5 hours. The table gives the figures."
    )
    assert [(r.label, r.bars[0].figure) for r in chart.rows] == [
        ("5 April 2026", "310 hours"),
        ("5 October 2026", "342.5 hours"),
    ]
    assert phasing_chart([]) is None


UTILISATION = [0.0452, 0.1361, 0.0896, 0.048, 0.0206, 0.0183, 0.0201, 0.7229, 0.7389, 0.7192, 0.7699, 0.789,
               0.7327, 0.7056, 0.7379, 0.7212, 0.7495, 0.7809, 0.768, 0.751, 0.7608, 0.7526, 0.0565, 0.0284]  # fmt: skip


def stored(scheme, kind, result):
    return AnalysisRun.objects.create(
        authority=scheme.authority, scheme=scheme, version=scheme.current, kind=kind, params={"days": 14},
        total=1, done=1, status=RunStatus.DONE, result=result,
    )  # fmt: skip


def test_a_stored_simulation_shows_its_utilisation_chart_even_with_old_svg_in_it(world, scheme):
    run = stored(scheme, RunKind.SIMULATION, {
        "floating_share": 0.3, "days": 14, "calls": 144, "response_mean": 2.73, "response_p50": 0.0,
        "response_p95": 17.0, "response_max": 27.9, "planned_hours": 485.0, "unplanned_hours": 36.7,
        "on_shift_hours": 819.0, "floating_hours": 334.0, "utilisation": 0.637, "utilisation_by_hour": UTILISATION,
        # What a run stored before the charts were HTML: left unread.
        "charts": {"utilisation": "<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'></svg>"},
    })  # fmt: skip
    html = commissioner(world).get(run.get_absolute_url()).content.decode()
    chart = chart_html(html)
    assert (
        "Bar chart of the share of on-shift staff time in use by hour of day, with 30% of daytime cover floating, "
        "on a scale from 0% to 100%. The table gives the figures."
    ) in chart
    assert labels(chart)[:3] == ["00:00", "01:00", "02:00"] and len(labels(chart)) == 24
    assert shown(chart)[:3] == ["4.5%", "13.6%", "9.0%"] and shown(chart)[11] == "78.9%"
    assert "data:image/svg" not in html and "<?xml" not in html
    assert 'data-testid="utilisation-data"' in html


def test_a_stored_sweep_shows_median_and_95th_percentile_minutes_by_floating_share(world, scheme):
    run = stored(scheme, RunKind.SWEEP, {
        "days": 7, "replications": 2, "target_p95_minutes": 30.0, "min_floating_share": 0.0, "levels": [
            {"floating_share": 0.0, "p50_minutes": 6.45, "p95_minutes": 24.82, "p95_low": 23.34,
             "p95_high": 26.31, "mean_minutes": 8.61, "utilisation": 0.8915},
            {"floating_share": 0.5, "p50_minutes": 0.0, "p95_minutes": 3.5, "p95_low": 3.0, "p95_high": 4.0,
             "mean_minutes": 0.53, "utilisation": 0.4678},
        ],
        "charts": {"response": "<svg xmlns='http://www.w3.org/2000/svg'></svg>"},
    })  # fmt: skip
    html = commissioner(world).get(run.get_absolute_url()).content.decode()
    chart = chart_html(html)
    assert (
        "Bar chart of the median and 95th percentile minutes to answer a call (the mean of 2 runs at each level) "
        "by the share of daytime cover left floating, on a scale from 0 minutes to 24.8 minutes."
    ) in chart
    assert re.findall(r"</svg> ([^<]+)</li>", chart) == ["Median", "95th percentile"]
    assert labels(chart) == ["0% floating", "50% floating"]
    assert shown(chart) == ["6.5 minutes", "24.8 minutes", "0 minutes", "3.5 minutes"]
    assert "data:image/svg" not in html
    assert 'data-testid="sweep-data"' in html and ">24.82<" in html  # the table keeps the exact figures
