"""CSV files from anywhere else: the user says which column is what (with a suggestion to start from)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from careapp.domain.customer import Channel, DateKind
from careapp.importing.csv_format import CsvFormat
from careapp.importing.csv_records import CsvRow, Header
from careapp.importing.model import TARGET_FIELDS, ColumnMapping, NeedsColumnMapping
from careapp.importing.rows import ConsentCell, DateCell, EmailCell, PhoneCell, RowFields
from careapp.importing.values import split_values, strip_sheet_guard

IDENTITY_TARGETS = frozenset({"first_name", "last_name", "full_name", "company", "email", "phone"})
# Targets that hold one value: a second column suggested for one of them is left out.
_SINGLE_TARGETS = frozenset(TARGET_FIELDS) - {"email", "phone", "street", "tags", "notes", "ignore"}

# Header words (lower case, letters and digits only) in English, German, French, Spanish, Dutch.
_EXACT: dict[str, tuple[str, ...]] = {
    "first_name": (
        "firstname",
        "first",
        "givenname",
        "forename",
        "vorname",
        "prenom",
        "prénom",
        "nombre",
        "voornaam",
        "fname",
    ),
    "last_name": (
        "lastname",
        "last",
        "surname",
        "familyname",
        "nachname",
        "nom",
        "apellido",
        "apellidos",
        "achternaam",
        "lname",
        "familienname",
    ),
    "full_name": (
        "name",
        "fullname",
        "customer",
        "customername",
        "contact",
        "contactname",
        "kunde",
        "kundenname",
        "displayname",
        "clientname",
        "client",
    ),
    "company": (
        "company",
        "companyname",
        "organization",
        "organisation",
        "business",
        "firma",
        "unternehmen",
        "société",
        "societe",
        "empresa",
        "bedrijf",
    ),
    "email": ("email", "emails", "emailaddress", "mail", "emailadresse", "courriel", "correo"),
    "phone": (
        "phone",
        "phones",
        "phonenumber",
        "telephone",
        "tel",
        "mobile",
        "cell",
        "handy",
        "telefon",
        "telefonnummer",
        "mobil",
        "téléphone",
        "telefono",
        "teléfono",
        "mobilephone",
    ),
    "street": (
        "street",
        "address",
        "address1",
        "address2",
        "addressline1",
        "addressline2",
        "streetaddress",
        "straße",
        "strasse",
        "adresse",
        "anschrift",
        "rue",
        "calle",
        "direccion",
        "dirección",
    ),
    "city": ("city", "town", "ort", "stadt", "wohnort", "ville", "ciudad", "plaats", "woonplaats"),
    "region": ("region", "state", "province", "county", "bundesland", "stateprovince"),
    "postcode": ("postcode", "postalcode", "zip", "zipcode", "plz", "postleitzahl", "codepostal", "cp"),
    "country": ("country", "countrycode", "land", "pays", "país", "pais"),
    "birthday": (
        "birthday",
        "birthdate",
        "dateofbirth",
        "dob",
        "geburtstag",
        "geburtsdatum",
        "anniversaire",
        "cumpleaños",
        "verjaardag",
    ),
    "tags": (
        "tags",
        "tag",
        "labels",
        "categories",
        "category",
        "groups",
        "group",
        "kategorie",
        "kategorien",
        "gruppe",
    ),
    "notes": (
        "notes",
        "note",
        "comments",
        "comment",
        "remarks",
        "notizen",
        "notiz",
        "bemerkung",
        "bemerkungen",
        "anmerkungen",
        "kommentar",
        "remarques",
        "notas",
        "opmerkingen",
    ),
    "loyalty_stage": ("loyaltystage", "loyalty", "stage"),
    "customer_since": (
        "customersince",
        "kundeseit",
        "since",
        "firstpurchase",
        "firstorder",
        "joined",
        "datejoined",
        "membersince",
    ),
    "anniversary": ("anniversary", "jahrestag", "hochzeitstag", "weddinganniversary"),
    "email_consent": (
        "emailconsent",
        "acceptsemailmarketing",
        "acceptsmarketing",
        "newsletter",
        "emailoptin",
        "emailmarketing",
    ),
    "sms_consent": ("smsconsent", "acceptssmsmarketing", "smsoptin", "smsmarketing"),
    "ignore": ("phoneconsent", "postconsent", "id"),
}
_EXACT_LOOKUP = {word: target for target, words in _EXACT.items() for word in words}

# When no exact word matches: fragments, tried in this order.
_FRAGMENTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("birth", "geburt"), "birthday"),
    (("sms",), "sms_consent"),
    (("newsletter", "optin", "consent", "marketing"), "email_consent"),
    (("mail",), "email"),
    (("phone", "mobile", "handy", "telefon", "cell"), "phone"),
    (("zip", "postal", "postcode", "plz"), "postcode"),
    (("street", "strasse", "straße", "address", "adresse"), "street"),
    (("city", "town"), "city"),
    (("country",), "country"),
    (("company", "firma", "organi"), "company"),
    (("firstname", "given", "vorname"), "first_name"),
    (("lastname", "surname", "family", "nachname"), "last_name"),
    (("note", "comment", "notiz", "bemerk"), "notes"),
    (("tag", "categor", "label", "group"), "tags"),
    (("anniversary",), "anniversary"),
)


def suggest_mapping(headers: Sequence[str]) -> ColumnMapping:
    """A best guess at what each column holds; columns it cannot place are "ignore"."""
    columns: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        target = _guess_target(header)
        if target in _SINGLE_TARGETS and target in taken:
            target = "ignore"
        taken.add(target)
        columns[header] = target
    # German lists often say "Vorname" and "Name": beside a first name, "Name" is the surname.
    if "first_name" in taken and "full_name" in taken and "last_name" not in taken:
        columns = {header: "last_name" if t == "full_name" else t for header, t in columns.items()}
    return ColumnMapping(columns)


def recognised_mapping(headers: Sequence[str]) -> ColumnMapping | None:
    """The mapping of a file whose every column heading careapp knows for certain (an exact word
    such as "First Name", "E-Mail", "Vorname", "Geburtstag"; not a guess from part of a word), with
    a column that says who each row is and no field fed twice; None when any column is a guess."""
    columns: dict[str, str] = {}
    for header in headers:
        word = re.sub(r"[\W_]+", "", header.lower())
        target = _EXACT_LOOKUP.get(word)
        if target is None or target == "ignore":
            return None
        if target in _SINGLE_TARGETS and target in columns.values():
            return None
        columns[header] = target
    targets = set(columns.values())
    if not targets & IDENTITY_TARGETS:
        return None
    if {"first_name", "full_name"} <= targets and "last_name" not in targets:
        columns = {header: "last_name" if t == "full_name" else t for header, t in columns.items()}
    return ColumnMapping(columns)


def _guess_target(header: str) -> str:
    word = re.sub(r"[\W_]+", "", header.lower())
    if word in _EXACT_LOOKUP:
        return _EXACT_LOOKUP[word]
    for fragments, target in _FRAGMENTS:
        if any(fragment in word for fragment in fragments):
            return target
    return "ignore"


def mapped_format(header: Header, mapping: ColumnMapping, recognised: bool = False) -> CsvFormat:
    """A CsvFormat that reads columns as ``mapping`` says; NeedsColumnMapping if it cannot be used.
    ``recognised``: the mapping is careapp's own, from headings it knows (not the user's)."""
    plan = _plan(header, mapping)
    labelled_notes = sum(1 for _, target, _ in plan if target == "notes") > 1

    def read(row: CsvRow) -> RowFields:
        fields = RowFields()
        for position, target, name in plan:
            value = strip_sheet_guard(row.at(position))
            if value:
                _ASSIGN[target](fields, value, name, labelled_notes)
        return fields

    date_columns = tuple(name for _, target, name in plan if target in _DATE_TARGETS)
    label = "CSV file with column headings careapp knows" if recognised else "CSV file"
    columns = {str(name): target for name, target in mapping.columns.items()}
    return CsvFormat("csv", label, "import: CSV file", read, date_columns, columns=columns)


def _plan(header: Header, mapping: ColumnMapping) -> list[tuple[int, str, str]]:
    """(column position, target, header name) for every mapped column."""
    suggested = suggest_mapping(header.names)
    plan: list[tuple[int, str, str]] = []
    if not isinstance(mapping.columns, Mapping):  # e.g. hand-written JSON from the command line
        raise NeedsColumnMapping(
            "The column mapping must pair each column heading with a field name.", header.names, suggested
        )
    for name, target in mapping.columns.items():
        position = header.index(name) if isinstance(name, str) else None
        if position is None:
            raise NeedsColumnMapping(
                f"The column mapping names “{name}”, but the file has no such column.",
                header.names,
                suggested,
            )
        if target not in TARGET_FIELDS:
            raise NeedsColumnMapping(
                f"The column mapping sends “{name}” to “{target}”, which is not a field "
                f"careapp knows; use one of: {', '.join(TARGET_FIELDS)}.",
                header.names,
                suggested,
            )
        if target != "ignore":
            plan.append((position, target, header.names[position]))
    if not any(target in IDENTITY_TARGETS for _, target, _ in plan):
        raise NeedsColumnMapping(
            "Choose at least one column with a name, company, email or phone; without one "
            "careapp cannot tell who each row is.",
            header.names,
            suggested,
        )
    return plan


_Assign = Callable[[RowFields, str, str, bool], None]
_DATE_TARGETS = frozenset({"birthday", "customer_since", "anniversary"})


def _append_text(attribute: str, separator: str) -> _Assign:
    def assign(fields: RowFields, value: str, name: str, labelled: bool) -> None:
        current = getattr(fields, attribute)
        setattr(fields, attribute, f"{current}{separator}{value}" if current else value)

    return assign


def _first_text(attribute: str) -> _Assign:
    def assign(fields: RowFields, value: str, name: str, labelled: bool) -> None:
        if not getattr(fields, attribute):
            setattr(fields, attribute, value)

    return assign


def _date(kind: DateKind | None) -> _Assign:
    def assign(fields: RowFields, value: str, name: str, labelled: bool) -> None:
        fields.dates.append(DateCell(value, name, kind))

    return assign


def _consent(channel: Channel) -> _Assign:
    def assign(fields: RowFields, value: str, name: str, labelled: bool) -> None:
        fields.consents.append(ConsentCell(channel, value, name))

    return assign


def _emails(fields: RowFields, value: str, name: str, labelled: bool) -> None:
    fields.emails += [EmailCell(address, source=name) for address in split_values(value, ";,\n")]


def _phones(fields: RowFields, value: str, name: str, labelled: bool) -> None:
    phones = split_values(value, ";,\n")
    fields.phones += [PhoneCell(strip_sheet_guard(phone, always=True)) for phone in phones]


def _postcode(fields: RowFields, value: str, name: str, labelled: bool) -> None:
    fields.postcode = fields.postcode or strip_sheet_guard(value, always=True)


def _country(fields: RowFields, value: str, name: str, labelled: bool) -> None:
    if not fields.country:
        fields.country = value
        fields.country_code = value if len(value) == 2 else ""


def _tags(fields: RowFields, value: str, name: str, labelled: bool) -> None:
    fields.tags += split_values(value, ",;")


def _notes(fields: RowFields, value: str, name: str, labelled: bool) -> None:
    fields.notes.append(f"{name}: {value}" if labelled else value)


def _loyalty(fields: RowFields, value: str, name: str, labelled: bool) -> None:
    if not fields.loyalty_stage:
        fields.loyalty_stage, fields.loyalty_source = value, name


_ASSIGN: dict[str, _Assign] = {
    "first_name": _append_text("first_name", " "),
    "last_name": _append_text("last_name", " "),
    "full_name": _first_text("full_name"),
    "company": _first_text("company"),
    "email": _emails,
    "phone": _phones,
    "street": _append_text("street", ", "),
    "city": _first_text("city"),
    "region": _first_text("region"),
    "postcode": _postcode,
    "country": _country,
    "birthday": _date(None),
    "customer_since": _date(DateKind.CUSTOMER_SINCE),
    "anniversary": _date(DateKind.ANNIVERSARY),
    "tags": _tags,
    "notes": _notes,
    "loyalty_stage": _loyalty,
    "email_consent": _consent(Channel.EMAIL),
    "sms_consent": _consent(Channel.SMS),
}
