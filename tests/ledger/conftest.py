"""Ledger fixtures. Tests that commit for real (threads, crash-and-retry) use flushable_db from
tests/browser_support.py, which lifts the refuse-deletes rules only while the tables are emptied."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from selfdirect.ledger.policy import load


@pytest.fixture(autouse=True)
def _fresh_policies() -> Iterator[None]:
    load.cache_clear()
    yield
    load.cache_clear()
