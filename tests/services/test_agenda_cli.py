"""``careapp agenda``: the care queue on a fixed date, as text and as JSON, run as a user would."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from careapp.cli import main
from careapp.context import Services
from careapp.db.models import TouchRecord
from careapp.domain.care_queue import CareSettings
from careapp.domain.customer import (
    Channel,
    ConsentEvent,
    CustomerDraft,
    EmailAddress,
    PartialDate,
    PhoneNumber,
)
from careapp.domain.tickets import Outcome
from careapp.services.shop.staff import Actor
from careapp.services.tickets.service import ContactInput, NewTicket


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def shop(services: Services, data_dir: Path) -> dict[str, int]:
    """Ann's birthday today; a callback promised to Cat tomorrow at 14:00; Dan's birthday held by his
    open ticket; Bob's birthday held for want of consent; Cat's birthday beyond the next 7 days."""
    services.touches.save_care_settings(Actor("setup"), CareSettings(timezone="Europe/London"))
    now = services.clock()

    def customer(first: str, last: str, birthday: PartialDate, consent: bool = True) -> int:
        draft = CustomerDraft(
            first_name=first,
            last_name=last,
            emails=[EmailAddress(f"{first.lower()}@example.com")],
            phones=[PhoneNumber("07700 900123", "+447700900123")] if first == "Cat" else [],
            birthday=birthday,
        )
        customer_id = services.customers.create(draft, "test").id
        if consent:
            services.customers.record_consent(customer_id, ConsentEvent(Channel.EMAIL, True, now))
        return customer_id

    ids = {
        "ann": customer("Ann", "Evans", PartialDate(11, 23, 1986)),
        "bob": customer("Bob", "Jones", PartialDate(11, 26), consent=False),
        "cat": customer("Cat", "Smith", PartialDate(12, 10)),
        "dan": customer("Dan", "Brown", PartialDate(11, 25)),
    }
    services.tickets.log_contact(
        Actor("Sam"),
        ids["cat"],
        ContactInput(
            summary="Grinder noise",
            outcome=Outcome.CALLBACK_PROMISED,
            callback_at=dt.datetime(2026, 11, 24, 14, 0),
        ),
    )
    services.tickets.log_contact(Actor("Sam"), ids["dan"], ContactInput(new_ticket=NewTicket("Grinder")))
    return ids


def test_agenda_text_on_a_fixed_date(
    capsys: pytest.CaptureFixture[str], data_dir: Path, shop: dict[str, int]
) -> None:
    code, out, err = run(capsys, "--data-dir", str(data_dir), "agenda", "--from", "2026-11-23")
    assert (code, err) == (0, "")
    ann, bob, cat, dan = shop["ann"], shop["bob"], shop["cat"], shop["dan"]
    assert out == (
        "Care queue for 23 November 2026, up to 30 November 2026\n"
        "\n"
        "Today (1)\n"
        f"  2026-11-23        Ann Evans (#{ann})  Birthday greeting: turns 40  [email]\n"
        "\n"
        "Next 7 days (1)\n"
        f"  2026-11-24 14:00  Cat Smith (#{cat})  Callback: Grinder noise  [phone]\n"
        "\n"
        "Held (2)\n"
        f"  2026-11-25        Dan Brown (#{dan})  Birthday greeting  [email]\n"
        "                    On hold while Dan Brown's complaint is open.\n"
        f"  2026-11-26        Bob Jones (#{bob})  Birthday greeting  [no channel yet]\n"
        "                    No consent yet to contact Bob Jones by email; "
        "it goes ahead if consent is given.\n"
    )


def test_agenda_json_on_a_fixed_date_and_again_without_duplicates(
    capsys: pytest.CaptureFixture[str], data_dir: Path, shop: dict[str, int], services: Services
) -> None:
    args = ("--data-dir", str(data_dir), "agenda", "--from", "2026-11-23", "--days", "30", "--format", "json")
    code, out, _ = run(capsys, *args)
    assert code == 0
    items = json.loads(out)
    touch_ids = [item.pop("touch_id") for item in items]
    assert len(set(touch_ids)) == len(items) and all(isinstance(t, int) for t in touch_ids)
    common = {"due_at": None, "reason": None, "snoozed_until": None, "status": "queued", "kind": "birthday"}
    assert items == [
        {
            **common,
            "customer_id": shop["ann"],
            "customer_name": "Ann Evans",
            "title": "Birthday greeting: turns 40",
            "due": "2026-11-23",
            "section": "today",
            "channel": "email",
        },
        {
            **common,
            "customer_id": shop["cat"],
            "customer_name": "Cat Smith",
            "kind": "callback",
            "title": "Callback: Grinder noise",
            "due": "2026-11-24",
            "due_at": "2026-11-24T14:00:00+00:00",
            "section": "next_7_days",
            "channel": "phone",
        },
        {
            **common,
            "customer_id": shop["cat"],
            "customer_name": "Cat Smith",
            "title": "Birthday greeting",
            "due": "2026-12-10",
            "section": "next_30_days",
            "channel": "email",
        },
        {
            **common,
            "customer_id": shop["dan"],
            "customer_name": "Dan Brown",
            "title": "Birthday greeting",
            "due": "2026-11-25",
            "section": "held",
            "channel": "email",
            "status": "held",
            "reason": "On hold while Dan Brown's complaint is open.",
        },
        {
            **common,
            "customer_id": shop["bob"],
            "customer_name": "Bob Jones",
            "title": "Birthday greeting",
            "due": "2026-11-26",
            "section": "held",
            "channel": None,
            "status": "held",
            "reason": "No consent yet to contact Bob Jones by email; it goes ahead if consent is given.",
        },
    ]
    code, again, _ = run(capsys, *args)
    assert code == 0 and [i.pop("touch_id") for i in json.loads(again)] == touch_ids
    with services.db.session() as session:
        assert session.scalar(select(func.count()).select_from(TouchRecord)) == 5


def test_agenda_days_zero_and_out_of_range(
    capsys: pytest.CaptureFixture[str], data_dir: Path, shop: dict[str, int]
) -> None:
    code, out, _ = run(
        capsys,
        "--data-dir",
        str(data_dir),
        "agenda",
        "--from",
        "2026-11-23",
        "--days",
        "0",
        "--format",
        "json",
    )
    assert code == 0
    assert [(i["customer_name"], i["section"]) for i in json.loads(out)] == [("Ann Evans", "today")]
    with pytest.raises(SystemExit) as exited:
        run(capsys, "--data-dir", str(data_dir), "agenda", "--days", "31")
    assert exited.value.code == 2
    assert "the agenda shows 0 to 30 days ahead" in capsys.readouterr().err


def test_agenda_on_an_empty_shop_says_so(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "agenda", "--from", "2026-11-23", "--days", "3")
    assert code == 0
    assert out == (
        "Care queue for 23 November 2026, up to 26 November 2026\n"
        "\n"
        "Nothing is due: the care queue is empty.\n"
    )


def test_demo_gives_the_queue_articles_to_offer(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = str(tmp_path / "demo")
    code, out, _ = run(capsys, "--data-dir", folder, "demo", "--customers", "200", "--seed", "3")
    assert code == 0 and "Added 6 demo articles to the content library." in out
    code, out, _ = run(capsys, "--data-dir", folder, "demo", "--customers", "1", "--seed", "4")
    assert code == 0 and "demo articles" not in out  # the same articles are not added twice
    code, out, _ = run(capsys, "--data-dir", folder, "agenda", "--days", "30", "--format", "json")
    assert code == 0
    kinds = {item["kind"] for item in json.loads(out)}
    assert "article_share" in kinds and "birthday" in kinds


@pytest.mark.parametrize("days", [0, 1, 7, 30])
def test_the_streamed_agenda_is_the_whole_queue_cut_to_the_days_asked(
    services: Services, clock: list[dt.datetime], monkeypatch: pytest.MonkeyPatch, days: int
) -> None:
    """``careapp agenda`` reads only the days asked for, a page at a time (issue 14); what it writes is
    exactly the old output over the whole queue, in text and in JSON (pages of 3 here, so every
    section is read in several pages)."""
    import io
    import json

    from careapp.services.care import agenda
    from tests.services.test_care_incremental import demo_shop

    demo_shop(services, clock, 80)
    monkeypatch.setattr(agenda, "AGENDA_PAGE", 3)
    day = clock[0].date()
    whole = services.care_queue.queue(day)
    until = day + dt.timedelta(days=days)
    first = services.care_queue.queue(day, page=3, until=until, names_only=True)  # as the command does
    asked: list[tuple[str, int, int]] = []

    def more(key: str, offset: int, limit: int) -> tuple[agenda.QueueEntry, ...]:
        asked.append((key, offset, limit))
        return services.care_queue.section(key, offset, limit, day, until, names_only=True)

    for as_json in (False, True):
        out = io.StringIO()
        agenda.write_agenda(out, first, more, days, as_json, None)
        if as_json:
            expected = json.dumps(agenda.agenda_json(whole, days), indent=2, ensure_ascii=False) + "\n"
            assert out.getvalue() == expected
            assert json.loads(out.getvalue()) == agenda.agenda_json(whole, days)
        else:
            assert out.getvalue() == agenda.agenda_text(whole, days, None)
    assert asked  # the sections longer than a page were read in pages
    if days <= 7:
        assert all(key != "next_30_days" for key, _, _ in asked)  # the month ahead is never read

    # Listing at most 2 of each section: the same text as the whole queue's, and no page read for it.
    asked.clear()
    out = io.StringIO()
    agenda.write_agenda(out, first, more, days, False, 2)
    assert out.getvalue() == agenda.agenda_text(whole, days, 2)
    assert asked == []
    longest = max(len(entries) for _, entries in agenda.agenda_sections(whole, days))
    if longest > 2:
        assert f"... and {longest - 2:,} more (careapp agenda --all lists every one)" in out.getvalue()


def test_the_text_agenda_lists_the_first_of_a_long_section_and_all_with_all(
    capsys: pytest.CaptureFixture[str], data_dir: Path, shop: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from careapp.services.care import agenda

    monkeypatch.setattr(agenda, "SHOWN_AT_MOST", 1)
    args = ("--data-dir", str(data_dir), "agenda", "--from", "2026-11-23")
    code, out, _ = run(capsys, *args)
    assert code == 0
    held = out.split("Held (2)\n", 1)[1]
    assert "Dan Brown" in held and "Bob Jones" not in held
    assert "  ... and 1 more (careapp agenda --all lists every one)\n" in held
    code, everything, _ = run(capsys, *args, "--all")
    assert code == 0 and "Bob Jones" in everything.split("Held (2)\n", 1)[1] and "... and" not in everything
    code, as_json, _ = run(capsys, *args, "--format", "json")
    assert code == 0 and len([e for e in json.loads(as_json) if e["section"] == "held"]) == 2
