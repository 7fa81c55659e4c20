from import_helpers import by_line, parse_bytes, parse_fixture

from careapp.domain.customer import (
    DateKind,
    EmailAddress,
    ImportantDate,
    PartialDate,
    PhoneNumber,
    PostalAddress,
)


def test_android_21_file_with_quoted_printable_and_a_photo():
    parsed = parse_fixture("contacts_android_v21.vcf", default_region="DE")
    assert (parsed.format, parsed.format_label, parsed.delimiter) == ("vcard", "vCard contacts file", None)
    assert [row.line for row in parsed.rows] == [1, 17, 25, 32]
    juergen = parsed.rows[0].draft
    assert juergen is not None
    assert (juergen.first_name, juergen.last_name) == ("Jürgen", "Müller")
    assert juergen.phones == [
        PhoneNumber("+491711234567", "+491711234567", "mobile"),
        PhoneNumber("030 12345678", "+493012345678", "home"),
    ]
    assert juergen.emails == [EmailAddress("juergen.mueller@example.de", "home")]
    assert juergen.address == PostalAddress("Hauptstraße 5", "Berlin", "", "10115", "Deutschland")
    # =0A is a newline; the "=" at the end of a line is a soft break that joins the next line.
    assert juergen.notes == "Kommt jeden Samstag.\nMöchte Rabatt für Stammkunden, bitte vorher anrufen."
    assert juergen.birthday == PartialDate(9, 3, 1978)


def test_android_21_latin1_charset_and_rejected_card():
    rows = by_line(parse_fixture("contacts_android_v21.vcf", default_region="DE"))
    francois = rows[17].draft
    assert francois is not None
    assert (francois.first_name, francois.last_name) == ("François", "Garçon")
    assert francois.phones == [PhoneNumber("+33 1 42 68 53 00", "+33142685300", "work")]
    assert rows[25].draft is None
    assert rows[25].error == 'Birthday "1990-13-01": there is no month 13'
    piotr = rows[32].draft
    assert piotr is not None
    assert (piotr.company, piotr.emails) == (
        "Kowalski Bau",
        [EmailAddress("piotr@kowalski-bau.example", "work")],
    )


def test_apple_30_grouped_labels_omitted_year_and_folded_note():
    draft = by_line(parse_fixture("contacts_apple_v30.vcf", default_region="GB"))[1].draft
    assert draft is not None
    assert (draft.first_name, draft.last_name, draft.company) == (
        "Eleanor Rose",
        "Whitfield",
        "Whitfield Florists",
    )
    assert draft.emails == [
        EmailAddress("eleanor@whitfield-florists.example", "Shop"),
        EmailAddress("ellie.w@example.com", "home"),
    ]
    assert draft.phones == [
        PhoneNumber("+44 7911 123456", "+447911123456", "mobile"),
        PhoneNumber("020 7946 0958", "+442079460958", "work"),
    ]
    assert draft.address == PostalAddress("12 Columbia Road", "London", "", "E2 7RG", "United Kingdom")
    assert draft.birthday == PartialDate(4, 12)  # X-APPLE-OMIT-YEAR=1604: the year is unknown
    assert draft.dates == [ImportantDate(DateKind.ANNIVERSARY, PartialDate(5, 26, 2012))]
    assert draft.notes == (
        "Orders peonies every May, for the shop window.\n"
        "Pays by invoice; 30 days. Ask for Tom at the back door, not the front desk."
    )
    assert draft.tags == ["wholesale", "florists"]


def test_apple_company_card_impossible_birthday_and_labelled_dates():
    rows = by_line(parse_fixture("contacts_apple_v30.vcf"))
    assert sorted(rows) == [1, 25, 37, 45]
    roasters = rows[25].draft
    assert roasters is not None
    assert (roasters.first_name, roasters.last_name, roasters.company) == ("", "", "Harbour Coffee Roasters")
    assert rows[37].draft is None
    assert rows[37].error == 'Birthday "1991-02-29": February 1991 has no day 29'
    katerina = rows[45].draft
    assert katerina is not None
    assert (katerina.first_name, katerina.last_name) == ("Αικατερίνη", "Σταματοπούλου-Παπαδημητρίου")
    assert katerina.dates == [
        ImportantDate(DateKind.CUSTOMER_SINCE, PartialDate(9, 1, 2018)),
        ImportantDate(DateKind.CUSTOM, PartialDate(11, 25), "Name day"),
    ]


