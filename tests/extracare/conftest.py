"""Extra Care fixtures: the immediate task backend and a seed scheme."""

from __future__ import annotations

import pytest

from selfdirect.core.constants import Role
from selfdirect.extracare import services


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def scheme(world):
    return services.create_from_seed(world.north.users[Role.COMMISSIONER], world.north.authority)


@pytest.fixture
def south_scheme(world):
    return services.create_from_seed(world.south.users[Role.COMMISSIONER], world.south.authority)
