"""The care queue's entry for a check-in past its maximum interval says "long overdue" and since
when, in the window's queue and in the listing ``careapp agenda`` reads (names only), on SQLite and
PostgreSQL. Jo is a client (check-in at most 90 days after the last real contact); her last contact
was a purchase on 2 June 2022, so on 23 November 2026 her one check-in is long overdue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from careapp.context import Services
from careapp.domain.customer import Channel, ConsentEvent, CustomerDraft, EmailAddress, LoyaltyStage, Purchase
from careapp.domain.touches import TouchKind


def test_a_check_in_long_past_its_interval_is_one_long_overdue_entry(
    services: Services, clock: list[dt.datetime]
) -> None:
    clock[0] = dt.datetime(2022, 6, 1, 10, 0)  # the shop got to know Jo the day before her purchase
    email = [EmailAddress("jo@example.com")]
    draft = CustomerDraft(first_name="Jo", last_name="Hill", emails=email, loyalty_stage=LoyaltyStage.CLIENT)
    jo = services.customers.create(draft, "Sam").id
    services.customers.record_consent(jo, ConsentEvent(Channel.EMAIL, True, clock[0], "in shop", "Sam"))
    services.customers.add_purchase(jo, Purchase(dt.date(2022, 6, 2), "Lamp", "Lamps", Decimal("30")))
    clock[0] = dt.datetime(2026, 11, 23, 9, 0)
    services.touches.refresh()
    for names_only in (False, True):
        queue = services.care_queue.queue(names_only=names_only)
        check_ins = [e for e in queue.entries() if e.customer_id == jo and e.kind is TouchKind.CHECK_IN]
        assert [(e.key, e.description) for e in check_ins] == [
            (f"check_in:{jo}:2022-06-02", "Check-in: long overdue (last contact 2 June 2022)")
        ]
        assert check_ins[0] in queue.overdue
