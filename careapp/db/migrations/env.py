"""Alembic environment: careapp runs migrations in code and passes the connection in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from careapp.db.models import Base, declare_postgresql_indexes, kept_on

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("careapp migrations run through careapp.db.database.migrate()")
    is_sqlite = connection.dialect.name == "sqlite"
    if connection.dialect.name == "postgresql":
        declare_postgresql_indexes()
    if is_sqlite:
        # Batch mode recreates tables; foreign keys would block that mid-way.
        connection.execute(text("PRAGMA foreign_keys=OFF"))
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=is_sqlite,
        compare_type=True,
        include_object=kept_on(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()
    if is_sqlite:
        problems = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
        if problems:
            raise RuntimeError(f"foreign key check failed after migration: {problems[:5]}")
        connection.execute(text("PRAGMA foreign_keys=ON"))


run_migrations_online()
