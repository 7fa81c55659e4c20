"""Database triggers that note which customers' care facts changed, for the incremental care queue.

Every insert, update or delete on a table the touch rules or the care queue read from (the customer,
their dates, tags, purchases, consents, contacts, tickets, ticket state changes, the touch log, and
new touches) appends the customer's id to ``care_dirty``. The care planner and the touch refresh
each keep a watermark (the highest ``seq`` they have dealt with) and re-work only the customers
noted after it. Triggers see every writer: the services, bulk Core inserts, imports, other seats
and other processes, so no writer has to remember to say what it changed.

The same triggers exist for SQLite and PostgreSQL (a plpgsql function per shape of table).

Since migration 0010 a new touch is noted with ``touch_only`` set (:func:`touch_only_statements`): the
planner must plan it, but the touches' refresh has nothing to make from it, so a refresh's own inserts
never send the customer round again. (:func:`create_statements` stays as migration 0008 ran it.)
"""

from __future__ import annotations

from collections.abc import Callable

# Tables whose rows carry ``customer_id``: (table, operations that matter).
CHILD_TABLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("customer_date", ("INSERT", "UPDATE", "DELETE")),
    ("customer_tag", ("INSERT", "UPDATE", "DELETE")),
    ("purchase", ("INSERT", "UPDATE", "DELETE")),
    ("consent_event", ("INSERT", "UPDATE", "DELETE")),
    ("contact", ("INSERT", "UPDATE", "DELETE")),
    ("ticket", ("INSERT", "UPDATE", "DELETE")),
    ("ticket_state_change", ("INSERT", "UPDATE", "DELETE")),
    ("touch_log", ("INSERT", "UPDATE", "DELETE")),
    # Only new touches: the planner writes its placement onto touch rows and must not wake itself.
    ("touch", ("INSERT",)),
)


def _sqlite_child(table: str, op: str) -> str:
    rows = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}[op]
    body = " ".join(f"INSERT INTO care_dirty (customer_id) VALUES ({r}.customer_id);" for r in rows)
    return f"CREATE TRIGGER care_dirty_{table}_{op.lower()} AFTER {op} ON {table} BEGIN {body} END"


def _sqlite_customer(op: str) -> str:
    # The customer, and whoever referred them (their referral thank-you depends on the referral).
    rows = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}[op]
    parts = []
    for r in rows:
        parts.append(f"INSERT INTO care_dirty (customer_id) VALUES ({r}.id);")
        parts.append(
            f"INSERT INTO care_dirty (customer_id) SELECT {r}.referred_by_id "
            f"WHERE {r}.referred_by_id IS NOT NULL;"
        )
    body = " ".join(parts)
    return f"CREATE TRIGGER care_dirty_customer_{op.lower()} AFTER {op} ON customer BEGIN {body} END"


_PG_CHILD_FUNCTION = """
CREATE OR REPLACE FUNCTION care_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO care_dirty (customer_id) VALUES (OLD.customer_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO care_dirty (customer_id) VALUES (NEW.customer_id);
    END IF;
    RETURN NULL;
END $$
"""

_PG_CUSTOMER_FUNCTION = """
CREATE OR REPLACE FUNCTION care_mark_dirty_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO care_dirty (customer_id) VALUES (OLD.id);
        IF OLD.referred_by_id IS NOT NULL THEN
            INSERT INTO care_dirty (customer_id) VALUES (OLD.referred_by_id);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO care_dirty (customer_id) VALUES (NEW.id);
        IF NEW.referred_by_id IS NOT NULL THEN
            INSERT INTO care_dirty (customer_id) VALUES (NEW.referred_by_id);
        END IF;
    END IF;
    RETURN NULL;
END $$
"""


def create_statements(dialect: str) -> list[str]:
    """The DDL that creates the triggers (and, on PostgreSQL, their functions)."""
    if dialect == "postgresql":
        statements = [_PG_CHILD_FUNCTION, _PG_CUSTOMER_FUNCTION]
        statements.append(
            "CREATE TRIGGER care_dirty_customer AFTER INSERT OR UPDATE OR DELETE ON customer "
            "FOR EACH ROW EXECUTE FUNCTION care_mark_dirty_customer()"
        )
        for table, ops in CHILD_TABLES:
            statements.append(
                f"CREATE TRIGGER care_dirty_{table} AFTER {' OR '.join(ops)} ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION care_mark_dirty()"
            )
        return statements
    statements = [_sqlite_customer(op) for op in ("INSERT", "UPDATE", "DELETE")]
    statements += [_sqlite_child(table, op) for table, ops in CHILD_TABLES for op in ops]
    return statements


