"""Write a new Alembic migration by comparing the models with a database at head.

Usage: python scripts/new_migration.py "what changed"
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from alembic import command

from careapp.db.database import alembic_config, make_engine, migrate


def main() -> None:
    message = sys.argv[1] if len(sys.argv) > 1 else "schema change"
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'head.db'}")
        migrate(engine, None, dt.datetime.now())
        with engine.begin() as connection:
            command.revision(alembic_config(connection), message=message, autogenerate=True)
        engine.dispose()


if __name__ == "__main__":
    main()
