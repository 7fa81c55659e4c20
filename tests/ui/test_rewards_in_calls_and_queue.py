"""Where people see a waiting reward besides the customer page: the call log's story beside the form
(found by typing, as staff do), and the care queue's "what to know"."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from careapp.domain.customer import CustomerDraft
from careapp.domain.purchases import SaleInput
from careapp.domain.rewards import Offer, OfferKind, RuleKind
from careapp.services.care.view import TouchContext
from careapp.services.shop.staff import Actor, Role
from careapp.ui.care.texts import context_line
from tests.ui.test_calls import find_and_pick, open_dialog

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.ui.main_window import MainWindow

OWNER = Actor("Olivia", Role.OWNER)


def test_the_call_log_s_story_says_a_reward_waits(qtbot: QtBot, services: Services, prompts: Any) -> None:
    services.staff.add(None, "Olivia", Role.OWNER)
    stored = next(s for s in services.rewards.rules() if s.rule.kind is RuleKind.STAMP)
    offer = Offer(OfferKind.FREE_ITEM, "a free coffee", expires_after_days=90)
    services.rewards.save_rule(
        OWNER, replace(stored, rule=replace(stored.rule, enabled=True, every=2, offer=offer))
    )
    zoe = services.customers.create(CustomerDraft(first_name="Zoe", last_name="Quill"), "Olivia").id
    day = services.rewards.today()
    for _ in range(3):
        services.purchases.record(zoe, SaleInput(day, "Flat white", "Coffee", "3.20"))
    dialog = open_dialog(qtbot, services, OWNER, prompts)
    assert dialog.rewards.line.text() == ""
    find_and_pick(qtbot, dialog, "zoe quill")
    line = dialog.rewards.line
    qtbot.waitUntil(lambda: line.text().startswith("1 reward waiting: a free coffee, earned"))
    assert line.text().endswith("; 1 of 2 stamps")
    assert line.isVisibleTo(dialog)


def test_what_to_know_in_the_queue_names_the_waiting_reward() -> None:
    context = TouchContext(None, "", None, (), dt.date(2026, 11, 1), 0, "1 reward waiting: a free coffee")
    assert context_line(context).endswith(" · 1 reward waiting: a free coffee")
    assert "reward" not in context_line(replace(context, rewards=""))


def test_a_sale_committed_in_the_window_is_caught_up_at_once(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    """No page reads the rewards here: the ledger row is written because the commit was heard."""
    from sqlalchemy import select

    from careapp.db.models import RewardLedgerRecord

    demo_services.staff.add(None, "Olivia", Role.OWNER)
    stored = next(s for s in demo_services.rewards.rules() if s.rule.kind is RuleKind.STAMP)
    rule = replace(stored.rule, enabled=True, every=2, category="Loyalty coffee")
    demo_services.rewards.save_rule(OWNER, replace(stored, rule=rule))
    zoe = demo_services.customers.create(CustomerDraft(first_name="Zoe", last_name="Quill"), "Olivia").id
    qtbot.waitUntil(lambda: window.rewards.seen_seq is not None)
    day = demo_services.rewards.today()
    for _ in range(2):
        demo_services.purchases.record(zoe, SaleInput(day, "Flat white", "Loyalty coffee", "3.20"))

    def earned() -> list[str]:
        with demo_services.db.session() as session:
            rows = session.scalars(
                select(RewardLedgerRecord.event).where(RewardLedgerRecord.customer_id == zoe)
            )
            return list(rows)

    qtbot.waitUntil(lambda: earned() == ["earned"], timeout=5000)
