"""One customer with everything careapp knows, as JSON-ready data (for backups and data requests)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from careapp.domain.customer import ConsentEvent, Customer, ImportantDate, PartialDate, Purchase


def customer_to_json(
    customer: Customer, purchases: Sequence[Purchase], consent_history: Sequence[ConsentEvent]
) -> dict[str, Any]:
    """Plain dicts, lists, strings, numbers and None only: ``json.dumps`` takes it as it is.

    Dates are {"month", "day", "year"} with year None when unknown; money is a string so
    no digit is lost to floating point; times are ISO 8601.
    """
    address = customer.address
    return {
        "id": customer.id,
        "version": customer.version,
        "display_name": customer.display_name(),
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "company": customer.company,
        "emails": [{"address": email.address, "label": email.label} for email in customer.emails],
        "phones": [{"raw": phone.raw, "e164": phone.e164, "label": phone.label} for phone in customer.phones],
        "address": {
            "street": address.street,
            "city": address.city,
            "region": address.region,
            "postcode": address.postcode,
            "country": address.country,
        },
        "birthday": _date(customer.birthday),
        "dates": [_important_date(date) for date in customer.dates],
        "tags": list(customer.tags),
        "notes": customer.notes,
        "loyalty_stage": str(customer.loyalty_stage),
        "referred_by_id": customer.referred_by_id,
        "referred_by_name": customer.referred_by_name,
        "created_at": _time(customer.created_at),
        "updated_at": _time(customer.updated_at),
        "updated_by": customer.updated_by,
        "consents": [
            {"channel": str(state.channel), "granted": state.granted, "since": _time(state.since)}
            for state in customer.consents
        ],
        "purchases": [_purchase(purchase) for purchase in purchases],
        "consent_history": [_consent_event(event) for event in consent_history],
    }


def write_json_list(documents: Iterable[dict[str, Any]], handle: TextIO) -> int:
    """The same text as ``json.dumps(list(documents), indent=2, ensure_ascii=False)``, written a
    document at a time so the whole list is never in memory; returns how many were written."""
    count = 0
    for document in documents:
        handle.write("[\n  " if count == 0 else ",\n  ")
        handle.write(indented_json(document, 1))
        count += 1
    handle.write("\n]" if count else "[]")
    return count


class _NotPlain(Exception):
    """A value :func:`indented_json` leaves to the json module (a float, a key that is not a string)."""


def indented_json(value: Any, depth: int = 0) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)`` with every line after the first indented
    by ``depth`` more levels: the same text, made several times faster. With an indent the json module
    runs its pure-Python generator encoder (its C encoder is only for one-line output), which was 60
    of the 100 s of a JSON export of 100,000 customers; this walks the plain dicts, lists, strings,
    integers, booleans and None of an export directly and hands anything else to the json module."""
    try:
        parts: list[str] = []
        _plain_json(value, "\n" + "  " * depth, parts)
        return "".join(parts)
    except _NotPlain:
        return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * depth)


_encode_string = json.encoder.encode_basestring  # what json.dumps uses with ensure_ascii=False


def _plain_json(value: Any, newline: str, parts: list[str]) -> None:
    # In the order json's encoder tests types: a str subclass is a string, True is not an int.
    if isinstance(value, str):
        parts.append(_encode_string(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, list | tuple):
        _plain_list(value, newline, parts)
    elif isinstance(value, dict):
        _plain_dict(value, newline, parts)
    else:
        raise _NotPlain


def _plain_list(values: list[Any] | tuple[Any, ...], newline: str, parts: list[str]) -> None:
    if not values:
        parts.append("[]")
        return
    inner = newline + "  "
    parts.append("[" + inner)
    for index, item in enumerate(values):
        if index:
            parts.append("," + inner)
        _plain_json(item, inner, parts)
    parts.append(newline + "]")


def _plain_dict(values: dict[Any, Any], newline: str, parts: list[str]) -> None:
    if not values:
        parts.append("{}")
        return
    inner = newline + "  "
    parts.append("{" + inner)
    for index, (key, item) in enumerate(values.items()):
        if not isinstance(key, str):
            raise _NotPlain
        parts.append(("," + inner if index else "") + _encode_string(key) + ": ")
        _plain_json(item, inner, parts)
    parts.append(newline + "}")


def _date(date: PartialDate | None) -> dict[str, int | None] | None:
    return date.as_json() if date is not None else None


def _important_date(date: ImportantDate) -> dict[str, Any]:
    return {"kind": str(date.kind), "label": date.label, "title": date.title(), **date.date.as_json()}


def _purchase(purchase: Purchase) -> dict[str, Any]:
    return {
        "id": purchase.id,
        "date": purchase.date.isoformat(),
        "item": purchase.item,
        "category": purchase.category,
        "amount": str(purchase.amount),
    }


def _consent_event(event: ConsentEvent) -> dict[str, Any]:
    return {
        "channel": str(event.channel),
        "granted": event.granted,
        "at": _time(event.at),
        "method": event.method,
        "recorded_by": event.recorded_by,
        "note": event.note,
    }


def _time(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
