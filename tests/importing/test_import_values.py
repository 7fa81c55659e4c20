import pytest

from careapp.domain.customer import InvalidDate, PartialDate
from careapp.importing.values import (
    UnreadableValue,
    normalize_label,
    read_date,
    read_yes_no,
    split_full_name,
    strip_sheet_guard,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1985-04-12", PartialDate(4, 12, 1985)),
        ("19850412", PartialDate(4, 12, 1985)),
        ("1985-04-12T00:00:00Z", PartialDate(4, 12, 1985)),
        ("--04-12", PartialDate(4, 12)),
        ("--0412", PartialDate(4, 12)),
        ("--02-29", PartialDate(2, 29)),
        ("1985/04/12", PartialDate(4, 12, 1985)),
        ("12.04.1985", PartialDate(4, 12, 1985)),
        ("12.4.85", PartialDate(4, 12, 1985)),
        ("12.04.", PartialDate(4, 12)),
        ("13/4/1985", PartialDate(4, 13, 1985)),
        ("4/13/1985", PartialDate(4, 13, 1985)),
        ("April 12, 1985", PartialDate(4, 12, 1985)),
        ("12 Apr 1985", PartialDate(4, 12, 1985)),
        ("12th April", PartialDate(4, 12)),
        ("  1985-04-12 ", PartialDate(4, 12, 1985)),
        ("12-04-1985", PartialDate(4, 12, 1985)),
        ("0/0/00", None),
        ("", None),
    ],
)
def test_read_date(text, expected):
    assert read_date(text, day_first=True, this_year=2025) == expected


def test_slashed_dates_that_could_be_either_way_follow_day_first():
    assert read_date("04/12/1985", day_first=True, this_year=2025) == PartialDate(12, 4, 1985)
    assert read_date("04/12/1985", day_first=False, this_year=2025) == PartialDate(4, 12, 1985)


def test_two_digit_years_are_never_in_the_future():
    assert read_date("1.2.25", day_first=True, this_year=2025) == PartialDate(2, 1, 2025)
    assert read_date("1.2.26", day_first=True, this_year=2025) == PartialDate(2, 1, 1926)
    assert read_date("1/2/07", day_first=True, this_year=2025) == PartialDate(2, 1, 2007)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1990-02-30", "February 1990 has no day 30"),
        ("2023-02-29", "February 2023 has no day 29"),
        ("--02-30", "February has no day 30"),
        ("31.04.1982", "April 1982 has no day 31"),
        ("13/13/2000", "there is no month 13"),
    ],
)
def test_impossible_dates(text, message):
    with pytest.raises(InvalidDate, match=message):
        read_date(text, day_first=True, this_year=2025)


@pytest.mark.parametrize("text", ["soon", "1985", "Smarch 3", "12/04/1985/1", "2024-13"])
def test_unreadable_dates(text):
    with pytest.raises(UnreadableValue, match="not a date careapp can read"):
        read_date(text, day_first=True, this_year=2025)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", True),
        ("Y", True),
        ("TRUE", True),
        ("ja", True),
        ("Subscribed", True),
        ("no", False),
        ("0", False),
        ("nein", False),
        ("not  subscribed", False),
        ("", None),
        ("  ", None),
    ],
)
def test_read_yes_no(text, expected):
    assert read_yes_no(text) is expected


def test_read_yes_no_refuses_anything_else():
    with pytest.raises(UnreadableValue, match="write yes or no"):
        read_yes_no("maybe")


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("Jane Smith", "Jane", "Smith"),
        ("Smith, Jane", "Jane", "Smith"),
        ("Mary Ann Smith", "Mary Ann", "Smith"),
        ("Ludwig van Beethoven", "Ludwig", "van Beethoven"),
        ("María de la Cruz", "María", "de la Cruz"),
        ("Cher", "Cher", ""),
        ("  Jane   Smith ", "Jane", "Smith"),
    ],
)
def test_split_full_name(name, first, last):
    assert split_full_name(name) == (first, last)


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("* Mobile", "mobile"),
        ("CELL", "mobile"),
        ("_$!<Mobile>!$_", "mobile"),
        ("Business", "work"),
        ("_$!<Anniversary>!$_", "Anniversary"),
        ("Shop", "Shop"),
        ("", ""),
    ],
)
def test_normalize_label(label, expected):
    assert normalize_label(label) == expected


@pytest.mark.parametrize(
    ("cell", "always", "expected"),
    [
        ("'+44 20 7946 0958", False, "+44 20 7946 0958"),
        ("'=SUM(A1)", False, "=SUM(A1)"),
        ("'--04-12", False, "--04-12"),
        ("'Tis the season", False, "'Tis the season"),
        ("'01234", False, "'01234"),
        ("'01234", True, "01234"),
        ("'", False, "'"),
    ],
)
def test_strip_sheet_guard(cell, always, expected):
    assert strip_sheet_guard(cell, always=always) == expected
