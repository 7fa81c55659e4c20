"""An import runs with Python's cyclic garbage collector paused (careapp.memory.collector_paused): the
file's rows, drafts and outcomes stay alive to the end and make no cycles, and the collector walking
them again and again was a tenth of an import of 100,000 rows. It is on again afterwards, even when
the import fails."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from careapp.context import Services
from careapp.services.customers import importer


def test_an_import_pauses_the_collector_and_restores_it(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "people.csv"
    path.write_text("Name,Email\nKim Park,kim@example.com\nAna Silva,ana@example.com\n")
    during: list[bool] = []
    real = importer.insert_customers

    def spy(*args: object, **kwargs: object) -> list[int]:
        during.append(gc.isenabled())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "insert_customers", spy)
    assert gc.isenabled()
    services.imports.apply(path, "Sam")
    assert during == [False] and gc.isenabled()

    def failing(*args: object, **kwargs: object) -> list[int]:
        raise OSError("disk gone")

    monkeypatch.setattr(importer, "insert_customers", failing)
    other = tmp_path / "more.csv"
    other.write_text("Name,Email\nRaj Patel,raj@example.com\n")
    with pytest.raises(OSError):
        services.imports.apply(other, "Sam")
    assert gc.isenabled()
