"""The safety tests are about SQLite files (copies, restore, kills, full disks): their data folder
always holds a SQLite copy of the migrated template, whatever backend the run also tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from careapp.config import Paths, resolve_paths


@pytest.fixture
def paths(tmp_path: Path, template_db: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    monkeypatch.delenv("CAREAPP_DATABASE_URL", raising=False)
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    shutil.copy(template_db, folder / "careapp.db")
    return resolve_paths(str(folder))
