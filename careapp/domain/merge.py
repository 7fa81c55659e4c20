"""Folding what an import knows into what the shop already knows, without losing either."""

from __future__ import annotations

from dataclasses import replace

from careapp.domain.customer import CustomerDraft, PhoneNumber, PostalAddress, normalize_tags
from careapp.domain.phones import digits_only


def phone_key(phone: PhoneNumber) -> str:
    return phone.e164 or digits_only(phone.raw)


def merge_drafts(known: CustomerDraft, incoming: CustomerDraft) -> CustomerDraft:
    """``known`` wins where it has a value; ``incoming`` fills gaps and adds new entries."""
    emails = list(known.emails)
    seen_emails = {e.address.lower() for e in emails}
    emails += [e for e in incoming.emails if e.address.lower() not in seen_emails]
    phones = list(known.phones)
    seen_phones = {phone_key(p) for p in phones}
    phones += [p for p in incoming.phones if phone_key(p) not in seen_phones]
    dates = list(known.dates)
    seen_dates = {(d.kind, d.label.lower()) for d in dates}
    dates += [d for d in incoming.dates if (d.kind, d.label.lower()) not in seen_dates]
    notes = known.notes
    if incoming.notes.strip() and incoming.notes.strip() not in notes:
        notes = f"{notes}\n{incoming.notes.strip()}" if notes.strip() else incoming.notes.strip()
    address = known.address if not known.address.is_empty() else incoming.address
    return replace(
        known,
        first_name=known.first_name or incoming.first_name,
        last_name=known.last_name or incoming.last_name,
        company=known.company or incoming.company,
        emails=emails,
        phones=phones,
        address=address if isinstance(address, PostalAddress) else PostalAddress(),
        birthday=known.birthday or incoming.birthday,
        dates=dates,
        tags=normalize_tags(known.tags + incoming.tags),
        notes=notes,
        referred_by_id=known.referred_by_id or incoming.referred_by_id,
    )


def same_profile(a: CustomerDraft, b: CustomerDraft) -> bool:
    """True when saving ``b`` over ``a`` would change nothing the shop can see."""
    return replace(a, tags=normalize_tags(a.tags)) == replace(b, tags=normalize_tags(b.tags))