def drop_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        statements = ["DROP TRIGGER IF EXISTS care_dirty_customer ON customer"]
        statements += [f"DROP TRIGGER IF EXISTS care_dirty_{t} ON {t}" for t, _ in CHILD_TABLES]
        return [*statements, "DROP FUNCTION IF EXISTS care_mark_dirty()",
                "DROP FUNCTION IF EXISTS care_mark_dirty_customer()"]  # fmt: skip
    names = [f"care_dirty_customer_{op.lower()}" for op in ("INSERT", "UPDATE", "DELETE")]
    names += [f"care_dirty_{t}_{op.lower()}" for t, ops in CHILD_TABLES for op in ops]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


def run(execute: Callable[[str], object], statements: list[str]) -> None:
    for statement in statements:
        execute(statement)


_PG_TOUCH_FUNCTION = """
CREATE OR REPLACE FUNCTION care_mark_dirty_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO care_dirty (customer_id, touch_only) VALUES (NEW.customer_id, TRUE);
    RETURN NULL;
END $$
"""


def touch_only_statements(dialect: str) -> list[str]:
    """Migration 0010: the trigger on new touches notes them as ``touch_only``."""
    if dialect == "postgresql":
        return [
            "DROP TRIGGER IF EXISTS care_dirty_touch ON touch",
            _PG_TOUCH_FUNCTION,
            "CREATE TRIGGER care_dirty_touch AFTER INSERT ON touch "
            "FOR EACH ROW EXECUTE FUNCTION care_mark_dirty_touch()",
        ]
    return [
        "DROP TRIGGER IF EXISTS care_dirty_touch_insert",
        "CREATE TRIGGER care_dirty_touch_insert AFTER INSERT ON touch BEGIN "
        "INSERT INTO care_dirty (customer_id, touch_only) VALUES (NEW.customer_id, 1); END",
    ]


def touch_only_undo_statements(dialect: str) -> list[str]:
    """Migration 0010's downgrade: the trigger on new touches as 0008 made it."""
    if dialect == "postgresql":
        return [
            "DROP TRIGGER IF EXISTS care_dirty_touch ON touch",
            "DROP FUNCTION IF EXISTS care_mark_dirty_touch()",
            "CREATE TRIGGER care_dirty_touch AFTER INSERT ON touch "
            "FOR EACH ROW EXECUTE FUNCTION care_mark_dirty()",
        ]
    return ["DROP TRIGGER IF EXISTS care_dirty_touch_insert", _sqlite_child("touch", "INSERT")]


# --- bulk writers (migration 0014) -----------------------------------------------------------------
# A bulk writer (demo data, an import, a bulk edit) turns the per-row marking off for its own
# transaction and notes the customers it wrote with one INSERT ... SELECT (careapp/db/care_bulk.py).
# On PostgreSQL every trigger fires only while this transaction-local setting is not 'on', so other
# sessions keep their marking. SQLite needs no change to the triggers: its bulk writer holds the only
# write lock and drops and re-creates them inside its own transaction.
BULK_SETTING = "careapp.bulk_care"
_PG_BULK_WHEN = f"WHEN (current_setting('{BULK_SETTING}', true) IS DISTINCT FROM 'on') "


def _pg_triggers(when: str) -> list[str]:
    statements = [
        "CREATE TRIGGER care_dirty_customer AFTER INSERT OR UPDATE OR DELETE ON customer "
        f"FOR EACH ROW {when}EXECUTE FUNCTION care_mark_dirty_customer()"
    ]
    for table, ops in CHILD_TABLES:
        function = "care_mark_dirty_touch()" if table == "touch" else "care_mark_dirty()"
        statements.append(
            f"CREATE TRIGGER care_dirty_{table} AFTER {' OR '.join(ops)} ON {table} "
            f"FOR EACH ROW {when}EXECUTE FUNCTION {function}"
        )
    return statements


def _pg_drop_triggers() -> list[str]:
    statements = ["DROP TRIGGER IF EXISTS care_dirty_customer ON customer"]
    return statements + [f"DROP TRIGGER IF EXISTS care_dirty_{t} ON {t}" for t, _ in CHILD_TABLES]


def bulk_switch_statements(dialect: str) -> list[str]:
    """Migration 0014: PostgreSQL's triggers skip a transaction that set :data:`BULK_SETTING`."""
    if dialect != "postgresql":
        return []
    return [*_pg_drop_triggers(), *_pg_triggers(_PG_BULK_WHEN)]


def bulk_switch_undo_statements(dialect: str) -> list[str]:
    """Migration 0014's downgrade: the triggers as 0010 left them."""
    if dialect != "postgresql":
        return []
    return [*_pg_drop_triggers(), *_pg_triggers("")]
