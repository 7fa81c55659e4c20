"""Reading single cell values the way contact programs and spreadsheets write them."""

from __future__ import annotations

import re

from careapp.domain.customer import PartialDate

# Outlook writes "0/0/00" for "no birthday"; other programs use all-zero ISO or dotted dates.
_EMPTY_DATES = frozenset(
    {"0/0/00", "0/0/0000", "00/00/0000", "00/00/00", "00.00.0000", "0000-00-00", "--00-00"}
)

_ISO = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})(?:[T ].*)?")  # 1985-04-12, 19850412, 1985-04-12T00:00:00Z
_NO_YEAR = re.compile(r"--(\d{2})-?(\d{2})")  # --04-12, --0412 (ISO 8601 / vCard)
_YEAR_FIRST = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})")  # 1985/04/12
_DOTTED = re.compile(r"(\d{1,2})\.\s*(\d{1,2})\.(?:\s*(\d{4}|\d{2}))?")  # 12.04.1985, 12.4.85, 12.04.
_SLASHED = re.compile(r"(\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}|\d{2}))?")  # 4/12/1985, 12-04-1985, 4/12
_DAY_MONTH_WORD = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\.?\s+([A-Za-z]+)\.?,?(?:\s+(\d{4}))?")
_MONTH_WORD_DAY = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?")

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}

DATE_HINT = "write it like 1985-04-12, or --04-12 when the year is unknown"


class UnreadableValue(ValueError):
    """A cell whose text is not a value of the expected kind; the message says what was expected."""


def read_date(text: str, *, day_first: bool, this_year: int) -> PartialDate | None:
    """The date in ``text``; None for an empty cell or an "empty date" placeholder.

    ``day_first`` settles slashed dates like 4/12/1985 whose parts could be either way
    round; ``this_year`` places two-digit years (85 -> 1985, 07 -> 2007).
    Raises InvalidDate for dates that do not exist and UnreadableValue for non-dates.
    """
    value = text.strip()
    if not value or value in _EMPTY_DATES:
        return None
    if match := _ISO.fullmatch(value):
        year, month, day = (int(part) for part in match.groups())
        return PartialDate(month, day, year)
    if match := _NO_YEAR.fullmatch(value):
        return PartialDate(int(match[1]), int(match[2]))
    if match := _YEAR_FIRST.fullmatch(value):
        return PartialDate(int(match[2]), int(match[3]), int(match[1]))
    if match := _DOTTED.fullmatch(value):
        return PartialDate(int(match[2]), int(match[1]), _full_year(match[3], this_year))
    if match := _SLASHED.fullmatch(value):
        month, day = _month_and_day(int(match[1]), int(match[2]), day_first)
        return PartialDate(month, day, _full_year(match[3], this_year))
    return _read_worded_date(value, this_year)


def _read_worded_date(value: str, this_year: int) -> PartialDate:
    if (match := _DAY_MONTH_WORD.fullmatch(value)) and match[2].lower() in _MONTHS:
        return PartialDate(_MONTHS[match[2].lower()], int(match[1]), _full_year(match[3], this_year))
    if (match := _MONTH_WORD_DAY.fullmatch(value)) and match[1].lower() in _MONTHS:
        return PartialDate(_MONTHS[match[1].lower()], int(match[2]), _full_year(match[3], this_year))
    raise UnreadableValue(f"this is not a date careapp can read; {DATE_HINT}")


def _month_and_day(first: int, second: int, day_first: bool) -> tuple[int, int]:
    # A part above 12 can only be the day, whatever the file's usual order is.
    if first > 12 >= second:
        return second, first
    if second > 12 >= first:
        return first, second
    return (second, first) if day_first else (first, second)


def _full_year(text: str | None, this_year: int) -> int | None:
    if text is None:
        return None
    year = int(text)
    if len(text) == 4:
        return year
    # Two-digit years are birthdays or shop dates: never in the future.
    century = this_year - this_year % 100
    return century + year if century + year <= this_year else century - 100 + year


