import io
import zipfile

import pytest
from import_helpers import FIXTURES, parse_bytes

from careapp.importing import MAX_IMPORT_BYTES, ImportFileError, NeedsColumnMapping

SHOPIFY_HEADER = (FIXTURES / "shopify_customers_export.csv").read_bytes().splitlines(keepends=True)[0]


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n"])
def test_empty_file(data):
    with pytest.raises(ImportFileError) as caught:
        parse_bytes(data)
    assert str(caught.value) == "“customers.csv” is empty: there is nothing to import."


def test_png_renamed_to_csv():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    with pytest.raises(ImportFileError, match="is a PNG picture, not a list of customers"):
        parse_bytes(png, "customers.csv")


def test_excel_workbook_renamed_to_csv_says_how_to_save_as_csv():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as workbook:
        workbook.writestr("[Content_Types].xml", "<Types/>")
        workbook.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ImportFileError) as caught:
        parse_bytes(buffer.getvalue(), "kunden.csv")
    assert "“kunden.csv” is an Excel workbook (.xlsx)" in str(caught.value)
    assert "CSV UTF-8" in str(caught.value)


def test_unknown_binary_data():
    data = bytes(range(256)) * 64
    with pytest.raises(ImportFileError, match="is not a text file"):
        parse_bytes(data, "export.csv")


def test_header_only():
    with pytest.raises(ImportFileError, match="has column headings but no customers below them"):
        parse_bytes(SHOPIFY_HEADER + b",,,,\n\n")


def test_header_only_unknown_columns_says_no_rows_before_asking_for_a_mapping():
    with pytest.raises(ImportFileError) as caught:
        parse_bytes(b"Vorname;Nachname\r\n")
    assert not isinstance(caught.value, NeedsColumnMapping)


def test_file_over_200_mb():
    data = b"a" * (MAX_IMPORT_BYTES + 1)
    with pytest.raises(ImportFileError, match="careapp imports files of up to 200 MB"):
        parse_bytes(data, "huge.csv")


def test_vcf_name_without_vcard_content():
    with pytest.raises(ImportFileError, match="named like a vCard file but does not start with BEGIN:VCARD"):
        parse_bytes(b"First Name,Email\nAnn,ann@example.com\n", "contacts.vcf")


def test_vcard_content_is_read_whatever_the_name():
    parsed = parse_bytes(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEND:VCARD\r\n", "contacts.csv")
    assert parsed.format == "vcard"


def test_calendar_file_named_vcf():
    with pytest.raises(ImportFileError, match="does not start with BEGIN:VCARD"):
        parse_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "x.vcf")


def test_empty_card_is_a_rejected_row_not_a_file_error():
    parsed = parse_bytes(b"BEGIN:VCARD\r\nVERSION:4.0\r\nEND:VCARD\r\n", "x.vcf")
    assert [(row.line, row.draft) for row in parsed.rows] == [(1, None)]
    assert parsed.rows[0].error is not None and parsed.rows[0].error.startswith("There is no name, company")


def test_web_page_saved_as_csv():
    with pytest.raises(ImportFileError, match="is a web page or XML document"):
        parse_bytes(b"<!DOCTYPE html>\n<html><body>Session expired</body></html>\n", "export.csv")


def test_errors_are_sentences_that_name_the_file():
    with pytest.raises(ImportFileError) as caught:
        parse_bytes(b"", "Kundenliste März.csv")
    message = str(caught.value)
    assert message.startswith("“Kundenliste März.csv”") and message.endswith(".")
