import pytest
from import_helpers import NOW, by_line, parse_bytes, parse_fixture

from careapp.domain.customer import Channel, DateKind, ImportantDate, LoyaltyStage, PartialDate, PhoneNumber
from careapp.importing import TARGET_FIELDS, ColumnMapping, NeedsColumnMapping, suggest_mapping

GERMAN_SUGGESTION = {
    "Kundennr.": "ignore",
    "Vorname": "first_name",
    "Nachname": "last_name",
    "Firma": "company",
    "E-Mail": "email",
    "Telefon": "phone",
    "Straße": "street",
    "PLZ": "postcode",
    "Ort": "city",
    "Geburtstag": "birthday",
    "Kunde seit": "customer_since",
    "Newsletter": "email_consent",
    "Bemerkung": "notes",
}


def test_unknown_columns_ask_for_a_mapping_with_a_suggestion():
    with pytest.raises(NeedsColumnMapping) as caught:
        parse_fixture("kundenliste_excel_de.csv")
    assert caught.value.headers == list(GERMAN_SUGGESTION)
    assert dict(caught.value.suggested.columns) == GERMAN_SUGGESTION
    assert "kundenliste_excel_de.csv" in str(caught.value)
    assert "“Vorname”" in str(caught.value)


def test_german_excel_semicolon_cp1252_file_with_the_suggested_mapping():
    parsed = parse_fixture(
        "kundenliste_excel_de.csv", default_region="DE", mapping=ColumnMapping(GERMAN_SUGGESTION)
    )
    assert (parsed.format, parsed.format_label) == ("csv", "CSV file")
    assert (parsed.encoding, parsed.delimiter) == ("cp1252", ";")
    # The last line holds only separators: skipped, not reported.
    assert [row.line for row in parsed.rows] == [2, 3, 4, 5]
    rows = by_line(parsed)
    juergen = rows[2].draft
    assert juergen is not None
    assert (juergen.first_name, juergen.last_name) == ("Jürgen", "Weiß")
    assert juergen.phones == [PhoneNumber("0171 1234567", "+491711234567")]
    assert juergen.address.street == "Königstraße 3"
    assert juergen.birthday == PartialDate(9, 3, 1978)
    assert juergen.dates == [ImportantDate(DateKind.CUSTOMER_SINCE, PartialDate(5, 12, 2019))]
    assert juergen.notes == "Möchte Termine per SMS; bitte nicht anrufen"
    consent = rows[2].consents[0]
    assert (consent.channel, consent.granted, consent.at, consent.method) == (
        Channel.EMAIL,
        True,
        NOW,
        "import: CSV file",
    )
    assert consent.note == "Newsletter: ja (kundenliste_excel_de.csv, line 2)"


def test_german_file_birthday_without_year_and_row_with_two_problems():
    rows = by_line(parse_fixture("kundenliste_excel_de.csv", mapping=ColumnMapping(GERMAN_SUGGESTION)))
    anna = rows[3].draft
    assert anna is not None
    assert anna.birthday == PartialDate(2, 29)
    assert [(event.channel, event.granted) for event in rows[3].consents] == [(Channel.EMAIL, False)]
    assert rows[4].draft is None
    assert rows[4].error == (
        'E-Mail "bjoern.oeztuerk@example": this is not an email address; '
        'Geburtstag "31.04.1982": April 1982 has no day 31'
    )
    umit = rows[5].draft
    assert umit is not None
    assert (umit.company, umit.notes) == ("Çelik Änderungsschneiderei", "Umsatz 2023: 1.250 €")


