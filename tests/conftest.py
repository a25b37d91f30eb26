"""Shared fixtures. The world they build is described in helpers.py."""

from __future__ import annotations

import pytest

from browser_support import (  # noqa: F401 - fixtures and a hook, registered by being imported here
    browser,
    browser_world,
    flushable_db,
    page,
    page_without_js,
    pytest_runtest_teardown,
)
from helpers import World, make_world


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db) -> World:
    return make_world()
