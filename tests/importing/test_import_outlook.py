from import_helpers import by_line, parse_fixture

from careapp.domain.customer import EmailAddress, PartialDate, PhoneNumber, PostalAddress


def test_windows_encoded_export_is_recognised():
    parsed = parse_fixture("outlook_contacts.csv")
    assert (parsed.format, parsed.format_label) == ("outlook", "Outlook contacts CSV")
    assert (parsed.encoding, parsed.delimiter) == ("cp1252", ",")
    assert any("Windows" in warning for warning in parsed.warnings)
    # François's notes span lines 3-4.
    assert [row.line for row in parsed.rows] == [2, 3, 5, 6, 7]


def test_contact_with_accents_birthday_and_categories():
    draft = by_line(parse_fixture("outlook_contacts.csv"))[2].draft
    assert draft is not None
    assert (draft.first_name, draft.last_name) == ("Zoë", "Müller-Lüdenscheidt")
    assert draft.emails == [EmailAddress("zoe.mueller@example.de")]
    assert draft.phones == [PhoneNumber("+49 171 1234567", "+491711234567", "mobile")]
    assert draft.address == PostalAddress("Königsallee 12", "Düsseldorf", "", "40212", "Germany")
    assert draft.birthday == PartialDate(4, 12, 1985)  # Outlook writes month/day/year
    assert draft.dates == []  # "0/0/00" is Outlook's "no anniversary"
    assert draft.tags == ["customers", "vip"]
    assert draft.notes == "Stammkundin – bevorzugt Rückruf am Vormittag."


def test_multi_line_notes_keep_plain_newlines_and_the_euro_sign():
    draft = by_line(parse_fixture("outlook_contacts.csv"))[3].draft
    assert draft is not None
    assert draft.notes == "Bought the €450 espresso machine.\nWarranty until 2026."
    assert draft.birthday is None
    assert draft.phones == [PhoneNumber("+33 1 42 68 53 00", "+33142685300", "work")]


def test_impossible_birthday_after_multi_line_notes_has_the_right_line():
    row = by_line(parse_fixture("outlook_contacts.csv"))[5]
    assert row.draft is None
    assert row.error == 'Birthday "2/30/1990": February 1990 has no day 30'


def test_exchange_x500_address_is_skipped_and_business_address_used():
    draft = by_line(parse_fixture("outlook_contacts.csv"))[6].draft
    assert draft is not None
    assert draft.emails == [EmailAddress("lars.nilsson@example.se")]
    assert draft.company == "Nilsson Design AB"
    assert draft.address == PostalAddress("Götgatan 22", "Stockholm", "", "118 46", "Sweden")
    assert draft.birthday == PartialDate(11, 30, 1972)


def test_company_without_a_person():
    draft = by_line(parse_fixture("outlook_contacts.csv", default_region="DE"))[7].draft
    assert draft is not None
    assert (draft.first_name, draft.last_name, draft.company) == ("", "", "Bäckerei Schmidt GmbH")
    assert draft.phones == [PhoneNumber("030 12345678", "+493012345678", "work")]
    assert draft.tags == ["suppliers"]
