"""Google Contacts CSV ("Google CSV"), the current layout and the older one.

Google puts several values of one kind in one cell, separated by " ::: ", and numbers
repeated columns: "E-mail 1 - Value", "E-mail 2 - Value"... The current layout calls the
label column "... - Label", the older one "... - Type".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from careapp.domain.customer import DateKind
from careapp.importing.csv_format import CsvFormat, join_nonempty
from careapp.importing.csv_records import CsvRow, Header
from careapp.importing.rows import DateCell, EmailCell, PhoneCell, RowFields
from careapp.importing.values import normalize_label

MULTI = " ::: "
# Google's own groups, not the shop's: every contact is in "myContacts", "starred" is a phone's star.
_SYSTEM_LABELS = frozenset({"mycontacts", "my contacts", "starred"})


@dataclass(frozen=True)
class _Layout:
    first: str
    middle: str
    last: str
    full: str  # "" when the layout has no whole-name column
    organisation: str
    labels: str
    kind_word: str  # "Label" or "Type"


_CURRENT = _Layout("First Name", "Middle Name", "Last Name", "", "Organization Name", "Labels", "Label")
_LEGACY = _Layout(
    "Given Name",
    "Additional Name",
    "Family Name",
    "Name",
    "Organization 1 - Name",
    "Group Membership",
    "Type",
)


def is_google(header: Header) -> bool:
    return header.has("First Name", "Last Name") and header.has_any(
        "Labels", "E-mail 1 - Label", "Phone 1 - Label", "Organization Name"
    )


def is_google_legacy(header: Header) -> bool:
    return header.has("Given Name", "Family Name") and header.has_any("Group Membership", "E-mail 1 - Type")


def _reader(layout: _Layout) -> Callable[[CsvRow], RowFields]:
    def read(row: CsvRow) -> RowFields:
        fields = RowFields(
            first_name=join_nonempty((row.get(layout.first), row.get(layout.middle)), " "),
            last_name=row.get(layout.last),
            full_name=row.get(layout.full) if layout.full else "",
            company=_first_value(row.get(layout.organisation)),
            emails=[EmailCell(value, label, "Email") for value, label in _values(row, "E-mail", layout)],
            phones=[PhoneCell(value, label) for value, label in _values(row, "Phone", layout)],
            dates=[DateCell(row.get("Birthday"), "Birthday"), *_events(row, layout)],
            tags=_labels(row.get(layout.labels)),
            notes=[row.get("Notes"), *_custom_fields(row, layout)],
        )
        _add_addresses(fields, row, layout)
        return fields

    return read


def _first_value(cell: str) -> str:
    return cell.split(MULTI)[0].strip()


def _values(row: CsvRow, kind: str, layout: _Layout) -> list[tuple[str, str]]:
    """(value, label) for every value of ``kind`` ("E-mail", "Phone") in the row."""
    found: list[tuple[str, str]] = []
    for number in row.header.numbered(f"{kind} {{}} - Value"):
        values = [value.strip() for value in row.get(f"{kind} {number} - Value").split(MULTI)]
        labels = [label.strip() for label in row.get(f"{kind} {number} - {layout.kind_word}").split(MULTI)]
        for position, value in enumerate(values):
            # Google writes one label for a cell of several values, or one label per value.
            label = labels[position] if len(labels) == len(values) else labels[0]
            if value:
                found.append((value, normalize_label(label)))
    return found


def _labels(cell: str) -> list[str]:
    labels = [label.strip() for label in cell.split(MULTI)]
    kept = [label.lstrip("*").strip() for label in labels]
    return [label for label in kept if label and label.lower() not in _SYSTEM_LABELS]


def _events(row: CsvRow, layout: _Layout) -> list[DateCell]:
    cells: list[DateCell] = []
    for number in row.header.numbered("Event {} - Value"):
        label = row.get(f"Event {number} - {layout.kind_word}").lstrip("*").strip()
        kind = {"anniversary": DateKind.ANNIVERSARY, "customer since": DateKind.CUSTOMER_SINCE}.get(
            label.lower(), DateKind.CUSTOM
        )
        source = label or "Event"
        text = _first_value(row.get(f"Event {number} - Value"))
        cells.append(DateCell(text, source, kind, label if kind is DateKind.CUSTOM else ""))
    return cells


def _custom_fields(row: CsvRow, layout: _Layout) -> list[str]:
    # Shops keep things like "Shoe size" here; carry them into the notes rather than lose them.
    lines: list[str] = []
    for number in row.header.numbered("Custom Field {} - Value"):
        value = row.get(f"Custom Field {number} - Value")
        label = row.get(f"Custom Field {number} - {layout.kind_word}")
        if value:
            lines.append(f"{label}: {value}" if label else value)
    return lines


def _add_addresses(fields: RowFields, row: CsvRow, layout: _Layout) -> None:
    """The first address becomes the customer's address; any others go into the notes."""
    for number in row.header.numbered("Address {} - Street"):
        prefix = f"Address {number} - "
        parts = {name: _first_value(row.get(prefix + name)) for name in _ADDRESS_PARTS}
        street = join_nonempty((parts["Street"], parts["Extended Address"], parts["PO Box"]), ", ")
        formatted = ", ".join(line.strip() for line in parts["Formatted"].splitlines() if line.strip())
        if not (street or parts["City"] or parts["Postal Code"] or formatted):
            continue
        if fields.street or fields.city or fields.postcode:
            label = row.get(prefix + layout.kind_word).lstrip("*").strip() or "Other"
            fields.notes.append(f"{label} address: {formatted or street}")
            continue
        has_parts = street or parts["City"] or parts["Postal Code"]
        fields.street = street if has_parts else formatted
        fields.city, fields.region = parts["City"], parts["Region"]
        fields.postcode, fields.country = parts["Postal Code"], parts["Country"]


_ADDRESS_PARTS = (
    "Formatted",
    "Street",
    "Extended Address",
    "PO Box",
    "City",
    "Region",
    "Postal Code",
    "Country",
)

GOOGLE = CsvFormat(
    name="google",
    label="Google Contacts CSV",
    consent_method="import: Google Contacts",
    read=_reader(_CURRENT),
)
GOOGLE_LEGACY = CsvFormat(
    name="google-legacy",
    label="Google Contacts CSV (older layout)",
    consent_method="import: Google Contacts",
    read=_reader(_LEGACY),
)
