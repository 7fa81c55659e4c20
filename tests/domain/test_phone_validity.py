"""careapp.domain.phones asks whether a number is valid in the shop's own region before asking
phonenumbers to find the number's region (an import's 80,000 phones). The answer must be
``phonenumbers.is_valid_number``'s for every number and shop region: checked here over every region's
example numbers of every type, and their neighbours (a digit changed, added, dropped), as typed with
the country code and as typed nationally."""

from __future__ import annotations

import phonenumbers
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from careapp.domain import phones

# Shop regions that share a country code with others (the case the shortcut is about), and a few more.
SHOP_REGIONS = sorted(
    {r for regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.values() if len(regions) > 1 for r in regions}
    | {"DE", "FR", "IE", "NZ", "JP", "BR", "IN", "ZA"}
    - {"001"}
)
TYPES = [t for t in vars(PhoneNumberType).values() if isinstance(t, int) and t != PhoneNumberType.UNKNOWN]


def example_numbers() -> list[phonenumbers.PhoneNumber]:
    found = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in TYPES:
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None:
                found.append(number)
    return found


def typings(number: phonenumbers.PhoneNumber) -> list[str]:
    """The number and its neighbours, written with the country code."""
    national = phonenumbers.national_significant_number(number)
    code = f"+{number.country_code} "
    variants = {national, national[:-1] + str((int(national[-1]) + 1) % 10), national + "5", national[:-1]}
    return [code + v for v in sorted(variants) if v]


NUMBERS = example_numbers()


def expected(text: str, region: str | None) -> str | None:
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)


@pytest.mark.parametrize("region", SHOP_REGIONS)
def test_a_number_is_valid_exactly_when_phonenumbers_says_so(region: str) -> None:
    # The shortcut can only answer for numbers of the region's own country code; the others go the
    # usual way, so a sample of them is enough.
    code = phonenumbers.country_code_for_region(region)
    same = [n for n in NUMBERS if n.country_code == code]
    texts = [text for number in same + NUMBERS[::25] for text in typings(number)]
    home = [
        phonenumbers.format_number(n, PhoneNumberFormat.NATIONAL)
        for n in NUMBERS
        if phonenumbers.region_code_for_number(n) == region
    ]
    wrong = [
        (text, got, want)
        for text in texts + home
        if (got := phones._e164.__wrapped__(text, region)) != (want := expected(text, region))
    ]
    assert not wrong, wrong[:5]
    assert any(phones._e164.__wrapped__(text, region) for text in texts)


def test_the_shortcut_is_taken_for_the_shops_own_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    canadian = phonenumbers.example_number_for_type("CA", PhoneNumberType.MOBILE)
    text = phonenumbers.format_number(canadian, PhoneNumberFormat.INTERNATIONAL)
    asked: list[object] = []
    real = phonenumbers.is_valid_number
    monkeypatch.setattr(phonenumbers, "is_valid_number", lambda n: asked.append(n) or real(n))
    e164 = phonenumbers.format_number(canadian, PhoneNumberFormat.E164)
    assert phones._e164.__wrapped__(text, "CA") == e164
    assert not asked  # valid in the shop's region: no search through +1's 25 regions
    assert phones._e164.__wrapped__(text, "GB") is not None and asked  # another shop: the usual way
