"""Logging to a rotating file in the user's log folder."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from careapp.config import ensure_private_dir

LOG_FILE = "careapp.log"


def setup_logging(log_dir: Path, console: bool = True) -> Path:
    ensure_private_dir(log_dir)
    path = log_dir / LOG_FILE
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
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
        root.addHandler(stream)
    return path
