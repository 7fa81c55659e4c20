"""The calendar dialog: settings saved through the runner, the password only in the keyring."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from keyring.errors import NoKeyringError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from careapp.context import calendar_service
from careapp.services.shop.secrets import SERVICE, SecretStore, account
from careapp.ui.calendar.jobs import CalendarJobs
from careapp.ui.calendar.settings_dialog import CalendarDialog

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.ui.runner import Runner

PASSWORD = "Zq-only-in-the-keyring-7319"
URL = "https://dav.example.invalid/shop/care/"


class MemoryKeyring:
    def __init__(self) -> None:
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


class NoKeyring:
    def get_password(self, service: str, username: str) -> str | None:
        raise NoKeyringError("no backend")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NoKeyringError("no backend")

    def delete_password(self, service: str, username: str) -> None:
        raise NoKeyringError("no backend")


def open_dialog(qtbot: QtBot, runner: Runner, jobs: CalendarJobs) -> CalendarDialog:
    loaded = jobs.load()
    dialog = CalendarDialog(loaded.settings, loaded.last_sync, runner, jobs, ask=lambda _parent: "")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def fill(qtbot: QtBot, dialog: CalendarDialog, feed: Path) -> None:
    dialog.kind_boxes[next(iter(dialog.kind_boxes))].setChecked(False)  # no birthdays
    dialog.days.setValue(45)
    dialog.include_phone.setChecked(True)
    dialog.feed_path.setText(str(feed))
    dialog.url.setText(URL)
    dialog.user.setText("shop")
    qtbot.keyClicks(dialog.password, PASSWORD)


def files_holding(folder: Path, text: str) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and text.encode() in p.read_bytes()]


def test_privacy_opt_ins_start_off_and_every_control_has_a_name(
    qtbot: QtBot, threaded_runner: Runner, services: Services
) -> None:
    dialog = open_dialog(qtbot, threaded_runner, CalendarJobs(services, SecretStore(MemoryKeyring())))
    for box in (dialog.include_phone, dialog.include_email, dialog.include_notes, dialog.alarm_on):
        assert not box.isChecked()
    assert not dialog.alarm_minutes.isEnabled()
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QLineEdit

    controls = dialog.findChildren(QAbstractButton) + dialog.findChildren(QLineEdit)
    controls += dialog.findChildren(QAbstractSpinBox)
    for control in controls:
        if control.parent() is not None and isinstance(control.parent(), QAbstractSpinBox):
            continue  # a spin box's own line edit
        assert control.accessibleName(), control


def test_save_sends_the_password_to_the_keyring_only(
    qtbot: QtBot, threaded_runner: Runner, services: Services, data_dir: Path, tmp_path: Path
) -> None:
    keyring = MemoryKeyring()
    dialog = open_dialog(qtbot, threaded_runner, CalendarJobs(services, SecretStore(keyring)))
    fill(qtbot, dialog, tmp_path / "care.ics")
    with qtbot.waitSignal(dialog.finished, timeout=10_000) as finished:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert finished.args == [QDialog.DialogCode.Accepted.value]

    assert keyring.passwords == {(SERVICE, account(URL, "shop")): PASSWORD}
    saved = calendar_service(services).calendar_settings()
    assert (saved.days, saved.include_phone, saved.caldav_url, saved.caldav_user) == (45, True, URL, "shop")
    assert "birthdays" not in saved.kinds
    assert saved.feed_path == str(tmp_path / "care.ics")
    assert PASSWORD not in repr(saved)
    services.db.engine.dispose()  # everything on disk, WAL included
    assert files_holding(data_dir, PASSWORD) == []
    assert dialog.password.text() == ""


def test_without_a_keyring_the_sentence_is_shown_and_the_password_kept_for_the_session(
    qtbot: QtBot, threaded_runner: Runner, services: Services, data_dir: Path, tmp_path: Path
) -> None:
    jobs = CalendarJobs(services, SecretStore(NoKeyring()))
    dialog = open_dialog(qtbot, threaded_runner, jobs)
    fill(qtbot, dialog, tmp_path / "care.ics")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.keep_without_keyring.isVisible(), timeout=10_000)

    assert "No system keyring is available" in dialog.error.text()
    assert "use the .ics file or the feed" in dialog.error.text()
    assert PASSWORD not in dialog.error.text()
    assert dialog.isVisible()  # the owner chooses
    assert calendar_service(services).calendar_settings().caldav_url == URL
    assert jobs.session.get_password(SERVICE, account(URL, "shop")) == PASSWORD
    services.db.engine.dispose()
    assert files_holding(data_dir, PASSWORD) == []
    with qtbot.waitSignal(dialog.finished) as finished:
        qtbot.mouseClick(dialog.keep_without_keyring, Qt.MouseButton.LeftButton)
    assert finished.args == [QDialog.DialogCode.Accepted.value]


def test_find_calendar_without_a_password_shows_the_sentence(
    qtbot: QtBot, threaded_runner: Runner, services: Services
) -> None:
    dialog = open_dialog(qtbot, threaded_runner, CalendarJobs(services, SecretStore(MemoryKeyring())))
    dialog.url.setText("https://dav.example.invalid/")
    dialog.user.setText("shop")
    dialog.calendar_name.setText("Care")
    qtbot.mouseClick(dialog.find_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert "password is not in the system keyring" in dialog.error.text()
    assert dialog.find_button.isEnabled()


def test_sync_now_without_caldav_writes_the_feed(
    qtbot: QtBot, threaded_runner: Runner, services: Services, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, threaded_runner, CalendarJobs(services, SecretStore(MemoryKeyring())))
    feed = tmp_path / "care.ics"
    dialog.feed_path.setText(str(feed))
    with qtbot.waitSignal(dialog.synced, timeout=10_000):
        qtbot.mouseClick(dialog.sync_button, Qt.MouseButton.LeftButton)
    assert feed.read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert dialog.sync_result.text() == "Calendar feed written."


def test_test_connection_failure_shows_the_sentence(
    qtbot: QtBot, threaded_runner: Runner, services: Services
) -> None:
    from tests.calendar.calendar_servers import free_port

    dialog = open_dialog(qtbot, threaded_runner, CalendarJobs(services, SecretStore(MemoryKeyring())))
    address = f"http://127.0.0.1:{free_port()}/shop/care/"
    dialog.url.setText(address)
    dialog.user.setText("shop")
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=30_000)
    assert dialog.error.text().startswith(f"Could not reach the CalDAV server at {address}")
    assert PASSWORD not in dialog.error.text()
    assert dialog.test_button.isEnabled()


@pytest.mark.parametrize("name", ["&Save", "&Find calendar", "&Test connection", "S&ync now"])
def test_buttons_have_mnemonics(qtbot: QtBot, sync_runner: Runner, services: Services, name: str) -> None:
    dialog = open_dialog(qtbot, sync_runner, CalendarJobs(services, SecretStore(MemoryKeyring())))
    texts = [
        b.text() for b in (dialog.save_button, dialog.find_button, dialog.test_button, dialog.sync_button)
    ]
    assert name in texts


@pytest.mark.slow  # a Radicale process
def test_find_calendar_and_sync_now_against_a_real_radicale(
    qtbot: QtBot, threaded_runner: Runner, services: Services, data_dir: Path, tmp_path: Path
) -> None:
    from careapp.domain.customer import CustomerDraft, PartialDate
    from tests.calendar.calendar_servers import PASSWORD as SERVER_PASSWORD
    from tests.calendar.calendar_servers import USER, Radicale

    folder = tmp_path / "radicale"
    folder.mkdir()
    server = Radicale(folder)
    server.start()
    try:
        server.make_calendar()
        draft = CustomerDraft(first_name="Ann", last_name="Lee", birthday=PartialDate(12, 5))
        services.customers.create(draft, "test")
        keyring = MemoryKeyring()
        dialog = open_dialog(qtbot, threaded_runner, CalendarJobs(services, SecretStore(keyring)))
        dialog.kind_boxes[next(iter(dialog.kind_boxes))].setChecked(True)
        dialog.url.setText(server.base)
        dialog.user.setText(USER)
        dialog.calendar_name.setText("Care")
        qtbot.keyClicks(dialog.password, SERVER_PASSWORD)
        qtbot.mouseClick(dialog.find_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Found the calendar" in dialog.sync_result.text(), timeout=30_000)
        assert dialog.url.text() == server.calendar_url
        assert keyring.passwords == {(SERVICE, account(server.calendar_url, USER)): SERVER_PASSWORD}

        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.sync_result.text().startswith("Connected to"), timeout=30_000)
        assert not dialog.error.isVisible()

        with qtbot.waitSignal(dialog.synced, timeout=30_000) as synced:
            qtbot.mouseClick(dialog.sync_button, Qt.MouseButton.LeftButton)
        summary = str(synced.args[0])
        assert summary.startswith("CalDAV sync: "), summary
        assert "Stopped" not in summary
        assert any("Ann" in text for text in server.objects().values())
        services.db.engine.dispose()
        assert files_holding(data_dir, SERVER_PASSWORD) == []
    finally:
        server.stop()


def test_sync_now_without_a_keyring_explains_then_asks_for_the_password(
    qtbot: QtBot, threaded_runner: Runner, services: Services, tmp_path: Path
) -> None:
    asked: list[str] = []

    def ask(_parent: object) -> str:
        asked.append("password")
        return PASSWORD

    jobs = CalendarJobs(services, SecretStore(NoKeyring()))
    loaded = jobs.load()
    dialog = CalendarDialog(loaded.settings, loaded.last_sync, threaded_runner, jobs, ask=ask)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.url.setText("http://127.0.0.1:9/care/")
    dialog.user.setText("shop")
    with qtbot.waitSignal(dialog.synced, timeout=30_000):
        qtbot.mouseClick(dialog.sync_button, Qt.MouseButton.LeftButton)
    assert "No system keyring is available" in dialog.error.text()
    assert dialog.keep_without_keyring.isVisible()
    assert asked == []
    with qtbot.waitSignal(dialog.synced, timeout=30_000):
        qtbot.mouseClick(dialog.sync_button, Qt.MouseButton.LeftButton)
    assert asked == ["password"]
    assert jobs.session.get_password(SERVICE, account("http://127.0.0.1:9/care/", "shop")) == PASSWORD


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("sam@gmail.com", "is an email address"),
        ("cloud.example.com/remote.php/dav", "starts with https://"),
        ("https://calendar.google.com/calendar", "Google Calendar and Outlook.com"),
    ],
)
def test_an_address_that_is_not_a_caldav_one_gets_a_sentence_and_stays_typed(
    qtbot: QtBot, threaded_runner: Runner, services: Services, typed: str, said: str
) -> None:
    """Issue 18: `sam@gmail.com` gave "Could not reach … (MissingSchema)"."""
    dialog = open_dialog(qtbot, threaded_runner, CalendarJobs(services, SecretStore(MemoryKeyring())))
    dialog.url.setText(typed)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert said in dialog.error.text()
    assert "MissingSchema" not in dialog.error.text()
    assert dialog.isVisible() and dialog.url.text() == typed
    assert calendar_service(services).calendar_settings().caldav_url == ""


def test_at_1024x600_with_an_error_shown_no_field_lies_over_another(
    qtbot: QtBot, threaded_runner: Runner, services: Services
) -> None:
    dialog = open_dialog(qtbot, threaded_runner, CalendarJobs(services, SecretStore(MemoryKeyring())))
    dialog.resize(1000, 560)
    dialog.url.setText("sam@gmail.com")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert dialog.width() <= 1024 and dialog.height() <= 600
    fields = [*dialog.kind_boxes.values(), dialog.days, dialog.include_phone, dialog.include_email,
              dialog.include_notes, dialog.alarm_on]  # fmt: skip
    boxes = [f.geometry().translated(f.parentWidget().mapTo(dialog, f.pos()) - f.pos()) for f in fields]
    for field, box in zip(fields, boxes, strict=True):
        assert box.height() >= field.minimumSizeHint().height(), field.accessibleName()
    for i, box in enumerate(boxes):
        for other in boxes[i + 1 :]:
            assert not box.intersects(other)
