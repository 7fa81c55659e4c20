import codecs

import pytest
from import_helpers import by_line, parse_bytes

from careapp.importing import detect_delimiter, detect_encoding
from careapp.importing.sniffing import decode


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Name,Email\nJürgen,j@example.de\n".encode(), "utf-8"),
        (codecs.BOM_UTF8 + "Name\nJürgen\n".encode(), "utf-8-sig"),
        ("Name;Ort\nJürgen;Köln\n".encode("cp1252"), "cp1252"),
        ("Name\tCity\nJürgen\tKöln\n".encode("utf-16"), "utf-16"),
        (b"Name,Email\nAnn,ann@example.com\n", "utf-8"),
    ],
)
def test_detect_encoding(data, encoding):
    assert detect_encoding(data) == encoding


def test_cp1252_bytes_are_decoded_as_windows_text_not_latin1():
    text, encoding = decode("Preis: 20 € – “Angebot”".encode("cp1252"))
    assert (text, encoding) == ("Preis: 20 € – “Angebot”", "cp1252")


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("First Name,Last Name,Email\nAnn,Lee,a@x.com\n", ","),
        ("Vorname;Nachname;E-Mail\nAnna;Groß;a@x.de\n", ";"),
        ("first\tlast\temail\nAnn\tLee\ta@x.com\n", "\t"),
        # Commas inside quoted headings do not count; the semicolons between them do.
        ('"Name, full";"Street, number";"Postcode, city"\n"Lee, Ann";x;y\n', ";"),
        ('"Notes; misc"\t"Name"\n', "\t"),
        ("Email\nann@example.com\n", ","),
    ],
)
def test_detect_delimiter(text, delimiter):
    assert detect_delimiter(text) == delimiter


def test_utf16_tab_separated_unicode_text_from_excel():
    data = "Vorname\tNachname\tE-Mail\r\nJürgen\tWeiß\tj@example.de\r\n".encode("utf-16")
    from careapp.importing import ColumnMapping

    mapping = ColumnMapping({"Vorname": "first_name", "Nachname": "last_name", "E-Mail": "email"})
    parsed = parse_bytes(data, mapping=mapping)
    assert (parsed.encoding, parsed.delimiter) == ("utf-16", "\t")
    draft = parsed.rows[0].draft
    assert draft is not None and (draft.first_name, draft.last_name) == ("Jürgen", "Weiß")


def test_excel_sep_hint_line_sets_the_separator_and_counts_as_a_line():
    data = b"sep=;\r\nFirst Name;Last Name;Email;Accepts Marketing;Total Orders\r\nAnn;Lee;x@y;yes;1\r\n"
    parsed = parse_bytes(data)
    assert (parsed.format, parsed.delimiter) == ("shopify", ";")
    assert by_line(parsed)[3].error == 'Email "x@y": this is not an email address'
