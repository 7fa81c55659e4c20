"""Build tests/upgrades/fixtures/schema-REV.db: a fresh SQLite file migrated to REV with Alembic, filled
with a few customers and every kind of data that schema holds, written in SQL for that schema (the
app's models follow head, so they cannot write an old schema).

    python scripts/make_schema_fixture.py 0005          # one revision
    python scripts/make_schema_fixture.py --all         # every revision in the migrations folder

A new migration that adds a kind of data should add a block to BLOCKS under its revision (the
data of earlier revisions is inserted too), then run this script for it.
tests/upgrades/test_upgrades.py fails while a revision has no fixture.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIXTURES = ROOT / "tests" / "upgrades" / "fixtures"

T0 = "2025-03-01 10:00:00.000000"
T1 = "2025-06-15 14:30:00.000000"

# Revision -> SQL for the tables that revision added (or the data it newly allows). Inserted in
# revision order, so the block of a revision may rely on the rows of the earlier ones.
BLOCKS: dict[str, str] = {
    "0001": f"""
INSERT INTO import_batch (id, at, source_name, format, created_count, updated_count, merged_count,
    rejected_count, undone_at, done_by)
VALUES (1, '{T0}', 'customers_export.csv', 'shopify', 1, 0, 0, 1, NULL, 'Olga');
INSERT INTO customer (id, first_name, last_name, company, street, city, region, postcode, country,
    birthday_month, birthday_day, birthday_year, loyalty_stage, referred_by_id, notes, sort_name,
    display_name, primary_email, primary_phone, tags_text, search_text, created_at, updated_at,
    updated_by, version, import_batch_id)
VALUES
 (1, 'Ann', 'Evans', '', '1 Quay St', 'Cardiff', 'Wales', 'CF10 1AA', 'GB', 2, 29, 1996, 'client', NULL,
  'Prefers mornings. Café au lait ☕', 'evans ann', 'Ann Evans', 'ann.evans@example.com', '029 2018 0123',
  'coffee, board games', 'ann evans cardiff prefers mornings. café au lait ☕ ann.evans@example.com '
  || '029 2018 0123 02920180123 442920180123 #coffee #board games',
  '{T0}', '{T1}', 'Sam', 3, NULL),
 (2, 'Bob', 'Jones', 'Jones & Sons', '', 'Leeds', '', '', 'GB', 11, 25, NULL, 'advocate', 1, '',
  'jones bob', 'Bob Jones', 'bob@jones.example', '+44 7700 900123', 'tea', 'bob jones jones & sons leeds '
  || 'bob@jones.example +44 7700 900123 447700900123 447700900123 #tea', '{T0}', '{T0}', 'import', 1, 1),
 (3, '', '', 'Zoë''s Bakery', '', '', '', '', '', NULL, NULL, NULL, 'prospect', NULL, '', 'zoë''s bakery',
  'Zoë''s Bakery', '', '', '', 'zoë''s bakery', '{T1}', '{T1}', 'Olga', 1, NULL);
INSERT INTO customer_email (id, customer_id, address, address_key, label, position) VALUES
 (1, 1, 'Ann.Evans@example.com', 'ann.evans@example.com', 'home', 0),
 (2, 1, 'ann@work.example', 'ann@work.example', 'work', 1),
 (3, 2, 'bob@jones.example', 'bob@jones.example', 'home', 0);
INSERT INTO customer_phone (id, customer_id, raw, e164, digits, label, position) VALUES
 (1, 1, '029 2018 0123', '+442920180123', '02920180123', 'home', 0),
 (2, 1, 'reception ext. 1234', NULL, '1234', 'work', 1),
 (3, 2, '+44 7700 900123', '+447700900123', '447700900123', 'mobile', 0);
INSERT INTO customer_date (id, customer_id, kind, label, month, day, year) VALUES
 (1, 1, 'anniversary', '', 6, 1, 2015),
 (2, 1, 'custom', 'Opened her café', 9, 12, NULL);
