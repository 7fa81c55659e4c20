"""The national digits of a number written with its country code, taken from its E.164 form without
parsing it again (the import's shortcut), are what phonenumbers' own parse gives: checked over every
region's example mobile, fixed-line and toll-free numbers, written "+…" and "00…"."""

from __future__ import annotations

import phonenumbers

from careapp.domain.phones import _national_digits, _national_from_e164, searchable_digits, to_e164

TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
)


def written_forms() -> list[str]:
    forms = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in TYPES:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                international = phonenumbers.format_number(
                    example, phonenumbers.PhoneNumberFormat.INTERNATIONAL
                )
                forms += [international, "00" + international[1:]]
    return forms


def test_the_shortcut_gives_what_parsing_gives_for_every_region() -> None:
    forms = written_forms()
    assert len(forms) > 1000
    for raw in forms:
        e164 = to_e164(raw, None)
        assert e164 is not None, raw
        assert _national_from_e164(raw, e164) == _national_digits(raw), raw


def test_the_shortcut_is_only_taken_for_the_same_digits() -> None:
    assert _national_from_e164("+44 7700 900123", "+447700900123") == "7700900123"
    assert _national_from_e164("07700 900123", "+447700900123") is None  # no country code written
    assert _national_from_e164("+44 7700 900124", "+447700900123") is None  # another number
    assert _national_from_e164("+44 7700 900123", None) is None
    assert searchable_digits("+44 7700 900123", "+447700900123") == [
        "447700900123",
        "7700900123",
        "07700900123",
    ]
