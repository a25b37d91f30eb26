"""Fixtures for the assessment app (test data shared with tests/allocation/alloc_testdata.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "allocation"))

from alloc_testdata import publish_demo_policies  # noqa: E402


@pytest.fixture
def published(world):
    return publish_demo_policies(world)


@pytest.fixture
def north_2026(published):
    return published[("northshire", "policy-2026.yaml")]
