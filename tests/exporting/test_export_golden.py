"""Every customer export, byte for byte what careapp wrote before its reads were changed for speed
(issue 20): the files in golden/ were written by :func:`export_demo` with the code of commit 082a0ce,
on the seeded demo shop below (20 customers with referrals, consent answers, dates, tags and purchases,
on a fixed clock). Run ``python tests/exporting/test_export_golden.py OUT`` to write them again."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
NOW = dt.datetime(2026, 11, 23, 9, 0)


def export_demo(folder: Path, out: Path) -> None:
    from careapp.config import resolve_paths
    from careapp.context import build_services
    from careapp.services.customers.exporter import ExportService
    from careapp.services.demo.customers import DemoSpec, fill_demo

    out.mkdir(parents=True, exist_ok=True)
    services = build_services(resolve_paths(str(folder)), clock=lambda: NOW)
    try:
        fill_demo(services.db, DemoSpec(customers=20, seed=5), NOW)
        for export_format in ("csv", "vcard", "json"):
            ExportService(services.db, services.customers).export_customers(
                out / f"demo.{export_format}", export_format
            )
    finally:
        services.close()


@pytest.mark.parametrize("export_format", ["csv", "vcard", "json"])
def test_the_export_is_what_careapp_wrote_before(tmp_path: Path, export_format: str) -> None:
    export_demo(tmp_path / "shop", tmp_path / "out")
    assert (tmp_path / "out" / f"demo.{export_format}").read_bytes() == (
        GOLDEN / f"demo.{export_format}"
    ).read_bytes()


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        export_demo(Path(scratch), Path(sys.argv[1]))
