"""Logging to a rotating file in the user's log folder."""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
from pathlib import Path
from typing import cast

from careapp.config import LOG_FILE, ensure_private_dir
from careapp.redact import RedactingFilter


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are readable by the user only (0600), the rotated ones too."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return cast(io.TextIOWrapper, os.fdopen(fd, self.mode, encoding=self.encoding, errors=self.errors))


def setup_logging(log_dir: Path, console: bool = True) -> Path:
    """Log to ``log_dir`` (0700, files 0600); every line passes through the password redactor."""
    ensure_private_dir(log_dir)
    path = log_dir / LOG_FILE
    handler = PrivateRotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for existing in list(root.handlers):
        if isinstance(existing, logging.handlers.RotatingFileHandler):
            root.removeHandler(existing)
            existing.close()
    root.addHandler(handler)
    if console and not any(type(h) is logging.StreamHandler for h in root.handlers):
        stream = logging.StreamHandler()
        stream.setLevel(logging.WARNING)
        stream.addFilter(RedactingFilter())
        root.addHandler(stream)
    return path
