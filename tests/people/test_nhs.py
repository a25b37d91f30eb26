import pytest

from selfdirect.people.nhs import nhs_number_is_valid


@pytest.mark.parametrize("number", ["9434765919", "943 476 5919", "943-476-5919", "4010232137"])
def test_valid_nhs_numbers(number):
    assert nhs_number_is_valid(number)


@pytest.mark.parametrize("number", ["9434765918", "943476591", "94347659190", "abcdefghij", "", "1000000010"])
def test_invalid_nhs_numbers(number):
    assert not nhs_number_is_valid(number)