INSERT INTO customer_tag (customer_id, tag) VALUES (1, 'coffee'), (1, 'board games'), (2, 'tea');
INSERT INTO purchase (id, customer_id, date, item, category, amount_cents, created_at, import_batch_id) VALUES
 (1, 1, '2025-05-30', 'Burr grinder', 'Equipment', 12999, '{T1}', NULL),
 (2, 2, '2025-02-20', 'Assam 250 g', 'Tea', 650, '{T0}', 1);
INSERT INTO consent_event (id, customer_id, channel, granted, at, method, recorded_by, note, import_batch_id)
VALUES
 (1, 1, 'email', 1, '{T0}', 'signed form', 'Sam', 'At the counter', NULL),
 (2, 1, 'sms', 0, '{T1}', 'phone call', 'Sam', '', NULL),
 (3, 2, 'email', 1, '{T0}', 'import', 'import', '', 1);
INSERT INTO customer_note (id, customer_id, at, author, text) VALUES
 (1, 1, '{T1}', 'Sam', 'Asked about decaf beans.');
INSERT INTO contact (id, customer_id, at, channel, direction, staff, summary) VALUES
 (1, 1, '{T1}', 'phone', 'in', 'Sam', 'Grinder arrived, very happy.');
INSERT INTO import_change (id, batch_id, customer_id, before_json, version_after) VALUES
 (1, 1, 2, '', 1);
INSERT INTO setting (key, value_json, version) VALUES
 ('shop', '{{"shop_name": "Bean There", "default_region": "GB", "feb29_observed_on": "mar1", '
  || '"staff_names": ["Olga", "Sam"], "welcome_done": true}}', 2);
""",
    "0002": f"""
INSERT INTO staff (id, name, role, active, created_at) VALUES
 (1, 'Olga', 'owner', 1, '{T0}'), (2, 'Sam', 'staff', 1, '{T0}'), (3, 'Kit', 'staff', 0, '{T0}');
INSERT INTO ticket (id, customer_id, title, category, priority, state, assignee, opened_at, opened_by,
    merged_into_id, repeat_of_id, not_resolvable_reason, exclusion, version, updated_at, updated_by)
VALUES
 (1, 2, 'Kettle leaks', 'Repair', 'high', 'resolved', 'Sam', '{T0}', 'Sam', NULL, NULL, NULL, NULL, 3,
  '{T1}', 'Sam'),
 (2, 1, 'Wrong beans sent', 'Order', 'normal', 'open', '', '{T1}', 'Olga', NULL, NULL, NULL, NULL, 1,
  '{T1}', 'Olga');
INSERT INTO contact (id, customer_id, at, channel, direction, staff, summary, ticket_id, outcome,
    outcome_reason, callback_at, callback_done_at, callback_done_by, duration_seconds, customer_confirmed)
VALUES
 (2, 2, '{T0}', 'walk_in', 'in', 'Sam', 'Brought the kettle back.', 1, 'resolved_now', '', NULL, NULL, NULL,
  420, 1),
 (3, 1, '{T1}', 'email', 'in', 'Olga', 'Got Colombian instead of Kenyan.', 2, 'callback_promised', '',
  '2025-06-16 09:00:00.000000', NULL, NULL, NULL, NULL);
INSERT INTO ticket_state_change (id, ticket_id, customer_id, at, by, old, new, reason) VALUES
 (1, 1, 2, '{T0}', 'Sam', 'new', 'open', 'contact outcome: needs_repair_or_visit'),
 (2, 1, 2, '{T1}', 'Sam', 'open', 'resolved', 'Replaced the seal');
INSERT INTO ticket_audit (id, ticket_id, customer_id, at, by, field, old, new, reason) VALUES
 (1, 1, 2, '{T1}', 'Sam', 'priority', 'normal', 'high', 'Customer has no kettle');
INSERT INTO feedback (id, customer_id, ticket_id, at, recorded_by, positive, text, publishable,
    publish_consent_at, publish_consent_by, publish_consent_method)
VALUES (1, 2, 1, '{T1}', 'Sam', 1, 'Fixed while I waited!', 1, '{T1}', 'Sam', 'email');
INSERT INTO setting (key, value_json, version) VALUES
 ('fcr', '{{"reopen_window_days": 10, "repeat_window_days": 5}}', 2);
