"""An erased customer's events leave the CalDAV calendar at the next sync (a real Radicale, the password
in a real Secret Service), and the feed file is rewritten without them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import keyring.backends.SecretService
import pytest
from calendar_servers import PASSWORD, USER, Radicale
from privacy_people import NAME, OWNER, People, make_people
from sqlalchemy import func, select

from careapp.cli import main
from careapp.context import Services, calendar_service
from careapp.db.models import CalDavStateRecord
from careapp.services.calendar.sync import CalDavSync
from careapp.services.shop.secrets import SecretStore

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only]


def server_text(radicale: Radicale) -> str:
    return "\n".join(radicale.objects().values())


def test_the_next_sync_deletes_her_events_on_the_server(
    services: Services, tmp_path: Path, radicale: Radicale, secret_env: dict[str, str]
) -> None:
    people: People = make_people(services, tmp_path)
    calendar = calendar_service(services)
    feed = tmp_path / "feed.ics"
    settings = calendar.calendar_settings()
    calendar.save_calendar_settings(
        replace(settings, caldav_url=radicale.calendar_url, caldav_user=USER, feed_path=str(feed))
    )
    secrets = SecretStore(backend=keyring.backends.SecretService.Keyring(), timeout=20)
    secrets.set(radicale.calendar_url, USER, PASSWORD)
    sync = CalDavSync(services.db, services.clock, calendar, secrets)
    first = sync.sync()
    assert first.error is None, first.error
    calendar.write_feed()
    mine = [s for s in ("Birthday: Zoë Q.", "Call back: Zoë Q.") if s in server_text(radicale)]
    assert len(mine) == 2, server_text(radicale)
    others = len(radicale.objects())
    assert others == first.created
    assert "Zoë" in feed.read_text(encoding="utf-8")

    report = services.guard.erase_customer(OWNER, people.zoe, "asked by letter")
    gone = report.counts["calendar_item"]
    with services.db.session() as session:  # the state stays until the server has deleted them
        assert session.scalar(select(func.count()).select_from(CalDavStateRecord)) == others

    after = sync.sync()
    assert after.error is None, after.error
    assert after.deleted == gone
    assert "Zoë" not in server_text(radicale)
    assert "Quillfeather" not in server_text(radicale)
    assert len(radicale.objects()) == others - gone
    with services.db.session() as session:
        assert session.scalar(select(func.count()).select_from(CalDavStateRecord)) == others - gone
    calendar.write_feed()
    assert "Zoë" not in feed.read_text(encoding="utf-8")
    assert NAME not in feed.read_text(encoding="utf-8")


def test_the_cli_erase_rewrites_the_feed(
    services: Services, tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    people = make_people(services, tmp_path)
    calendar = calendar_service(services)
    feed = tmp_path / "feed.ics"
    calendar.save_calendar_settings(replace(calendar.calendar_settings(), feed_path=str(feed)))
    calendar.write_feed()
    assert "Zoë" in feed.read_text(encoding="utf-8")
    args = ["--data-dir", str(data_dir), "erase", "customer", str(people.zoe), "--reason", "by letter"]
    assert main([*args, "--yes"]) == 0  # before a staff list exists, as the computer's user
    assert f"Rewrote the calendar feed {feed} without them." in capsys.readouterr().out
    assert "Zoë" not in feed.read_text(encoding="utf-8")
