"""A slow mail server holds up no database job of the window: a greeting sent with Ctrl+Enter, and a
Retry in the Outbox, run on the window's background runner, so a customer search submitted to the
window's runner meanwhile answers while the server still sits on the message. The order stays: the
message is in the Outbox before the server has it, and the touch is done only once it accepted."""

from __future__ import annotations

import asyncio
import dataclasses
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from aiosmtpd.controller import Controller
from PySide6.QtCore import QSettings

from careapp.domain.touches import TouchKind
from careapp.services.mail.outbox import OutboxMessage
from careapp.services.mail.settings import MailSettings
from careapp.ui.runner import ThreadedRunner
from tests.services import test_mail_smtp as smtp_kit
from tests.services.test_mail_smtp import Handler, MemoryKeyring
from tests.ui.test_mail_walk import birthday_customer, mail_for, touch_status

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from careapp.context import Services
    from careapp.services.care.queue import QueueEntry
    from careapp.ui.main_window import MainWindow
    from tests.ui.conftest import ScriptedPrompts

certificate = smtp_kit.certificate
USER, PASSWORD = smtp_kit.USER, smtp_kit.PASSWORD


@dataclasses.dataclass
class SlowHandler(Handler):
    """The real server's handler, except that it sits on each message until the test releases it, as
    a slow server does up to careapp's timeout."""

    data_started: threading.Event = dataclasses.field(default_factory=threading.Event)
    release: threading.Event = dataclasses.field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_started.set()
        released = await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 20)
        if not released:
            return "451 the test never released the message"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_smtp(certificate: tuple[Path, Path]) -> Iterator[tuple[Controller, SlowHandler]]:
    cert, key = certificate
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    handler = SlowHandler()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=smtp_kit._free_port(),
        tls_context=server_tls,
        require_starttls=True,
        authenticator=smtp_kit._authenticate,
        auth_require_tls=True,
    )
    controller.start()
    yield controller, handler
    handler.release.set()
    controller.stop()


@pytest.fixture
def background() -> Iterator[ThreadedRunner]:
    runner = ThreadedRunner(name="careapp-background")
    yield runner
    runner.shutdown()


@pytest.fixture
def mail_window(
    qtbot: QtBot,
    services: Services,
    threaded_runner: ThreadedRunner,
    background: ThreadedRunner,
    slow_smtp: tuple[Controller, SlowHandler],
    certificate: tuple[Path, Path],
    tmp_path: Path,
    prompts: ScriptedPrompts,
) -> Iterator[MainWindow]:
    from careapp.ui.main_window import MainWindow

    controller, _handler = slow_smtp
    mail = mail_for(services, MemoryKeyring(), certificate[0])
    mail.server_settings.save(
        MailSettings("127.0.0.1", controller.port, "starttls", USER, USER, "Bean There"), PASSWORD
    )
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(threaded_runner, settings, "Sam", prompts, background=background)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    window.attach_services(services, services.settings.shop())
    qtbot.waitUntil(lambda: window.list_panel.model is not None and window.list_panel.model.has_searched)
    qtbot.waitUntil(lambda: not background.is_busy() and not threaded_runner.is_busy(), timeout=20_000)
    yield window
    window.close()


def _birthday_in_the_queue(qtbot: QtBot, services: Services, window: MainWindow) -> QueueEntry:
    customer = birthday_customer(services, "ann@example.com")
    page = window.care.queue_page
    window.show_page(page)
    page.reload()

    def listed() -> list[QueueEntry]:
        return [e for e in page.model.entries() if e.kind is TouchKind.BIRTHDAY and e.customer_id == customer]

    qtbot.waitUntil(lambda: listed() != [], timeout=10_000)
    return listed()[0]


def _search_answers_meanwhile(
    qtbot: QtBot, services: Services, window: MainWindow, handler: SlowHandler
) -> None:
    """A search submitted to the window's runner (typed in the list, and one submitted directly)
    answers while the server still holds the message."""
    found: list[list[int]] = []
    window.runner.submit(lambda: services.customers.search_ids("Evans"), found.append)
    qtbot.waitUntil(lambda: found != [], timeout=5_000)
    assert found[0] != []
    model = window.list_panel.model
    assert model is not None
    window.show_page(window.splitter)
    qtbot.keyClicks(window.list_panel.search, "ann")
    expected = services.customers.search_ids("ann")
    qtbot.waitUntil(lambda: model.query == "ann" and model.rowCount() == len(expected), timeout=5_000)
    assert not handler.release.is_set() and handler.received == []  # the send is still held


def test_a_greeting_held_by_a_slow_server_does_not_delay_a_search(
    qtbot: QtBot,
    services: Services,
    mail_window: MainWindow,
    slow_smtp: tuple[Controller, SlowHandler],
    background: ThreadedRunner,
) -> None:
    _controller, handler = slow_smtp
    entry = _birthday_in_the_queue(qtbot, services, mail_window)
    page = mail_window.care.queue_page
    assert page.select_touch(entry.touch_id)
    dialog = page.write_message()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.loaded is not None and dialog.email_button.isEnabled())
    sent: list[object] = []
    dialog.sent.connect(sent.append)
    dialog.send_email()
    assert handler.data_started.wait(10), "the message should have reached the server"
    # Kept before sending: in the Outbox with its Message-ID, the touch still open.
    [kept] = services.mail.outbox.messages()
    assert (kept.state, kept.to, kept.touch_id) == ("sending", "ann@example.com", entry.touch_id)
    assert touch_status(services, entry.touch_id) == "open"
    assert background.is_busy()

    _search_answers_meanwhile(qtbot, services, mail_window, handler)
    assert touch_status(services, entry.touch_id) == "open"  # not done before the server accepted

    handler.release.set()
    qtbot.waitUntil(lambda: sent != [], timeout=10_000)
    [(_, recipients, _data)] = handler.received
    assert recipients == ["ann@example.com"]
    assert touch_status(services, entry.touch_id) == "done"
    assert services.mail.outbox.messages() == []


def test_a_retry_held_by_a_slow_server_does_not_delay_a_search(
    qtbot: QtBot,
    services: Services,
    mail_window: MainWindow,
    slow_smtp: tuple[Controller, SlowHandler],
    background: ThreadedRunner,
) -> None:
    _controller, handler = slow_smtp
    touch = _birthday_in_the_queue(qtbot, services, mail_window)
    # A greeting the server turned away earlier, waiting in the Outbox.
    services.mail.outbox.put(
        OutboxMessage(
            "<retry@x>",
            touch.touch_id,
            touch.customer_id,
            "ann@example.com",
            "Happy birthday",
            "Hi Ann",
            "failed",
            "421 try again later",
        )
    )
    outbox = mail_window.mail.open_outbox("<retry@x>")
    assert outbox is not None
    qtbot.waitUntil(lambda: outbox.model.rowCount() == 1 and outbox.retry_button.isEnabled())
    sent: list[object] = []
    outbox.sent.connect(sent.append)
    outbox.retry_button.click()
    assert handler.data_started.wait(10), "the retry should have reached the server"
    assert background.is_busy()

    _search_answers_meanwhile(qtbot, services, mail_window, handler)
    assert touch_status(services, touch.touch_id) == "open"

    handler.release.set()
    qtbot.waitUntil(lambda: sent != [], timeout=10_000)
    assert touch_status(services, touch.touch_id) == "done"
    assert [recipients for _, recipients, _ in handler.received] == [["ann@example.com"]]
