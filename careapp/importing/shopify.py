"""Shopify's customer export (Customers › Export), in its current and its older column names."""

from __future__ import annotations

from careapp.domain.customer import Channel, LoyaltyStage
from careapp.importing.csv_format import CsvFormat, first_of, join_nonempty
from careapp.importing.csv_records import CsvRow, Header
from careapp.importing.rows import ConsentCell, EmailCell, PhoneCell, RowFields
from careapp.importing.values import split_values, strip_sheet_guard


def is_shopify(header: Header) -> bool:
    return header.has("First Name", "Last Name", "Email") and header.has_any(
        "Accepts Email Marketing", "Accepts Marketing", "Total Orders", "Default Address Address1"
    )


def read_shopify(row: CsvRow) -> RowFields:
    # Shopify puts ' before phone numbers, zip codes and ids so spreadsheets keep them as text.
    country_code = first_of(row, "Default Address Country Code", "Country Code")
    fields = RowFields(
        first_name=row.get("First Name"),
        last_name=row.get("Last Name"),
        company=first_of(row, "Default Address Company", "Company"),
        emails=[EmailCell(row.get("Email"), source="Email")],
        # Older exports have one "Phone" column, the address phone; newer ones have both.
        phones=[
            PhoneCell(strip_sheet_guard(row.get("Phone"), always=True)),
            PhoneCell(strip_sheet_guard(row.get("Default Address Phone"), always=True)),
        ],
        street=join_nonempty(
            (
                first_of(row, "Default Address Address1", "Address1"),
                first_of(row, "Default Address Address2", "Address2"),
            ),
            ", ",
        ),
        city=first_of(row, "Default Address City", "City"),
        region=first_of(row, "Province", "Default Address Province Code", "Province Code"),
        postcode=strip_sheet_guard(first_of(row, "Default Address Zip", "Zip"), always=True),
        country=first_of(row, "Country") or country_code,
        country_code=country_code,
        tags=split_values(row.get("Tags"), ","),
        notes=[row.get("Note")],
        # Totals are not purchases (no dates, no items), but they do say who has bought.
        default_stage=LoyaltyStage.CUSTOMER if _count(row.get("Total Orders")) > 0 else LoyaltyStage.PROSPECT,
    )
    fields.consents = _consents(row)
    return fields


def _consents(row: CsvRow) -> list[ConsentCell]:
    return [
        ConsentCell(_CONSENT_COLUMNS[column], row.get(column), column)
        for column in row.header.present(tuple(_CONSENT_COLUMNS))
    ]


_CONSENT_COLUMNS = {
    "Accepts Email Marketing": Channel.EMAIL,
    "Accepts Marketing": Channel.EMAIL,  # the older name; it was about email
    "Accepts SMS Marketing": Channel.SMS,
}


def _count(text: str) -> float:
    try:
        return float(strip_sheet_guard(text, always=True).replace(",", ""))
    except ValueError:
        return 0


SHOPIFY = CsvFormat(
    name="shopify",
    label="Shopify customer export",
    consent_method="import: Shopify export",
    read=read_shopify,
)
