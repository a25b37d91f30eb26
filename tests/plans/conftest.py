"""Fixtures for the plans tests (helpers live in plans_support.py, a name no other folder uses)."""

from __future__ import annotations

import pytest
from plans_support import write_plan


@pytest.fixture
def written(world):
    """Mrs W's plan (seed 001) for the person on the home team's caseload, ready to submit."""
    return write_plan(world.north)
