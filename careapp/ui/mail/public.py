"""The public face of careapp.ui.mail: the window's mail actions (settings and the Outbox)."""

from __future__ import annotations

from careapp.ui.mail.controller import MailController

__all__ = ["MailController"]
