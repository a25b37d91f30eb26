"""The pages: seed 003's figures in the right rows, bad input refused by name, runs and rotas."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test.utils import override_settings

from helpers import client_for
from selfdirect.core.constants import Role
from selfdirect.core.models import AuditEvent
from selfdirect.extracare import services
from selfdirect.extracare.constants import RunKind, RunStatus
from selfdirect.extracare.forms import SchemeForm
from selfdirect.extracare.models import AnalysisRun, Scheme

# Hold on to the seed's expected figures (seed 003 Section 6).
HOURS = {
    "minimum_block": "310",
    "minimum_block_phased": "273",
    "thirds": "449.5",
    "schedule_of_cover": "453.5",
    "core_and_add_on": "175",
    "phasing": "400",
}


def row_cells(html: str, testid: str) -> list[str]:
    """The text of the cells of the element carrying this data-testid (a table row)."""
    m = re.search(rf'data-testid="{re.escape(testid)}"[^>]*>(.*?)</tr>', html, re.S)
    assert m, f"no element {testid}"
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", m[1], re.S)]


def commissioner(world):
    return client_for(world.north.users[Role.COMMISSIONER])


def test_scheme_page_shows_every_calculator_with_the_seed_figures(world, scheme):
    html = commissioner(world).get(f"/extracare/{scheme.pk}/").content.decode()
    for key, total in HOURS.items():
        assert row_cells(html, f"total-{key}")[-1] == total, key
    assert row_cells(html, "subtotal-thirds-contact")[-1] == "342.5"
    assert row_cells(html, "subtotal-thirds-with_nights")[-1] == "412.5"
    assert row_cells(html, "subtotal-schedule_of_cover-per_day")[-1] == "49.5"
    assert row_cells(html, "subtotal-schedule_of_cover-per_week")[-1] == "346.5"
    assert row_cells(html, "subtotal-schedule_of_cover-with_nights")[-1] == "416.5"
    assert row_cells(html, "subtotal-core_and_add_on-planned_capacity")[-1] == "72"
    assert row_cells(html, "subtotal-core_and_add_on-add_on")[-1] == "270.5"
    assert row_cells(html, "subtotal-top_up-top_up")[-1] == "100"
    # The working is shown, not just the total.
    assert "2 staff x 14 h x 7 days" in html and "49.5 h x 7 days" in html
    # Both costing methods side by side, with the docs' open-book figure for the 310-hour block.
    assert "£8,722.97" in html and "£453,594.44" in html and "£32.79" in html
    assert "266 h x £30.00" in html
    assert 'data-testid="core-charges"' in html
    assert "inputs version 1" in html
    # The phasing chart: block hours a week from each step's start date, the table's figures.
    assert "on a scale from 0 hours to 400 hours" in html
    assert re.findall(r'app-bars__label">([^<]+)</p>', html) == ["1 April 2026", "1 May 2026", "1 June 2026"]
    assert re.findall(r'app-bars__figure">([^<]+)</span>', html) == ["310 hours", "360 hours", "400 hours"]


def test_one_click_seed_example_and_names_stay_unique(world):
    client = commissioner(world)
    response = client.post("/extracare/new/from-seed/")
    assert response.status_code == 302
    again = client.post("/extracare/new/from-seed/")
    names = sorted(Scheme.objects.filter(authority=world.north.authority).values_list("name", flat=True))
    assert names == [services.SEED_NAME, f"{services.SEED_NAME} (2)"]
    assert again["Location"].startswith("/extracare/")
    assert AuditEvent.objects.filter(object_type="extracare.scheme", action="create").count() == 2


def form_data(scheme, **changes):
    data = SchemeForm.initial_from(scheme.name, scheme.current.inputs)
    data = {k: ("on" if v is True else "" if v is False else v) for k, v in data.items() if v is not False}
    data["reason"] = "Testing"
    data.update(changes)
    return data


def test_edit_saves_a_new_version_and_results_name_it(world, scheme):
    client = commissioner(world)
    response = client.post(f"/extracare/{scheme.pk}/edit/", form_data(scheme, day_min_staff="3"))
    assert response.status_code == 302, response.content.decode()[:3000]
    scheme.refresh_from_db()
    scheme.__dict__.pop("_current", None)
    assert scheme.current.number == 2
    html = client.get(f"/extracare/{scheme.pk}/").content.decode()
    assert row_cells(html, "total-minimum_block")[-1] == "408"  # 3 x 14 x 7 + 70 + 7 + 37
    assert "inputs version 2" in html
    event = AuditEvent.objects.filter(object_type="extracare.scheme", action="change").get()
    assert event.changes["scheme.staffing.day_min_staff"] == [2, 3]


def test_unchanged_form_saves_no_new_version(world, scheme):
    response = commissioner(world).post(f"/extracare/{scheme.pk}/edit/", form_data(scheme), follow=True)
    assert "Nothing was changed" in response.content.decode()
    assert scheme.versions.count() == 1


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"flats": "-3"}, "flats", "must be at least 1 (got -3)"),
        ({"night_hours_per_night": "-1"}, "night_hours_per_night", "must not be negative"),
        ({"need_low_share": "1/2"}, "need_low_share", "shares must sum to 1"),
        (
            {"residents": "13 x 3 low\n13 x -7.5 medium"},
            "residents",
            "Line 2: hours each must not be negative",
        ),
        ({"residents": "thirteen people"}, "residents", "Line 1"),
        ({"min_shift_hours": "12"}, "min_shift_hours", "must not exceed max_shift_hours"),
        ({"sessions": "07:30-10:00 5\n09:00-12:00 2"}, "sessions", "Line 2: start overlaps session 0"),
        ({"loaded_rate": "-5", "day_rate": ""}, "loaded_rate", "must not be negative"),
        ({"occupancy": "2026-04-01 50"}, "occupancy", "50 occupied is more than the 40 flats"),
    ],
)
def test_bad_input_is_refused_naming_the_field(world, scheme, changes, field, words):
    response = commissioner(world).post(f"/extracare/{scheme.pk}/edit/", form_data(scheme, **changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    summary = html.split('govuk-error-summary__list">')[1].split("</ul>")[0]
    assert f'href="#id_{field}"' in summary, summary
    assert words in summary
    assert scheme.versions.count() == 1


def test_create_page_starts_from_defaults_and_refuses_missing_needs(world):
    client = commissioner(world)
    assert "Staff on duty by day" in client.get("/extracare/new/").content.decode()
    form = client.get("/extracare/new/?from=seed").content.decode()
    assert "13 x 3 low" in form
    data = form_data(
        type("S", (), {"name": "", "current": type("V", (), {"inputs": services.seed_inputs()})})()
    )
    data.update(name="Elm House", residents="", need_low_share="", need_medium_share="", need_high_share="",
                need_low_hours="", need_medium_hours="", need_high_hours="", low_below_hours="", high_above_hours="",
                budget_low="", budget_medium="", budget_high="")  # fmt: skip
    response = client.post("/extracare/new/", data)
    assert response.status_code == 400
    assert "give the residents&#x27; care hours or a need mix" in response.content.decode()
    data["residents"] = "20 x 4 low\n20 x 12 high"
    response = client.post("/extracare/new/", data)
    assert response.status_code == 302
    created = Scheme.objects.get(name="Elm House")
    assert created.current.inputs["scheme"]["residents"][1] == {
        "count": 20,
        "hours_each": "12",
        "label": "high",
    }


def test_commissioning_models_side_by_side_with_editable_notes(world, scheme):
    client = commissioner(world)
    html = client.get(f"/extracare/{scheme.pk}/models/").content.decode()
    assert "B: Core and add-on" in html and "F: Pump-priming" in html
    assert "Incentivises the provider to offer a good quality service" in html  # the seed's pros
    assert html.count("Not answered yet") == 9 * 6  # no verdict, nothing pre-filled
    response = client.post(
        f"/extracare/{scheme.pk}/models/B/",
        {"advantages": "Residents keep choice", "disadvantages": "Small scheme", "notes": "",
         "q_simplicity": "Fairly simple for residents", "reason": "Board meeting"},
    )  # fmt: skip
    assert response.status_code == 302
    html = client.get(f"/extracare/{scheme.pk}/models/").content.decode()
    assert "Fairly simple for residents" in html and "Residents keep choice" in html
    assert html.count("Not answered yet") == 9 * 6 - 1
    scheme.refresh_from_db()
    assert scheme.appraisal["answers"]["B"]["simplicity"] == "Fairly simple for residents"
    assert client.get(f"/extracare/{scheme.pk}/models/Z/").status_code == 404


def test_viability_page_shows_shares_break_even_and_a_chart(world, scheme):
    html = commissioner(world).get(f"/extracare/{scheme.pk}/viability/").content.decode()
    assert 'data-testid="break-even"' in html
    assert "Share of budget" in html and 'class="app-bars"' in html
    assert (
        "With 40 occupied flats or more, the pooled headroom is at least the core's cost of £5,075.67" in html
    )
    assert 'data-testid="viability-data"' in html
    assert "occupied flats or more" in html
    low = commissioner(world).get(f"/extracare/{scheme.pk}/viability/?occupied=10").content.decode()
    assert "Pooling falls short" in low


def test_simulation_runs_in_the_background_and_the_status_page_shows_results(world, scheme, worker):
    client = commissioner(world)
    with worker():
        response = client.post(
            f"/extracare/{scheme.pk}/simulate/",
            {"kind": "simulation", "floating_share": "30", "days": "14", "seed": "1"},
        )
    assert response.status_code == 302
    run = AnalysisRun.objects.get()
    assert run.status == RunStatus.DONE and run.version == scheme.current
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="status">Finished' in html
    assert "1 of 1 step (100%)" in html
    assert 'class="app-bars"' in html and 'data-testid="utilisation-data"' in html
    assert "share of on-shift staff time in use by hour of day, with 30% of daytime cover floating" in html
    assert "charts" not in run.result  # figures only: the page draws the chart from them
    assert "inputs version 1" in html


def test_sweep_progress_and_results(world, scheme, worker):
    client = commissioner(world)
    with worker():
        response = client.post(
            f"/extracare/{scheme.pk}/simulate/",
            {
                "kind": "sweep",
                "levels": "3",
                "replications": "2",
                "days": "7",
                "target_p95_minutes": "30",
                "seed": "1",
            },
        )
    run = AnalysisRun.objects.get(kind=RunKind.SWEEP)
    assert (run.done, run.total) == (6, 6)
    html = client.get(response["Location"]).content.decode()
    assert "6 of 6 steps (100%)" in html
    assert re.findall(r"<tr[^>]*>\s*<td[^>]*>(\d+%)</td>", html)[:3] == ["0%", "50%", "100%"]
    assert 'data-testid="min-floating"' in html


def test_a_queued_run_shows_its_progress_and_a_refresh_link(world, scheme):
    run = AnalysisRun.objects.create(
        authority=scheme.authority, scheme=scheme, version=scheme.current, kind=RunKind.SWEEP,
        params={"levels": 4}, total=40, done=12, status=RunStatus.RUNNING,
    )  # fmt: skip
    html = commissioner(world).get(run.get_absolute_url()).content.decode()
    assert "12 of 40 steps (30%)" in html and 'value="12"' in html
    assert "Refresh to see progress" in html


def test_bad_run_settings_are_refused(world, scheme):
    response = commissioner(world).post(
        f"/extracare/{scheme.pk}/simulate/", {"kind": "sweep", "levels": "0", "replications": "2", "days": "7",
                                              "target_p95_minutes": "30", "seed": "1"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Floating levels from 0% to 100% must be 1 or more" in response.content.decode()
    assert not AnalysisRun.objects.exists()


def test_rota_table_solve_time_gap_and_csv(world, scheme, worker):
    client = commissioner(world)
    with worker():
        response = client.post(
            f"/extracare/{scheme.pk}/rota/", {"staff": "12", "nights_staff": "12", "time_limit_seconds": "10",
                                              "week_start_0": "6", "week_start_1": "4", "week_start_2": "2026"},
        )  # fmt: skip
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="rota"' in html and 'data-testid="solve-time"' in html
    assert "OPTIMAL" in html and row_cells(html, "rota")  # has rows
    assert re.search(r'data-testid="gap">0%', html)
    run = AnalysisRun.objects.get()
    download = client.get(f"/extracare/{scheme.pk}/runs/{run.pk}/rota.csv")
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0][:3] == ["worker", "day", "date"] and rows[1][2] == "2026-04-06"
    assert sum(float(r[6]) for r in rows[1:]) == 392.0  # paid hours, as the engine docs record


def test_infeasible_rota_names_the_rule(world, scheme, worker):
    client = commissioner(world)
    with worker():
        response = client.post(
            f"/extracare/{scheme.pk}/rota/", {"staff": "12", "nights_staff": "1", "time_limit_seconds": "5"}
        )
    html = client.get(response["Location"]).content.decode()
    assert "No rota can cover the schedule" in html
    assert "maximum nights a week per worker" in html and "max_nights_per_week" in html
    run = AnalysisRun.objects.get()
    assert client.get(f"/extracare/{scheme.pk}/runs/{run.pk}/rota.csv").status_code == 404


def test_delete_a_scheme_with_a_reason(world, scheme):
    client = commissioner(world)
    assert client.post(f"/extracare/{scheme.pk}/delete/", {"reason": ""}).status_code == 400
    assert client.post(f"/extracare/{scheme.pk}/delete/", {"reason": "Duplicate"}).status_code == 302
    assert not Scheme.objects.filter(pk=scheme.pk).exists()


def test_nav_and_home_section(world, scheme):
    html = commissioner(world).get("/").content.decode()
    assert ">Extra Care<" in html and scheme.name in html
    finance = client_for(world.north.users[Role.FINANCE]).get("/").content.decode()
    assert ">Extra Care<" in finance and 'id="extracare-heading"' not in finance
    assessor = client_for(world.north.users[Role.ASSESSOR]).get("/").content.decode()
    assert ">Extra Care<" not in assessor


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
def test_run_is_queued_until_a_worker_takes_it(world, scheme, worker):
    with worker():
        run = services.start_run(None, scheme, RunKind.SIMULATION, {"days": 3})
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED and run.task_id
    from selfdirect.extracare.tasks import run_analysis

    assert run_analysis.call(run.pk) == RunStatus.DONE
    run.refresh_from_db()
    assert run.result["days"] == 3


def test_the_form_round_trips_a_version_without_change(world, scheme):
    from selfdirect.extracare.inputs import canonical, validate_inputs

    form = SchemeForm(form_data(scheme), initial={})
    assert form.is_valid(), form.errors
    name, inputs = form.to_inputs()
    got = canonical(validate_inputs(inputs))
    from selfdirect.extracare.services import _input_changes

    assert _input_changes(scheme.current.inputs, got) == {}


def test_the_scheme_page_says_when_to_begin_procuring_the_care(world, scheme):
    # Seed 003 2B 8.2: begin a minimum of 6 months before the scheme is due for completion. The
    # seed example has only an opening date (1 April 2026), which stands in, and says so.
    client = commissioner(world)
    html = client.get(f"/extracare/{scheme.pk}/").content.decode()
    assert (
        "Begin selecting the care provider by 1 October 2025, 6 months before the scheme opens on 1 April 2026"
        in html
    )
    response = client.post(f"/extracare/{scheme.pk}/edit/", form_data(scheme, completion_date="16 3 2026"))
    assert response.status_code == 302, response.content.decode()[:3000]
    html = client.get(f"/extracare/{scheme.pk}/").content.decode()
    assert (
        "Begin selecting the care provider by 16 September 2025, 6 months before the scheme is due for "
        "completion on 16 March 2026." in html
    )
    # Completion after opening is refused, next to the box.
    response = client.post(f"/extracare/{scheme.pk}/edit/", form_data(scheme, completion_date="2026-05-01"))
    assert response.status_code == 400
    assert 'href="#id_completion_date"' in response.content.decode()
