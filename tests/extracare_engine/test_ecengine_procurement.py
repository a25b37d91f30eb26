"""When to begin selecting a new scheme's care provider: seed 003 Section 2B 8.2, "a minimum of
6 months before the scheme is due for completion" (not six months before a contract ends)."""

from __future__ import annotations

from datetime import date

from selfdirect.extracare.engine import PROCUREMENT_LEAD_MONTHS, procurement_start


def test_six_months_before_the_scheme_is_due_for_completion():
    assert PROCUREMENT_LEAD_MONTHS == 6
    start = procurement_start(date(2026, 4, 1))
    assert start is not None
    assert (start.start_by, start.counted_from, start.from_completion) == (
        date(2025, 10, 1),
        date(2026, 4, 1),
        True,
    )
    assert start.sentence().startswith(
        "Begin selecting the care provider by 1 October 2025, 6 months before the scheme is due for "
        "completion on 1 April 2026."
    )
    assert "The Housing LIN technical brief: tendering" in start.sentence()
    # The completion date wins over the opening date; a month's end is clamped (31 August -> 28 February).
    later = procurement_start(date(2026, 8, 31), date(2026, 9, 14))
    assert later is not None and later.start_by == date(2026, 2, 28) and later.from_completion


def test_without_a_completion_date_the_opening_date_stands_in_and_says_so():
    start = procurement_start(None, date(2026, 9, 1))
    assert start is not None
    assert (start.start_by, start.from_completion) == (date(2026, 3, 1), False)
    assert "the scheme opens on 1 September 2026 (no completion date is given" in start.sentence()
    assert procurement_start(None, None) is None
