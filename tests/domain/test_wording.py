"""Counts and line ranges in words: no "(s)", no "lines 9–9"."""

from careapp.domain.wording import counted, line_range


def test_one_is_singular_and_every_other_count_plural() -> None:
    assert counted(1, "customer") == "1 customer"
    assert counted(0, "customer") == "0 customers"
    assert counted(2, "calendar event") == "2 calendar events"
    assert counted(3, "person", "people") == "3 people"


def test_a_range_of_one_line_is_that_line() -> None:
    assert line_range(9, 9) == "line 9"
    assert line_range(9, 12) == "lines 9–12"
