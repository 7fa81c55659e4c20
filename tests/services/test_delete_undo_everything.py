"""Deleting a customer and undoing it brings back their whole history, touches included."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from careapp.context import Services
from careapp.db.models import TouchRecord
from careapp.domain.customer import Channel, ConsentEvent, CustomerDraft, EmailAddress, PartialDate


def touch_keys(services: Services, customer_id: int) -> list[str]:
    with services.db.session() as session:
        return sorted(session.scalars(select(TouchRecord.key).where(TouchRecord.customer_id == customer_id)))


def test_undo_delete_restores_touches_so_none_is_generated_twice(
    services: Services, clock: list[dt.datetime]
) -> None:
    today = clock[0].date()
    birthday = today + dt.timedelta(days=3)
    customer = services.customers.create(
        CustomerDraft(
            first_name="Ann",
            emails=[EmailAddress("ann@example.com")],
            birthday=PartialDate(birthday.month, birthday.day, 1980),
        ),
        "Sam",
    )
    services.customers.record_consent(customer.id, ConsentEvent(Channel.EMAIL, True, clock[0], "form", "Sam"))
    services.touches.refresh(today)
    before = touch_keys(services, customer.id)
    assert any(key.startswith("birthday:") for key in before)

    deleted = services.customers.delete(customer.id)
    assert touch_keys(services, customer.id) == []
    services.customers.undo_delete(deleted)
    assert touch_keys(services, customer.id) == before

    services.touches.refresh(today)
    assert touch_keys(services, customer.id) == before
    with services.db.session() as session:
        assert session.scalar(select(func.count()).select_from(TouchRecord)) == len(before)