def slashed_date_order(text: str) -> str | None:
    """ "day" or "month" when ``text`` is a slashed date that can only be read one way round."""
    match = _SLASHED.fullmatch(text.strip())
    if not match:
        return None
    first, second = int(match[1]), int(match[2])
    if first > 12 >= second:
        return "day"
    if second > 12 >= first:
        return "month"
    return None


def is_ambiguous_slashed_date(text: str) -> bool:
    match = _SLASHED.fullmatch(text.strip())
    if match is None or text.strip() in _EMPTY_DATES:
        return False
    return int(match[1]) <= 12 and int(match[2]) <= 12


_YES = frozenset(
    {"yes", "y", "true", "1", "x", "subscribed", "opted in", "opt-in", "accepted", "granted", "ja"}
)
_NO = frozenset(
    {
        "no",
        "n",
        "false",
        "0",
        "unsubscribed",
        "not subscribed",
        "opted out",
        "opt-out",
        "declined",
        "nein",
        "-",
    }
)


def read_yes_no(text: str) -> bool | None:
    """True/False for the usual ways of writing yes and no; None for an empty cell."""
    value = " ".join(text.strip().lower().split())
    if not value:
        return None
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise UnreadableValue("write yes or no")


# Lower-case words that start a surname: "Ludwig van Beethoven", "Maria de la Cruz".
_SURNAME_PARTICLES = frozenset(
    {
        "van",
        "von",
        "de",
        "del",
        "della",
        "der",
        "den",
        "da",
        "di",
        "dos",
        "das",
        "du",
        "la",
        "le",
        "ten",
        "ter",
        "zu",
    }
)


def split_full_name(full_name: str) -> tuple[str, str]:
    """(first, last) from a whole name such as "Jane Smith", "Smith, Jane" or "Jan van Dijk"."""
    name = " ".join(full_name.split())
    if "," in name:
        last, _, first = name.partition(",")
        return first.strip(), last.strip()
    words = name.split(" ")
    if len(words) == 1:
        return name, ""
    for index in range(1, len(words) - 1):
        if words[index] in _SURNAME_PARTICLES:
            return " ".join(words[:index]), " ".join(words[index:])
    return " ".join(words[:-1]), words[-1]


_APPLE_LABEL = re.compile(r"_\$!<(.*)>!\$_")
_LABEL_SYNONYMS = {
    "mobile": "mobile",
    "cell": "mobile",
    "cellular": "mobile",
    "iphone": "mobile",
    "handy": "mobile",
    "home": "home",
    "private": "home",
    "work": "work",
    "business": "work",
    "office": "work",
    "other": "other",
    "main": "main",
    "fax": "fax",
    "pager": "pager",
}


def normalize_label(label: str) -> str:
    """A phone or email label in careapp's words: "* Mobile", "CELL", "_$!<Mobile>!$_" -> "mobile"."""
    text = label.strip().lstrip("*").strip()
    if match := _APPLE_LABEL.fullmatch(text):
        text = match[1]
    return _LABEL_SYNONYMS.get(text.lower(), text)


# Spreadsheet programs (and careapp's own CSV export) put ' in front of cells that would
# otherwise be read as formulas or lose leading zeros; the apostrophe is not data.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def strip_sheet_guard(cell: str, *, always: bool = False) -> str:
    """``cell`` without a spreadsheet guard apostrophe; with ``always``, any leading ' goes."""
    if cell.startswith("'") and (always or cell[1:2] in _FORMULA_TRIGGERS):
        return cell[1:]
    return cell


def clean_email(text: str) -> str:
    value = text.strip().strip("<>").strip()
    if value.lower().startswith("mailto:"):
        value = value[len("mailto:") :]
    return value


def split_values(cell: str, separators: str) -> list[str]:
    """The non-empty parts of ``cell`` split at any of the ``separators`` characters."""
    return [part.strip() for part in re.split(f"[{re.escape(separators)}]", cell) if part.strip()]
