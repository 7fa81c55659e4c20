"""Phone numbers: kept as typed, plus E.164 when the number can be understood."""

from __future__ import annotations

import functools
import re

import phonenumbers

from careapp.domain.customer import PhoneNumber

_NON_DIGITS = re.compile(r"\D+")


def digits_only(text: str) -> str:
    return _NON_DIGITS.sub("", text)


def to_e164(raw: str, default_region: str | None) -> str | None:
    """E.164 form of ``raw``, or None when it is not a valid number.

    ``default_region`` (ISO 3166 alpha-2, e.g. "GB") is the shop's country, used for
    numbers typed without a country code.
    """
    return _e164(raw.strip(), default_region.upper() if default_region else None)


@functools.lru_cache(maxsize=50_000)
def _e164(text: str, region: str | None) -> str | None:
    """Cached: phonenumbers takes 30-40 µs a number, and imports and the editor ask again and again."""
    if not text or len(digits_only(text)) < 3:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not _valid(parsed, region):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _valid(parsed: phonenumbers.PhoneNumber, region: str | None) -> bool:
    """``phonenumbers.is_valid_number``, asked of the shop's own region first: a number valid there is
    valid. is_valid_number first finds the number's region by trying each region of its country
    code in turn, and +1 has 25 of them: for a Canadian shop's numbers that search was most of an
    import's phone time. tests/domain/test_phone_validity.py holds the two to the same answers for
    every region's example numbers and their neighbours."""
    if region is not None and phonenumbers.is_valid_number_for_region(parsed, region):
        return True
    return bool(phonenumbers.is_valid_number(parsed))


def searchable_digits(raw: str, e164: str | None) -> list[str]:
    """Every digit form a search by digits should find this number by: as typed, international,
    and, for a number typed with its country code, the national number with and without the
    leading 0. Valid or not: "+44 7700 900123" is in a range no real phone has, but a person
    still types "07700 900" to find it."""
    forms = [digits_only(raw), digits_only(e164 or "")]
    national = _national_from_e164(raw.strip(), e164) or _national_digits(raw.strip())
    if national:
        forms += [national, "0" + national]
    return list(dict.fromkeys(form for form in forms if form))


def _national_from_e164(text: str, e164: str | None) -> str | None:
    """The national significant number of a number written with its country code whose digits are
    its E.164 digits, without parsing it again (an import parses 100,000 numbers): E.164 is "+",
    the country code, then that number, and country codes are prefix-free."""
    if text.startswith("00"):
        text = "+" + text[2:]
    if e164 is None or not text.startswith("+") or digits_only(text) != e164[1:]:
        return None
    for size in (1, 2, 3):
        if int(e164[1 : 1 + size]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return e164[1 + size :] or None
    return None


def _national_digits(text: str) -> str | None:
    """The national significant number of a number written with its country code (+44…, 0044…)."""
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text.startswith("+") or len(digits_only(text)) < 5:
        return None
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.national_significant_number(parsed) or None


def search_digits(typed: str) -> str:
    """What a phone-like search term is looked for as: its digits, or, written with a country code
    (+44 7700 900), the national digits, which every stored form of that number contains."""
    return _national_digits(typed.strip()) or digits_only(typed)


def make_phone(raw: str, default_region: str | None, label: str = "") -> PhoneNumber:
    return PhoneNumber(raw=raw.strip(), e164=to_e164(raw, default_region), label=label)
