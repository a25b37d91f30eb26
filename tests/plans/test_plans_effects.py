"""Each transition of the plan workflow (workflow.TRANSITIONS) has one effect, and each effect names a
transition (services/effects.py). The link is checked in plain code when the services are imported,
not by an ``assert`` that ``python -O`` drops (issue 18.2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import selfdirect
from selfdirect.plans import workflow
from selfdirect.plans.services import effects


def test_every_transition_has_an_effect_and_every_effect_a_transition():
    assert workflow.unmatched_effects(effects.EFFECTS) == []
    workflow.check_effects(effects.EFFECTS)


def test_a_transition_without_an_effect_is_refused():
    with pytest.raises(ImproperlyConfigured, match="transition 'new_step' has no effect"):
        workflow.check_effects(effects.EFFECTS, [*workflow.TRANSITIONS, "new_step"])
    left_out = {action: step for action, step in effects.EFFECTS.items() if action != "end"}
    with pytest.raises(ImproperlyConfigured, match="transition 'end' has no effect"):
        workflow.check_effects(left_out)


def test_an_effect_that_names_no_transition_is_refused():
    with pytest.raises(ImproperlyConfigured, match="'old_step', which is no transition"):
        workflow.check_effects({**effects.EFFECTS, "old_step": effects.EFFECTS["end"]})
    with pytest.raises(ImproperlyConfigured, match="names no transition: 'no_such_step'"):
        effects.effect("no_such_step")(lambda *args: None)
    with pytest.raises(ImproperlyConfigured, match="'submit' has two effects"):
        effects.effect("submit")(lambda *args: None)
    assert workflow.unmatched_effects(effects.EFFECTS) == []  # nothing was registered by the refusals


def test_the_check_survives_python_dash_o():
    """Under ``python -O`` (asserts gone: the first line would fail otherwise) the check still refuses."""
    code = "assert False\nfrom selfdirect.plans import workflow\nworkflow.check_effects(['submit'])"
    src = str(Path(selfdirect.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run(
        [sys.executable, "-O", "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert run.returncode != 0
    assert "ImproperlyConfigured" in run.stderr and "'end' has no effect" in run.stderr, run.stderr
