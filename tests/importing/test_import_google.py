from import_helpers import by_line, parse_fixture

from careapp.domain.customer import (
    DateKind,
    EmailAddress,
    ImportantDate,
    PartialDate,
    PhoneNumber,
    PostalAddress,
)
from careapp.importing.rows import NOBODY


def test_current_layout_is_recognised_and_records_keep_their_lines():
    parsed = parse_fixture("google_contacts.csv", default_region="GB")
    assert (parsed.format, parsed.format_label) == ("google", "Google Contacts CSV")
    # María's formatted address spans lines 2-4.
    assert [row.line for row in parsed.rows] == [2, 5, 6, 7, 8, 10]


def test_contact_with_labels_events_and_address_parts():
    draft = by_line(parse_fixture("google_contacts.csv"))[2].draft
    assert draft is not None
    assert (draft.first_name, draft.last_name, draft.company) == ("María", "García", "Flores García")
    assert draft.emails == [
        EmailAddress("maria.garcia@example.com", "home"),
        EmailAddress("maria@floresgarcia.example", "work"),
    ]
    assert draft.phones == [PhoneNumber("+34 612 34 56 78", "+34612345678", "mobile")]
    # The parts are used, not the multi-line "Formatted" cell.
    assert draft.address == PostalAddress("Calle Mayor 5", "Madrid", "", "28013", "ES")
    assert draft.birthday == PartialDate(4, 12, 1985)
    assert draft.dates == [ImportantDate(DateKind.ANNIVERSARY, PartialDate(6, 19, 2010))]
    assert draft.tags == ["customers", "vip"]  # "* myContacts" is Google's, not the shop's
    assert draft.notes == "Regular since 2019. Likes dahlias."


def test_several_values_in_one_cell_and_a_birthday_without_year():
    draft = by_line(parse_fixture("google_contacts.csv", default_region="GB"))[5].draft
    assert draft is not None
    assert (draft.first_name, draft.last_name) == ("David James", "Okafor")
    assert draft.emails == [
        EmailAddress("david.okafor@example.com", "home"),
        EmailAddress("d.okafor@example.net", "work"),
    ]
    assert draft.phones == [
        PhoneNumber("07911 123456", "+447911123456", "mobile"),
        PhoneNumber("(020) 7946 0958", "+442079460958", "home"),
    ]
    assert draft.birthday == PartialDate(11, 3)


def test_impossible_birthday_and_empty_contact_are_rejected_with_reasons():
    rows = by_line(parse_fixture("google_contacts.csv"))
    assert rows[6].draft is None
    assert rows[6].error == 'Birthday "1990-02-30": February 1990 has no day 30'
    assert rows[10].draft is None
    assert rows[10].error == NOBODY


def test_phone_only_and_company_only_contacts_are_imported():
    rows = by_line(parse_fixture("google_contacts.csv", default_region="GB"))
    phone_only = rows[7].draft
    assert phone_only is not None
    assert phone_only.phones == [PhoneNumber("+1 415-555-0132", "+14155550132", "mobile")]
    bakery = rows[8].draft
    assert bakery is not None
    assert (bakery.first_name, bakery.last_name, bakery.company) == ("", "", "Hoffmann Bäckerei")
    assert bakery.address == PostalAddress("Torstraße 1", "Berlin", "", "10119", "DE")
    # The shop is in GB, but the address says DE: the German number is read as German.
    assert bakery.phones == [PhoneNumber("030 12345678", "+493012345678", "work")]
    assert bakery.tags == ["suppliers"]


def test_older_layout():
    parsed = parse_fixture("google_contacts_legacy.csv")
    assert (parsed.format, parsed.format_label) == ("google-legacy", "Google Contacts CSV (older layout)")
    rows = by_line(parsed)
    assert sorted(rows) == [2, 5, 6]
    sophie = rows[2].draft
    assert sophie is not None
    assert (sophie.first_name, sophie.last_name) == ("Sophie", "Martin")
    assert sophie.emails == [EmailAddress("sophie.martin@example.fr", "home")]
    assert sophie.phones == [PhoneNumber("06 12 34 56 78", "+33612345678", "mobile")]
    assert sophie.address == PostalAddress("12 rue de Rivoli", "Paris", "", "75004", "FR")
    assert sophie.birthday == PartialDate(8, 23, 1979)
    assert sophie.tags == ["customers"]


def test_older_layout_whole_name_only_and_organisation():
    rows = by_line(parse_fixture("google_contacts_legacy.csv"))
    yusuf, greta = rows[5].draft, rows[6].draft
    assert yusuf is not None and greta is not None
    assert (yusuf.first_name, yusuf.last_name) == ("Yusuf", "Demir")
    assert yusuf.emails == [EmailAddress("yusuf.demir@example.com.tr", "other")]
    assert greta.company == "Lindqvist Design"
    assert greta.birthday == PartialDate(12, 24)
    assert greta.tags == ["customers"]  # "* starred" is Google's star, not a group of the shop's


def test_a_group_of_the_shops_becomes_a_tag_and_googles_own_groups_are_dropped():
    rows = by_line(parse_fixture("google_contacts.csv"))
    maria = rows[2].draft
    assert maria is not None
    assert "vip" in maria.tags and "mycontacts" not in maria.tags and "starred" not in maria.tags