INSERT INTO setting_audit (id, key, at, by, old_json, new_json, reason) VALUES
 (1, 'fcr', '{T1}', 'Olga', '{{"reopen_window_days": 7, "repeat_window_days": 7}}',
  '{{"reopen_window_days": 10, "repeat_window_days": 5}}', 'Repairs take longer');
""",
    "0004": f"""
INSERT INTO article (id, title, link, summary, topics_json, added_on, updated_at, updated_by, version)
VALUES (1, 'Dialling in a new bag of beans', 'https://example.com/beans', 'Five minutes to a good cup.',
  '["coffee"]', '2025-06-01', '{T1}', 'Olga', 1);
INSERT INTO touch_rule (kind, params_json, version, updated_at, updated_by) VALUES
 ('birthday', '{{"enabled": true, "channels": ["email", "sms"], "days_ahead": 5}}', 2, '{T1}', 'Olga');
INSERT INTO customer_stage_change (id, customer_id, at, old_stage, new_stage, by) VALUES
 (1, 1, '{T0}', NULL, 'customer', ''), (2, 1, '{T1}', 'customer', 'client', 'Sam');
INSERT INTO touch (id, key, customer_id, kind, due, due_at, channel, status, snoozed_until, reason,
    payload_json, created_at, done_at, done_by, version)
VALUES
 (1, 'follow_up:1', 1, 'purchase_follow_up', '2025-06-06', NULL, 'email', 'done', NULL, '',
  '{{"channels": ["email"], "occasion": "2025-05-30", "label": "Burr grinder", "purchase_ids": [1]}}',
  '{T1}', '{T1}', 'Sam', 2),
 (2, 'birthday:2:2025', 2, 'birthday', '2025-11-20', NULL, NULL, 'open', NULL, '',
  '{{"channels": ["email", "sms"], "occasion": "2025-11-25"}}', '{T1}', NULL,
  NULL, 1);
INSERT INTO touch_log (id, touch_id, customer_id, at, who, outcome, kind, channel, note, subject, body,
    contact_id)
VALUES (1, 1, 1, '{T1}', 'Sam', 'done', 'purchase_follow_up', 'email', 'Liked it', 'Your grinder',
  'Hello Ann, how is the grinder?', 1);
""",
    "0005": f"""
INSERT INTO calendar_item (id, uid, source, kind, entry_json, sequence, content_hash, schedule_hash,
    created_at, last_modified, cancelled)
VALUES (1, 'c36f6d11-bdfa-4ce4-b126-2d6de855dc32', 'birthday:1', 'birthdays',
  '{{"source": "birthday:1", "kind": "birthdays", "title": "Birthday: Ann E.", "description": "", '
  || '"alarm_minutes": null, "day": null, "at": null, "minutes": null, '
  || '"yearly": {{"month": 2, "day": 29, "year": 1996}}, "feb29": "mar1"}}',
  1, '7f8027d0dc2528e78ca83d6434c2ff55e1570a3af6a9d717bfe6268111e10aa7',
  '30cfc78824b7cf5490bff6d2db8de25a5c240e4f8ae36749022f319579a57ff2', '{T0}', '{T1}', 0);
INSERT INTO caldav_state (uid, href, etag, pushed_hash, pushed_sequence, pushed_at) VALUES
 ('c36f6d11-bdfa-4ce4-b126-2d6de855dc32', 'https://cal.example/shop/care/c36f6d11.ics', '"etag-1"',
  'abc123', 1, '{T1}');
INSERT INTO setting (key, value_json, version) VALUES
 ('calendar', '{{"kinds": ["birthdays", "dates", "queue", "callbacks"], "days": 45, "include_phone": false, '
  || '"include_email": false, "include_notes": false, "alarm_minutes": 30, "calendar_name": "", '
  || '"feed_path": "", "caldav_url": "https://cal.example/shop/care/", "caldav_user": "shop", '
  || '"caldav_calendar": "Care"}}', 1);
""",
    "0006": """
UPDATE change_counter SET value = 7 WHERE area = 'customers';
UPDATE change_counter SET value = 2 WHERE area = 'tickets';
""",
    "0007": f"""
