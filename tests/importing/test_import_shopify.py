from import_helpers import NOW, by_line, parse_fixture

from careapp.domain.customer import Channel, ConsentEvent, LoyaltyStage, PhoneNumber, PostalAddress


def test_current_export_is_recognised():
    parsed = parse_fixture("shopify_customers_export.csv")
    assert (parsed.format, parsed.format_label) == ("shopify", "Shopify customer export")
    assert (parsed.encoding, parsed.delimiter) == ("utf-8", ",")
    # Line 4 is the second line of a multi-line Note, so no record starts there.
    assert [row.line for row in parsed.rows] == [2, 3, 5, 6, 7, 8]


def test_customer_with_address_and_apostrophe_guarded_cells():
    row = by_line(parse_fixture("shopify_customers_export.csv", default_region="GB"))[2]
    draft = row.draft
    assert draft is not None
    assert (draft.first_name, draft.last_name, draft.company) == ("Russell", "Winfield", "Fancy Co.")
    assert [email.address for email in draft.emails] == ["russel.winfield@example.com"]
    assert draft.phones == [PhoneNumber(raw="+16135550134", e164="+16135550134")]
    assert draft.address == PostalAddress("105 Victoria St", "Toronto", "ON", "M5C 1N7", "CA")
    assert draft.loyalty_stage is LoyaltyStage.PROSPECT  # Total Orders 0
    assert row.purchases == ()


def test_consent_columns_become_consent_events():
    rows = by_line(parse_fixture("shopify_customers_export.csv"))
    note = "Accepts Email Marketing: yes (shopify_customers_export.csv, line 3)"
    assert rows[3].consents[0] == ConsentEvent(
        Channel.EMAIL, True, at=NOW, method="import: Shopify export", note=note
    )
    assert [(event.channel, event.granted) for event in rows[3].consents] == [
        (Channel.EMAIL, True),
        (Channel.SMS, True),
    ]
    assert [(event.channel, event.granted) for event in rows[2].consents] == [
        (Channel.EMAIL, False),
        (Channel.SMS, False),
    ]


def test_multi_line_note_tags_and_both_phone_columns():
    draft = by_line(parse_fixture("shopify_customers_export.csv"))[3].draft
    assert draft is not None
    assert draft.notes == "Prefers pickup on Saturdays.\nAsked about gift wrapping, twice."
    assert draft.tags == ["vip", "newsletter"]
    assert [phone.e164 for phone in draft.phones] == ["+16135550199", "+16135550135"]
    assert draft.address.street == "1 Rue des Carrieres, Suite 1234"
    assert draft.loyalty_stage is LoyaltyStage.CUSTOMER  # 3 orders


def test_bad_email_rejects_only_its_row_with_the_line_after_the_multi_line_note():
    rows = by_line(parse_fixture("shopify_customers_export.csv"))
    assert rows[5].draft is None
    assert rows[5].error == 'Email "karine.ruby@example": this is not an email address'
    assert all(rows[line].draft is not None for line in (2, 3, 6, 7, 8))


def test_local_phone_read_with_the_customers_country_before_the_shops():
    draft = by_line(parse_fixture("shopify_customers_export.csv", default_region="GB"))[6].draft
    assert draft is not None
    assert draft.phones == [PhoneNumber(raw="2125550187", e164="+12125550187")]


def test_guest_with_only_an_email_is_imported():
    draft = by_line(parse_fixture("shopify_customers_export.csv"))[7].draft
    assert draft is not None
    assert draft.display_name() == "guest.buyer@example.org"
    assert draft.loyalty_stage is LoyaltyStage.CUSTOMER


def test_non_ascii_names_and_tags_are_normalised():
    draft = by_line(parse_fixture("shopify_customers_export.csv"))[8].draft
    assert draft is not None
    assert (draft.first_name, draft.last_name, draft.company) == ("Zoë", "Ødegård", "Ødegård Keramikk AS")
    assert draft.tags == ["vip", "ceramics"]
    assert draft.phones[0].e164 == "+4741234567"


def test_older_export_column_names():
    parsed = parse_fixture("shopify_customers_legacy.csv", default_region="GB")
    assert parsed.format == "shopify"
    jane, tom = (row.draft for row in parsed.rows)
    assert jane is not None and tom is not None
    assert jane.company == "Cooper's Candles"
    assert jane.address == PostalAddress("12 Orchard Lane", "Portland", "Oregon", "97201", "United States")
    assert jane.phones == [PhoneNumber(raw="(503) 555-0142", e164="+15035550142")]
    assert jane.tags == ["wax", "local"]
    assert jane.notes == "Pays by card"
    assert jane.loyalty_stage is LoyaltyStage.CUSTOMER
    assert [(e.channel, e.granted) for e in parsed.rows[0].consents] == [(Channel.EMAIL, True)]
    assert tom.emails == []
    assert tom.phones == [PhoneNumber(raw="020 7946 0958", e164="+442079460958")]
    assert tom.loyalty_stage is LoyaltyStage.PROSPECT
