"""Shared fixtures. The world they build is described in helpers.py."""

from __future__ import annotations

import pytest

from helpers import World, make_world


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db) -> World:
    return make_world()
