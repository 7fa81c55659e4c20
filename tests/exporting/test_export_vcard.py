import dataclasses
import datetime as dt
import re
import uuid

import pytest
from export_samples import phone_only, plain, zoe

from careapp.domain.customer import Customer, LoyaltyStage, PartialDate
from careapp.exporting import UID_NAMESPACE, customers_to_vcard
from careapp.exporting.vcard_export import date_value, escape_text, fold
from careapp.importing import parse_import

NOW = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)


def unfolded_lines(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def test_card_structure_and_line_endings():
    text = customers_to_vcard([plain()])
    assert text.endswith("END:VCARD\r\n")
    assert "\n" not in text.replace("\r\n", "")  # no bare line feeds
    assert unfolded_lines(text) == [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"UID:urn:uuid:{uuid.uuid5(UID_NAMESPACE, '7')}",
        "FN:Ben Roe",
        "N:Roe;Ben;;;",
        "EMAIL:ben@example.com",
        'TEL;VALUE=uri;X-TYPED-AS="+1 416 555 0100":tel:+14165550100',
        "BDAY:19850412",
        "END:VCARD",
    ]


def test_all_fields_escaped_labelled_and_dated():
    lines = unfolded_lines(customers_to_vcard([zoe()]))
    assert "N:Ødegård-Østergaard;Zoë;;;" in lines
    assert "ORG:Café Ødegård\\; Søn & Co" in lines
    assert "EMAIL;TYPE=work:zoe@example.no" in lines
    assert lines[7:9] == ["item1.EMAIL:zoe.private@example.com", "item1.X-ABLabel:Shop"]
    assert 'TEL;TYPE=cell;VALUE=uri;X-TYPED-AS="020 7946 0958":tel:+442079460958' in lines
    assert "TEL;VALUE=text:555-0100" in lines
    assert "ADR:;;12 High St\\nFlat 2;London;;SW1A 1AA;United Kingdom" in lines
    assert "BDAY:--0229" in lines  # vCard 4 form of a birthday without a year
    assert "ANNIVERSARY:20100619" in lines
    assert lines[14:16] == ["item2.X-ABDATE:20190301", "item2.X-ABLabel:Customer since"]
    assert lines[16:18] == ["item3.X-ABDATE:--0102", "item3.X-ABLabel:Name day"]
    assert "CATEGORIES:vip,wedding\\, 2024" in lines
    assert "NOTE:Likes tea\\, not coffee\\; allergic to nuts.\\nPaid with C:\\\\voucher \\\\ cash." in lines
    assert "REV:20250203T103000Z" in lines


def test_escape_text():
    assert escape_text("a,b;c\\d\ne\r\nf\rg") == "a\\,b\\;c\\\\d\\ne\\nf\\ng"


def test_date_value():
    assert date_value(PartialDate(4, 12, 1985)) == "19850412"
    assert date_value(PartialDate(4, 12)) == "--0412"
    assert date_value(PartialDate(1, 1, 812)) == "08120101"


def test_every_physical_line_is_at_most_75_octets_and_valid_utf8_on_its_own():
    customer = dataclasses.replace(zoe(), notes="Ødegård " * 40, last_name="Σταματοπούλου" * 6)
    text = customers_to_vcard([customer])
    physical = text.split("\r\n")[:-1]
    assert max(len(line.encode("utf-8")) for line in physical) == 75
    for line in physical:
        line.encode("utf-8").decode("utf-8")  # no multi-byte character cut in half
    assert any(line.startswith(" ") for line in physical)


def test_fold_exact_output():
    line = "NOTE:" + "x" * 150
    assert fold(line) == "NOTE:" + "x" * 70 + "\r\n " + "x" * 74 + "\r\n " + "x" * 6
    assert fold("NOTE:short") == "NOTE:short"
    assert fold("N:" + "x" * 73) == "N:" + "x" * 73  # exactly 75 octets: not folded


def test_fold_never_splits_a_multi_byte_character():
    line = "FN:" + "é" * 40  # 3 + 80 octets
    folded = fold(line)
    first, second = folded.split("\r\n")
    assert first == "FN:" + "é" * 36  # 75 octets
    assert second == " " + "é" * 4
    assert len(first.encode()) == 75


def test_uid_is_a_stable_hash_of_the_id_that_reveals_nothing():
    customer = dataclasses.replace(plain(), id=987654)
    first = customers_to_vcard([customer])
    again = customers_to_vcard([dataclasses.replace(customer, first_name="Benjamin")])
    uid = re.search(r"UID:urn:uuid:([0-9a-f-]+)", first)
    assert uid is not None
    assert uuid.UUID(uid[1]) == uuid.uuid5(UID_NAMESPACE, "987654")
    assert "987654" not in uid[1].replace("-", "")
    assert f"UID:urn:uuid:{uid[1]}" in again  # a rename keeps the UID
    other = customers_to_vcard([dataclasses.replace(customer, id=987655)])
    assert uid[1] not in other


def test_uid_namespace_can_be_the_shops_own():
    shop_namespace = uuid.UUID("5f0c1c2e-8a7b-4c4b-9a59-0f3f8c1b2d3e")
    text = customers_to_vcard([plain()], uid_namespace=shop_namespace)
    assert f"UID:urn:uuid:{uuid.uuid5(shop_namespace, '7')}" in text


def test_contact_with_only_a_phone_is_named_by_it():
    lines = unfolded_lines(customers_to_vcard([phone_only()]))
    assert "FN:07911 123456" in lines


@pytest.mark.parametrize("customer", [zoe(), plain(), phone_only()], ids=["zoe", "plain", "phone_only"])
def test_round_trip_through_the_importer(customer: Customer):
    text = customers_to_vcard([customer])
    parsed = parse_import(text.encode("utf-8"), "export.vcf", now=NOW)
    assert parsed.format == "vcard" and len(parsed.rows) == 1
    draft = parsed.rows[0].draft
    assert draft is not None, parsed.rows[0].error
    # vCard has no place for the loyalty stage; everything else comes back as it was.
    expected = dataclasses.replace(customer.draft(), loyalty_stage=LoyaltyStage.PROSPECT)
    assert draft == expected


def test_round_trip_of_several_cards_keeps_their_order_and_lines():
    text = customers_to_vcard([zoe(), plain(), phone_only()])
    parsed = parse_import(text.encode("utf-8"), "export.vcf", now=NOW)
    assert [row.draft.display_name() for row in parsed.rows if row.draft] == [
        "Zoë Ødegård-Østergaard",
        "Ben Roe",
        "(no name)",
    ]
    begin_lines = [number for number, line in enumerate(text.split("\r\n"), start=1) if line == "BEGIN:VCARD"]
    assert [row.line for row in parsed.rows] == begin_lines
