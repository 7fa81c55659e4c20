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
        # JSON escapes the line breaks inside strings, so each break here is indentation.
        handle.write(json.dumps(document, indent=2, ensure_ascii=False).replace("\n", "\n  "))
        count += 1
    handle.write("\n]" if count else "[]")
    return count


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
