from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from selfdirect.core.money import format_pence, format_rate, parse_pounds, split_pence


def test_format_pence_shows_pounds_and_pence():
    assert format_pence(126000) == "£1,260.00"
    assert format_pence(-5) == "\u2212£0.05"  # a true minus sign on screen
    assert format_pence(8291) == "£82.91"


@pytest.mark.parametrize(
    ("pence", "shown", "in_a_file"),
    [(-5, "−£0.05", "-0.05"), (-195, "−£1.95", "-1.95"), (-123456, "−£1,234.56", "-1234.56"),
     (0, "£0.00", "0.00"), (123456789, "£1,234,567.89", "1234567.89")],
)  # fmt: skip
def test_one_formatter_for_screens_and_files_negatives_included(pence, shown, in_a_file):
    # The ledger's own formatter printed -5 pence as "-1.95" (divmod counts down to the pound below).
    assert format_pence(pence) == shown
    assert format_pence(pence, symbol=False, grouping=False) == in_a_file


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_a_file_figure_reads_back_as_the_same_pence(pence):
    assert parse_pounds(format_pence(pence, symbol=False, grouping=False)) == pence
    assert parse_pounds(format_pence(pence)) == pence  # the screen's minus sign too


def test_a_rate_keeps_its_fraction_of_a_penny():
    assert format_rate(Decimal("30779.4011")) == "£307.794011"
    assert format_rate(1800) == "£18.00"
    assert format_rate(Decimal("-250")) == "\u2212£2.50"


def test_format_pence_refuses_floats():
    with pytest.raises(TypeError):
        format_pence(12.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("text,pence", [("£1,260.00", 126000), ("170.45", 17045), ("0.01", 1), ("18", 1800)])
def test_parse_pounds(text, pence):
    assert parse_pounds(text) == pence


@pytest.mark.parametrize("text", ["1.005", "abc", "", "NaN", "1e400"])
def test_parse_pounds_refuses_fractions_of_a_penny_and_nonsense(text):
    with pytest.raises(ValueError):
        parse_pounds(text)


def test_split_follows_largest_remainder():
    # £100 in three equal parts: the first part takes the odd penny.
    assert split_pence(10000, [1, 1, 1]) == [3334, 3333, 3333]
    assert split_pence(-10000, [1, 1, 1]) == [-3334, -3333, -3333]
    assert split_pence(126000, [Decimal("0.6"), Decimal("0.4")]) == [75600, 50400]


@given(
    total=st.integers(min_value=-(10**12), max_value=10**12),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30).filter(any),
)
def test_split_never_loses_a_penny(total, weights):
    parts = split_pence(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)
    # each part is within a penny of its exact share
    weight_sum = sum(weights)
    for part, w in zip(parts, weights, strict=True):
        assert abs(Decimal(part) - Decimal(total) * w / weight_sum) < 1


def test_a_negative_amount_in_a_message_stays_on_one_line_and_the_rest_is_escaped():
    from selfdirect.core.templatetags.selfdirect import whole_amounts

    shown = whole_amounts("Balance −£5,872.45 & <b>owed</b>; credit £3.00; −£0.05 refunded")
    nowrap = '<span class="app-nowrap" style="white-space: nowrap">'
    assert shown == (
        f"Balance {nowrap}−£5,872.45</span> &amp; &lt;b&gt;owed&lt;/b&gt;; credit £3.00; {nowrap}−£0.05</span> refunded"
    )