INSERT INTO erasure_audit (id, customer_id, at, by, reason, counts_json) VALUES
 (1, 99, '{T1}', 'Olga', 'Asked to be forgotten', '{{"customer": 1, "contact": 2}}');
""",
    "0008": f"""
UPDATE touch SET plan_placement = 'queued', plan_reason = '', plan_day = '2025-11-20',
    plan_last_day = '2025-11-25', plan_at = '{T1}' WHERE id = 2;
""",
    "0010": """
INSERT INTO care_wake (customer_id, wake_on) VALUES (1, '2026-03-01'), (2, '2026-07-14');
INSERT INTO care_dirty (customer_id, touch_only) VALUES (1, 1), (2, 0);
""",
    "0011": """
UPDATE purchase SET quantity = 2, order_line = 'shopify:1001:1' WHERE id = (SELECT min(id) FROM purchase);
""",
    "0012": f"""
INSERT INTO reward_rule (id, kind, enabled, params_json, version, updated_at, updated_by) VALUES
 (1, 'stamp', 1,
  '{{"every": 10, "category": "Coffee", "offer": {{"kind": "free_item", "wording": "a free coffee"}}}}',
  2, '{T1}', 'Olga');
INSERT INTO reward_ledger (id, customer_id, reward_id, key, rule_id, event, at, by, purchase_id,
    referred_customer_id, reason, offer_json, earned_on, expires_on, cost_cents) VALUES
 (1, 1, NULL, 'stamp:1:1', 1, 'earned', '{T1}', 'careapp', 1, NULL, '10th stamp',
  '{{"kind": "free_item", "wording": "a free coffee"}}', '2025-06-15', '2025-09-13', NULL),
 (2, 1, 1, 'stamp:1:1', 1, 'redeemed', '{T1}', 'Sam', 1, NULL, '', '{{}}', NULL, NULL, 250),
 (3, 1, NULL, 'referral:2:2', 2, 'earned', '{T1}', 'careapp', NULL, 2, 'first purchase',
  '{{"kind": "amount_off", "wording": "£5 off", "value": "5"}}', '2025-06-15', NULL, NULL);
""",
    "0013": """
UPDATE care_wake SET anchor_on = '2025-06-15' WHERE customer_id = 1;
""",
    "0015": """
INSERT INTO fcr_verdict (ticket_id, inputs, first_resolved_us, decided_us, windows_since_us,
    reopen_window_days, repeat_window_days, staff, flags, repeat_ticket_ids, first_response_us,
    resolution_us)
VALUES (1, '3:2:1:3:1:1:1:2:1:1', 1740823200000000, 1741428000000000, NULL, 7, 7, 'Sam', 39, '', NULL, 0);
""",
}


def revisions() -> list[str]:
    """Every revision in the migrations folder, oldest first."""
    from alembic.script import ScriptDirectory

    from careapp.db.database import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config())
    return [s.revision for s in reversed(list(scripts.walk_revisions()))]


def fixture_path(revision: str) -> Path:
    return FIXTURES / f"schema-{revision}.db"


def build(revision: str, target: Path) -> Path:
    from alembic import command

    from careapp.db.database import alembic_config, make_engine

    order = revisions()
    if revision not in order:
        raise SystemExit(f"no revision {revision!r} in the migrations folder (known: {', '.join(order)})")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{target}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
    engine.dispose()
    connection_ = sqlite3.connect(target)
    try:
        for step in order[: order.index(revision) + 1]:
            if step in BLOCKS:
                connection_.executescript(BLOCKS[step])
        connection_.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        connection_.execute("VACUUM")
        connection_.commit()
    finally:
        connection_.close()
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", nargs="?", help="the schema revision, e.g. 0005")
    parser.add_argument("--all", action="store_true", help="every revision in the migrations folder")
    args = parser.parse_args(argv)
    wanted = revisions() if args.all else [args.revision] if args.revision else []
    if not wanted:
        parser.error("give a revision or --all")
    for revision in wanted:
        print(f"wrote {build(revision, fixture_path(revision))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