def test_vcard_40_uris_dates_and_kinds():
    rows = by_line(parse_fixture("contacts_v40.vcf"))
    assert sorted(rows) == [1, 17, 24, 32]
    amara = rows[1].draft
    assert amara is not None
    assert (amara.first_name, amara.last_name) == ("Amara", "Nwosu")
    assert amara.phones == [
        PhoneNumber("+2348031234567", "+2348031234567", "mobile"),
        PhoneNumber("+1-212-555-0187 ext. 12", "+12125550187", "home"),
    ]
    # The quoted LABEL parameter holds a colon; the value starts after it.
    assert amara.address == PostalAddress("12 Adeola Odeku St", "Lagos", "Lagos", "101241", "Nigeria")
    assert amara.birthday == PartialDate(4, 12)
    assert amara.dates == [ImportantDate(DateKind.ANNIVERSARY, PartialDate(8, 15, 2009))]
    assert amara.tags == ["customers", "referral"]
    kenji = rows[17].draft
    assert kenji is not None and kenji.birthday == PartialDate(4, 12, 1985)


def test_vcard_40_text_birthday_is_kept_in_notes_and_organisation_card():
    rows = by_line(parse_fixture("contacts_v40.vcf"))
    ines = rows[24].draft
    assert ines is not None
    assert (ines.first_name, ines.birthday, ines.notes) == ("Inês", None, "Birthday: circa 1960")
    shop = rows[32].draft
    assert shop is not None
    assert (shop.first_name, shop.last_name, shop.company) == ("", "", "Nordlicht Buchhandlung")


def test_folding_with_tab_and_lf_line_ends_and_card_without_end():
    text = (
        "BEGIN:VCARD\nVERSION:3.0\nN:Lindgren;Astrid;;;\nFN:Astrid Lindgren\n"
        "NOTE:Writes long\n\tletters\\, always by hand.\nEMAIL:astrid@example.se\n"
    )
    parsed = parse_bytes(text.encode(), "astrid.vcf")
    draft = parsed.rows[0].draft
    assert draft is not None
    assert draft.notes == "Writes longletters, always by hand."
    assert draft.emails == [EmailAddress("astrid@example.se")]
    assert parsed.warnings == ("The contact starting on line 1 has no END:VCARD; it was read to the end.",)


def test_only_formatted_name_is_split_into_first_and_last():
    text = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jan van Dijk\r\nTEL:+31 6 12345678\r\nEND:VCARD\r\n"
    draft = parse_bytes(text.encode(), "jan.vcf").rows[0].draft
    assert draft is not None
    assert (draft.first_name, draft.last_name) == ("Jan", "van Dijk")
    assert draft.phones[0].e164 == "+31612345678"


def test_bad_email_in_a_card_rejects_that_card_only():
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:One;Ann;;;\r\nEMAIL:ann.at.example.com\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Two;Ben;;;\r\nEMAIL:ben@example.com\r\nEND:VCARD\r\n"
    )
    rows = parse_bytes(text.encode(), "two.vcf").rows
    assert (rows[0].line, rows[0].error) == (1, 'Email "ann.at.example.com": this is not an email address')
    assert rows[1].line == 6 and rows[1].draft is not None


def test_anniversary_spellings_of_other_programs():
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Berg;Ada;;;\r\nX-ANNIVERSARY:2001-09-08\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Holm;Eva;;;\r\nX-MS-ANNIVERSARY:19950520\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lund;Ole;;;\r\nX-EVOLUTION-ANNIVERSARY:2010-06-19\r\nEND:VCARD\r\n"
    )
    drafts = [row.draft for row in parse_bytes(text.encode(), "anniversaries.vcf").rows]
    assert [draft.dates if draft else None for draft in drafts] == [
        [ImportantDate(DateKind.ANNIVERSARY, PartialDate(9, 8, 2001))],
        [ImportantDate(DateKind.ANNIVERSARY, PartialDate(5, 20, 1995))],
        [ImportantDate(DateKind.ANNIVERSARY, PartialDate(6, 19, 2010))],
    ]


def test_tel_type_cell_and_second_address_goes_to_notes():
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Berg;Ada;;;\r\nTEL;TYPE=cell:+46 70 123 45 67\r\n"
        "ADR;TYPE=home:;;Storgatan 1;Uppsala;;753 20;Sweden\r\n"
        "ADR;TYPE=work:;;Kungsgatan 2;Stockholm;;111 43;Sweden\r\nEND:VCARD\r\n"
    )
    draft = parse_bytes(text.encode(), "ada.vcf").rows[0].draft
    assert draft is not None
    assert draft.phones == [PhoneNumber("+46 70 123 45 67", "+46701234567", "mobile")]
    assert draft.address == PostalAddress("Storgatan 1", "Uppsala", "", "753 20", "Sweden")
    assert draft.notes == "Work address: Kungsgatan 2, Stockholm, 111 43, Sweden"
