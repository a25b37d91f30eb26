"""The what-if page's chart: each funding stream by its label, the two versions by their titles,
and the same pounds as the table beside it."""

from __future__ import annotations

import re

from alloc_testdata import make_assessment

from helpers import client_for
from selfdirect.allocation import services
from selfdirect.allocation.charts import what_if_chart
from selfdirect.allocation.models import WhatIfRun
from selfdirect.core.charts import BLUE, GREEN
from selfdirect.core.constants import Role

V26 = "Northshire resource allocation policy 2026/27, from 1 April 2026"
V27 = "Northshire resource allocation policy 2027/28, from 1 April 2027"
STREAMS = ["Adult social care", "Carers", "Supporting People (housing-related support)"]


def chart_html(html: str) -> str:
    m = re.search(r'<figure class="app-bars">.*?</figure>', html, re.S)
    assert m, "no chart"
    return m[0]


def test_what_if_page_charts_each_stream_in_pounds_beside_the_table(world, published):
    v26, v27 = published[("northshire", "policy-2026.yaml")], published[("northshire", "policy-2027.yaml")]
    for person in (world.north.self_person, world.north.caseload_person):
        make_assessment(person, v26, status="submitted")
    run = WhatIfRun.objects.create(authority=world.north.authority, base=v26, proposed=v27)
    services.execute_what_if(run)
    html = (
        client_for(world.north.users[Role.COMMISSIONER])
        .get(f"/allocation/what-if/{run.pk}/")
        .content.decode()
    )
    chart = chart_html(html)
    # £270 -> £280 a point for 35 points each, two people: £18,900 -> £19,600 a year.
    assert re.findall(r'app-bars__label">([^<]+)</p>', chart) == STREAMS
    assert re.findall(r'app-bars__figure">([^<]+)</span>', chart) == [
        "£18,900",
        "£19,600",
        "£0",
        "£0",
        "£0",
        "£0",
    ]
    assert re.findall(r"</svg> ([^<]+)</li>", chart) == [V26, V27]  # the key: the versions' titles
    assert (
        f"Bar chart of the total a year per funding stream now ({V26}) and as proposed ({V27}), "
        "on a scale from £0 to £19,600. The table gives the figures."
    ) in chart
    assert "adult_social_care" not in chart and "@" not in chart  # no codes, no version ids
    # The table beside it: the same streams and the same pounds, to the penny.
    table = re.search(r'data-testid="streams-table".*?</table>', html, re.S)
    assert table is not None
    assert re.findall(r'<th scope="row"[^>]*>([^<]+)</th>', table[0]) == STREAMS
    assert "£18,900.00" in table[0] and "£19,600.00" in table[0]


def test_one_version_against_itself_still_tells_the_two_apart(world, published):
    v26 = published[("northshire", "policy-2026.yaml")]
    version = v26.version_id
    result = {
        "base": {"policy_version": version}, "proposed": {"policy_version": version},
        "streams": {"adult_social_care": {"base_pence": 945000, "proposed_pence": 980000, "change_pence": 35000}},
    }  # fmt: skip
    chart = what_if_chart(result, world.north.authority)
    assert chart is not None
    assert chart.key == [(BLUE, f"{V26} (now)"), (GREEN, f"{V26} (proposed)")]
    assert [(b.name, b.figure) for b in chart.rows[0].bars] == [
        (f"{V26} (now)", "£9,450"),
        (f"{V26} (proposed)", "£9,800"),
    ]
    assert chart.rows[0].label == "Adult social care"
