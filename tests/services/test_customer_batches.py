"""Reading customers a batch at a time (the export of every customer) gives exactly what reading them
one by one gives: the customer with their emails, phones, dates, tags, consents and referrer, their
purchases and consent history, in the order asked, leaving out a customer deleted meanwhile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from careapp.context import Services
from careapp.services.customers import batches as customer_batches
from careapp.services.customers.batches import customers_in_batches
from careapp.services.customers.exporter import ExportService
from careapp.services.demo.customers import DemoSpec, fill_demo


@pytest.fixture
def demo(services: Services, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    fill_demo(services.db, DemoSpec(customers=60, seed=5), services.clock())
    monkeypatch.setattr(customer_batches, "BATCH", 7)  # several batches, the last one short
    return services.customers.search_ids("")


def test_a_batch_read_is_the_one_by_one_read(services: Services, demo: list[int]) -> None:
    customers = services.customers
    ids = list(reversed(demo))  # the order asked for, not the table's
    deleted = ids.pop(10)
    customers.delete(deleted)
    ids.insert(10, deleted)

    read = [one for batch in customers_in_batches(services.db, ids, with_history=True) for one in batch]

    assert [one.customer.id for one in read] == [i for i in ids if i != deleted]
    for one in read:
        assert one.customer == customers.get(one.customer.id)
        assert one.purchases == customers.purchases(one.customer.id)
        assert one.consent_history == customers.consent_history(one.customer.id)
    assert any(one.customer.referred_by_name for one in read)  # the demo has referrals: they came through
    assert any(one.purchases for one in read) and any(one.consent_history for one in read)


def test_without_history_only_the_customers_are_read(services: Services, demo: list[int]) -> None:
    read = [one for batch in customers_in_batches(services.db, demo) for one in batch]
    assert [one.customer.id for one in read] == demo
    assert all(one.purchases == [] and one.consent_history == [] for one in read)


def test_the_json_export_holds_every_customer_with_their_history(
    services: Services, demo: list[int], tmp_path: Path
) -> None:
    target = tmp_path / "everyone.json"
    assert ExportService(services.db, services.customers).export_customers(target, "json") == len(demo)
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert [c["id"] for c in exported] == demo
    for customer in exported:
        assert len(customer["purchases"]) == len(services.customers.purchases(customer["id"]))


@pytest.mark.parametrize("export_format", ["csv", "vcard", "json"])
def test_a_streamed_export_is_the_whole_list_written_at_once(
    services: Services, demo: list[int], tmp_path: Path, export_format: str
) -> None:
    """Written a batch at a time, the file is byte for byte what the one-shot writers make of every
    customer read one by one."""
    from careapp.exporting import customer_to_json, customers_to_csv, customers_to_vcard

    customers = [services.customers.get(i) for i in demo]
    target = tmp_path / f"everyone.{export_format}"
    assert ExportService(services.db, services.customers).export_customers(target, export_format) == len(demo)
    if export_format == "csv":
        expected = ("\ufeff" + customers_to_csv(customers)).encode("utf-8")
    elif export_format == "vcard":
        expected = customers_to_vcard(customers).encode("utf-8")
    else:
        documents = [
            customer_to_json(c, services.customers.purchases(c.id), services.customers.consent_history(c.id))
            for c in customers
        ]
        expected = json.dumps(documents, indent=2, ensure_ascii=False).encode("utf-8")
    assert target.read_bytes() == expected


@pytest.mark.parametrize(
    "documents",
    [[], [{}], [{"a": [1, {"b": "two\nlines"}], "c": []}, {"d": None, "é": "ü"}], [[], {"x": {}}]],
)
def test_the_json_list_is_written_as_json_dumps_writes_it(documents: list, tmp_path: Path) -> None:
    import io

    from careapp.exporting import write_json_list

    handle = io.StringIO()
    assert write_json_list(iter(documents), handle) == len(documents)
    assert handle.getvalue() == json.dumps(documents, indent=2, ensure_ascii=False)


def test_an_export_that_fails_half_way_leaves_the_old_file(
    services: Services, demo: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "everyone.csv"
    target.write_text("the export of yesterday", encoding="utf-8")
    real_batch = customer_batches._batch
    calls = []

    def failing_batch(*args: object) -> object:
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk gone")
        return real_batch(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(customer_batches, "_batch", failing_batch)
    with pytest.raises(OSError):
        ExportService(services.db, services.customers).export_customers(target, "csv")
    assert target.read_text(encoding="utf-8") == "the export of yesterday"
    assert [p.name for p in target.parent.iterdir()] == ["everyone.csv"]  # no half-written file left


@pytest.mark.parametrize(
    ("export_format", "read"),
    [("csv", {"consents"}), ("vcard", set()), ("json", {"consents", "referrers", "purchases"})],
)
def test_an_export_reads_only_what_its_format_writes(
    services: Services,
    demo: list[int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    export_format: str,
    read: set[str],
) -> None:
    """A vCard has no consent and no referrer, a CSV no referrer's name: their rows are not read (the
    file is still the one the test above checks byte for byte)."""
    seen: set[str] = set()
    for name, what in (("_consent_events", "consents"), ("_names", "referrers"), ("_purchases", "purchases")):
        real = getattr(customer_batches, name)

        def spy(*args: object, _real: object = real, _what: str = what) -> object:
            seen.add(_what)
            return _real(*args)  # type: ignore[operator]

        monkeypatch.setattr(customer_batches, name, spy)

    ExportService(services.db, services.customers).export_customers(tmp_path / "out", export_format)

    assert seen == read


def test_the_garbage_collector_is_paused_while_an_export_runs_and_then_restored(
    services: Services, demo: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from careapp.services.customers import exporter

    during: list[bool] = []
    real = exporter.write_customers_csv

    def spy(*args: object) -> int:
        during.append(gc.isenabled())
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(exporter, "write_customers_csv", spy)
    assert gc.isenabled()
    ExportService(services.db, services.customers).export_customers(tmp_path / "a.csv", "csv")
    assert during == [False] and gc.isenabled()

    def failing(*args: object) -> int:
        raise OSError("disk gone")

    monkeypatch.setattr(exporter, "write_customers_csv", failing)
    with pytest.raises(OSError):
        ExportService(services.db, services.customers).export_customers(tmp_path / "b.csv", "csv")
    assert gc.isenabled()
    gc.disable()
    try:  # a caller that had it off keeps it off
        ExportService(services.db, services.customers).export_customers(tmp_path / "c.vcf", "vcard")
        assert not gc.isenabled()
    finally:
        gc.enable()
