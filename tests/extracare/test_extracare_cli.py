"""The commands: hours tables, a sweep with a progress bar, a rota to CSV; errors exit non-zero."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from selfdirect.core.constants import Role
from selfdirect.extracare.demo import load_demo
from selfdirect.extracare.models import Scheme


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_hours_for_the_seed_example_and_a_saved_scheme(world, scheme):
    out, _ = run("extracare_hours", "--seed-example")
    for figure in (
        "310",
        "273",
        "342.5",
        "412.5",
        "449.5",
        "49.5",
        "346.5",
        "416.5",
        "453.5",
        "175",
        "£8,722.97",
    ):
        assert figure in out, figure
    out, _ = run("extracare_hours", str(scheme.pk))
    assert "inputs version 1" in out and "453.5" in out


def test_hours_refuses_unknown_scheme_and_users_without_the_role(world, scheme):
    with pytest.raises(CommandError, match="no scheme with id 999"):
        run("extracare_hours", "999")
    with pytest.raises(CommandError, match="do not allow"):
        run("extracare_hours", str(scheme.pk), "--user", world.north.users[Role.ASSESSOR].username)
    with pytest.raises(CommandError, match="no scheme"):
        run("extracare_hours", str(scheme.pk), "--user", world.south.users[Role.COMMISSIONER].username)
    out, _ = run("extracare_hours", str(scheme.pk), "--user", world.north.users[Role.FINANCE].username)
    assert "310" in out


def test_sweep_prints_levels_and_a_progress_bar(world, scheme):
    out, err = run("extracare_sweep", str(scheme.pk), "--levels", "3", "--replications", "2", "--days", "5")
    assert "6/6" in err  # rich's progress bar, done
    assert "0%" in out and "50%" in out and "100%" in out
    with pytest.raises(CommandError, match="--levels: must be at least 1"):
        run("extracare_sweep", str(scheme.pk), "--levels", "0")


def test_rota_to_csv_and_the_rule_when_infeasible(world, scheme, tmp_path):
    target = tmp_path / "out.csv"
    out, _ = run("extracare_rota", str(scheme.pk), "--csv", str(target), "--week-start", "2026-04-06")
    assert "OPTIMAL" in out and "Wrote" in out
    rows = list(csv.reader(target.open()))
    assert rows[0][0] == "worker" and rows[1][2] == "2026-04-06"
    with pytest.raises(CommandError, match="max_nights_per_week"):
        run("extracare_rota", str(scheme.pk), "--nights-staff", "1", "--time-limit", "5")


def test_demo_is_deterministic_and_idempotent(world):
    first = load_demo()
    again = load_demo()
    assert [s.pk for s in first] == [s.pk for s in again]
    assert Scheme.objects.count() == 2
    north = Scheme.objects.get(authority=world.north.authority)
    assert north.current.inputs["scheme"]["flats"] == 40 and north.versions.count() == 1
    south = Scheme.objects.get(authority=world.south.authority)
    assert south.current.inputs["scheme"]["flats"] == 60