def test_excel_utf8_with_bom_whole_names_and_day_first_dates():
    suggestion = suggest_mapping(
        ["Name", "Email", "Mobile", "Address", "Town", "Postcode", "Date of birth", "Tags", "Notes", "Stage"]
    )
    assert dict(suggestion.columns) == {
        "Name": "full_name",
        "Email": "email",
        "Mobile": "phone",
        "Address": "street",
        "Town": "city",
        "Postcode": "postcode",
        "Date of birth": "birthday",
        "Tags": "tags",
        "Notes": "notes",
        "Stage": "loyalty_stage",
    }
    parsed = parse_fixture("customers_excel_utf8.csv", default_region="GB", mapping=suggestion)
    assert parsed.encoding == "utf-8-sig"
    rows = by_line(parsed)
    john, ludwig = rows[2].draft, rows[3].draft
    assert john is not None and ludwig is not None
    assert (john.first_name, john.last_name) == ("John", "Smith")
    assert john.birthday == PartialDate(2, 14, 1988)
    assert john.tags == ["vip", "birthday club"]
    assert john.loyalty_stage is LoyaltyStage.CLIENT
    assert (ludwig.first_name, ludwig.last_name) == ("Ludwig", "van Beethoven")
    # 14/02/1988 can only be day first, so 03/04/1990 in the same file is 3 April.
    assert ludwig.birthday == PartialDate(4, 3, 1990)
    assert ludwig.notes == "Deaf in one ear; speak up.\nPrefers written notes."
    assert parsed.warnings == ()


def test_unknown_loyalty_stage_is_rejected_and_spreadsheet_apostrophes_are_removed():
    mapping = suggest_mapping(
        ["Name", "Email", "Mobile", "Address", "Town", "Postcode", "Date of birth", "Tags", "Notes", "Stage"]
    )
    rows = by_line(parse_fixture("customers_excel_utf8.csv", default_region="GB", mapping=mapping))
    assert rows[5].error == 'Stage "VIP": use one of suspect, prospect, customer, client, advocate'
    chidi = rows[6].draft
    assert chidi is not None
    assert chidi.phones == [PhoneNumber("+44 20 7946 0958", "+442079460958")]
    assert chidi.notes == "=SUM(1+1) is not a formula here"
    assert chidi.loyalty_stage is LoyaltyStage.PROSPECT


def test_tab_separated_export_with_consent_columns():
    mapping = suggest_mapping(
        [
            "first_name",
            "last_name",
            "email",
            "phone",
            "birthday",
            "loyalty_stage",
            "email_opt_in",
            "sms_opt_in",
        ]
    )
    assert mapping.columns["email_opt_in"] == "email_consent"
    assert mapping.columns["sms_opt_in"] == "sms_consent"
    parsed = parse_fixture("customers_pos_export.tsv", mapping=mapping)
    assert parsed.delimiter == "\t"
    rows = by_line(parsed)
    aiko = rows[2].draft
    assert aiko is not None
    assert aiko.phones == [PhoneNumber("+81 90-1234-5678", "+819012345678")]
    assert aiko.loyalty_stage is LoyaltyStage.CUSTOMER
    assert [(e.channel, e.granted) for e in rows[2].consents] == [(Channel.EMAIL, True), (Channel.SMS, False)]
    assert [(e.channel, e.granted) for e in rows[3].consents] == [(Channel.SMS, True)]
    assert rows[4].error == 'email_opt_in "maybe": write yes or no'


def test_a_mapping_wins_over_a_recognised_layout():
    mapping = ColumnMapping({"First Name": "first_name", "Email": "email"})
    parsed = parse_fixture("shopify_customers_legacy.csv", mapping=mapping)
    assert parsed.format == "csv"
    jane = parsed.rows[0].draft
    assert jane is not None
    assert (jane.first_name, jane.last_name, jane.company, jane.phones) == ("Jane", "", "", [])
    assert parsed.rows[0].consents == ()


def test_mapping_naming_a_missing_column_or_unknown_field_or_no_identity():
    data = "Vorname;Nachname\nAnna;Groß\n".encode()
    with pytest.raises(NeedsColumnMapping, match="no such column"):
        parse_bytes(data, mapping=ColumnMapping({"Surname": "last_name"}))
    with pytest.raises(NeedsColumnMapping, match="not a field careapp knows"):
        parse_bytes(data, mapping=ColumnMapping({"Vorname": "given_name"}))
    with pytest.raises(NeedsColumnMapping, match="must pair each column heading"):
        parse_bytes(data, mapping=ColumnMapping(["Vorname", "first_name"]))  # type: ignore[arg-type]
    with pytest.raises(NeedsColumnMapping, match="at least one column") as caught:
        parse_bytes(data, mapping=ColumnMapping({"Vorname": "ignore", "Nachname": "notes"}))
    assert caught.value.headers == ["Vorname", "Nachname"]


