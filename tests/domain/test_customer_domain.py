"""Pure domain rules: partial dates, tags, validation, merging. No Qt, no database."""

from __future__ import annotations

import pytest

from careapp.domain.customer import (
    CustomerDraft,
    EmailAddress,
    InvalidDate,
    PartialDate,
    PhoneNumber,
    PostalAddress,
    normalize_tags,
)
from careapp.domain.merge import merge_drafts, same_profile
from careapp.domain.phones import digits_only, to_e164
from careapp.domain.validation import validate_customer


def test_29_february_needs_a_leap_year_only_when_the_year_is_known() -> None:
    assert PartialDate(2, 29).iso() == "--02-29"
    assert PartialDate(2, 29, 2024).iso() == "2024-02-29"
    with pytest.raises(InvalidDate, match="February 2023 has no day 29"):
        PartialDate(2, 29, 2023)
    with pytest.raises(InvalidDate, match="February has no day 30"):
        PartialDate(2, 30)


@pytest.mark.parametrize(("month", "day"), [(13, 1), (0, 5), (4, 31), (1, 0)])
def test_impossible_dates_are_refused(month: int, day: int) -> None:
    with pytest.raises(InvalidDate):
        PartialDate(month, day)


def test_partial_date_json_keeps_unknown_year_as_null() -> None:
    assert PartialDate(4, 12).as_json() == {"month": 4, "day": 12, "year": None}
    assert PartialDate(4, 12, 1985).to_date() is not None
    assert PartialDate(4, 12).to_date() is None


def test_tags_are_normalised_and_deduplicated_in_order() -> None:
    assert normalize_tags([" Coffee", "coffee", "Board   Games", "", "tea"]) == [
        "coffee",
        "board games",
        "tea",
    ]


def test_phone_numbers_keep_what_was_typed_and_gain_e164() -> None:
    assert to_e164("029 2018 0123", "GB") == "+442920180123"
    assert to_e164("0049 30 901820", None) == "+4930901820"
    assert to_e164("12", "GB") is None
    assert digits_only("+44 (0)29-2018") == "440292018"


def test_validation_names_each_bad_field() -> None:
    draft = CustomerDraft(
        emails=[EmailAddress("ok@example.com"), EmailAddress("broken@")],
        phones=[PhoneNumber("12")],
    )
    errors = validate_customer(draft)
    assert [e.field for e in errors] == ["emails[1]", "phones[0]"]
    assert "broken@" in errors[0].message
    assert [e.field for e in validate_customer(CustomerDraft())] == ["name"]


def test_merge_fills_gaps_and_never_overwrites() -> None:
    known = CustomerDraft(
        first_name="Ann",
        emails=[EmailAddress("ann@example.com")],
        phones=[PhoneNumber("029 2018 0123", "+442920180123")],
        notes="Prefers mornings.",
        tags=["coffee"],
    )
    incoming = CustomerDraft(
        first_name="Annie",
        last_name="Evans",
        emails=[EmailAddress("ANN@example.com"), EmailAddress("a@work.example")],
        phones=[PhoneNumber("+44 29 2018 0123", "+442920180123")],
        birthday=PartialDate(4, 12),
        address=PostalAddress(city="Cardiff"),
        notes="Has a dog.",
        tags=["Tea"],
    )
    merged = merge_drafts(known, incoming)
    assert merged.first_name == "Ann" and merged.last_name == "Evans"
    assert [e.address for e in merged.emails] == ["ann@example.com", "a@work.example"]
    assert len(merged.phones) == 1
    assert merged.birthday == PartialDate(4, 12)
    assert merged.address.city == "Cardiff"
    assert merged.notes == "Prefers mornings.\nHas a dog."
    assert merged.tags == ["coffee", "tea"]
    assert same_profile(merged, merge_drafts(merged, incoming))
    assert not same_profile(known, merged)
