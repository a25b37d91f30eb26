"""Fixtures for the allocation app: the world of tests/helpers.py with the demo policies published."""

from __future__ import annotations

import pytest
from alloc_testdata import publish_demo_policies


@pytest.fixture
def published(world):
    return publish_demo_policies(world)


@pytest.fixture
def north_2026(published):
    return published[("northshire", "policy-2026.yaml")]