def test_mapping_headers_match_without_regard_to_case_and_spaces():
    parsed = parse_bytes(
        b"First Name , E-MAIL\nAnn,ann@example.com\n",
        mapping=ColumnMapping({"first name": "first_name", "e-mail": "email"}),
    )
    draft = parsed.rows[0].draft
    assert draft is not None
    assert (draft.first_name, draft.emails[0].address) == ("Ann", "ann@example.com")


def test_several_note_columns_are_labelled_and_several_emails_split():
    data = b"Name,Emails,Allergies,Notes\nAnn Lee,ann@example.com; ann.lee@work.example,nuts,likes tea\n"
    mapping = ColumnMapping({"Name": "full_name", "Emails": "email", "Allergies": "notes", "Notes": "notes"})
    draft = parse_bytes(data, mapping=mapping).rows[0].draft
    assert draft is not None
    assert [email.address for email in draft.emails] == ["ann@example.com", "ann.lee@work.example"]
    assert draft.notes == "Allergies: nuts\nNotes: likes tea"


def test_suggestion_treats_name_beside_first_name_as_surname_and_keeps_one_birthday():
    suggestion = suggest_mapping(
        ["Vorname", "Name", "Geburtstag", "Birthday", "Telefon privat", "Handy", "xyz"]
    )
    assert dict(suggestion.columns) == {
        "Vorname": "first_name",
        "Name": "last_name",
        "Geburtstag": "birthday",
        "Birthday": "ignore",
        "Telefon privat": "phone",
        "Handy": "phone",
        "xyz": "ignore",
    }
    assert set(suggestion.columns.values()) <= set(TARGET_FIELDS)


def test_careapps_own_csv_export_headers_are_suggested_back():
    from careapp.exporting import CSV_COLUMNS

    suggestion = suggest_mapping(list(CSV_COLUMNS))
    assert {
        header: suggestion.columns[header]
        for header in (
            "ID",
            "First name",
            "Last name",
            "Emails",
            "Phones",
            "Birthday",
            "Anniversary",
            "Customer since",
            "Loyalty stage",
            "Email consent",
            "SMS consent",
            "Phone consent",
            "Post consent",
        )
    } == {
        "ID": "ignore",
        "First name": "first_name",
        "Last name": "last_name",
        "Emails": "email",
        "Phones": "phone",
        "Birthday": "birthday",
        "Anniversary": "anniversary",
        "Customer since": "customer_since",
        "Loyalty stage": "loyalty_stage",
        "Email consent": "email_consent",
        "SMS consent": "sms_consent",
        "Phone consent": "ignore",
        "Post consent": "ignore",
    }


def test_ambiguous_slashed_dates_follow_the_shops_country_and_are_warned_about():
    data = b"Name,Birthday\nAnn Lee,04/12/1985\n"
    mapping = ColumnMapping({"Name": "full_name", "Birthday": "birthday"})
    in_us = parse_bytes(data, default_region="US", mapping=mapping)
    in_uk = parse_bytes(data, default_region="GB", mapping=mapping)
    assert in_us.rows[0].draft is not None and in_us.rows[0].draft.birthday == PartialDate(4, 12, 1985)
    assert in_uk.rows[0].draft is not None and in_uk.rows[0].draft.birthday == PartialDate(12, 4, 1985)
    assert "month/day/year" in in_us.warnings[0] and "“04/12/1985”" in in_us.warnings[0]
    assert "day/month/year" in in_uk.warnings[0]


def test_month_first_evidence_in_the_file_beats_the_shops_country():
    data = b"Name,Birthday\nAnn Lee,04/12/1985\nBen Roe,12/31/1970\n"
    mapping = ColumnMapping({"Name": "full_name", "Birthday": "birthday"})
    parsed = parse_bytes(data, default_region="GB", mapping=mapping)
    assert [row.draft.birthday for row in parsed.rows if row.draft] == [
        PartialDate(4, 12, 1985),
        PartialDate(12, 31, 1970),
    ]
    assert parsed.warnings == ()
