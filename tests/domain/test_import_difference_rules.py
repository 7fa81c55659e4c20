"""Which fields of an imported row contradict careapp's customer, and taking the file's values."""

from __future__ import annotations

from careapp.domain.customer import CustomerDraft, DateKind, ImportantDate, PartialDate, PostalAddress
from careapp.domain.import_differences import difference_text, differences, take_file_values

CAREAPP = CustomerDraft(
    first_name="Ann",
    last_name="Evans",
    company="Bean There",
    birthday=PartialDate(5, 4, 1990),
    address=PostalAddress("1 High St", "Cardiff", "", "CF10 1AA", "GB"),
    dates=[ImportantDate(DateKind.ANNIVERSARY, PartialDate(6, 20, 2015))],
)


def test_nothing_differs_where_the_file_says_the_same_or_says_less() -> None:
    assert differences(CAREAPP, CAREAPP) == ()
    says_less = CustomerDraft(first_name="ann", birthday=PartialDate(5, 4))  # no year, other case
    assert differences(CAREAPP, says_less) == ()
    assert differences(CustomerDraft(), CAREAPP) == ()  # careapp knows nothing: the file fills gaps


def test_every_contradicting_field_is_named_with_both_values() -> None:
    file = CustomerDraft(
        first_name="Anne",
        last_name="Evans",
        company="Beans Ltd",
        birthday=PartialDate(5, 3, 1990),
        address=PostalAddress("2 Low St", "Cardiff", "", "CF10 1AB", "GB"),
        dates=[ImportantDate(DateKind.ANNIVERSARY, PartialDate(6, 21, 2015))],
    )
    assert [difference_text(d, False) for d in differences(CAREAPP, file)] == [
        "first name: file Anne, careapp Ann — kept careapp's",
        "company: file Beans Ltd, careapp Bean There — kept careapp's",
        "birthday: file 3 May 1990, careapp 4 May 1990 — kept careapp's",
        "address: file 2 Low St, Cardiff, CF10 1AB, GB, careapp 1 High St, Cardiff, CF10 1AA, GB"
        " — kept careapp's",
        "anniversary: file 21 June 2015, careapp 20 June 2015 — kept careapp's",
    ]
    taken = take_file_values(CAREAPP, differences(CAREAPP, file))
    assert taken == file


def test_a_year_the_file_knows_and_careapp_does_not_is_a_difference() -> None:
    careapp = CustomerDraft(birthday=PartialDate(7, 1))
    (found,) = differences(careapp, CustomerDraft(birthday=PartialDate(7, 1, 1980)))
    assert difference_text(found, True) == "birthday: file 1 July 1980, careapp 1 July — took the file's"
    assert take_file_values(careapp, (found,)).birthday == PartialDate(7, 1, 1980)
