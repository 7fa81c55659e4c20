"""Command-line input that cannot be used, said in sentences: a ``--mapping`` that is not a JSON
object of headers to fields, and a file that is missing, a folder or unreadable (the OS's own text,
"[Errno 2] No such file or directory", is not something to show a shop owner)."""

from __future__ import annotations

import argparse
import errno
import json
from pathlib import Path


def mapping_argument(text: str) -> dict[str, str]:
    """An argparse type: ``{"Header": "field", ...}``; argparse turns the refusal into exit 2."""
    example = '\'{"Customer name": "full_name", "Mail": "email"}\''
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(
            f"this is not JSON ({error.msg} at character {error.pos + 1}); write it like {example}"
        ) from None
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(target, str) for key, target in value.items()
    ):
        raise argparse.ArgumentTypeError(
            f"give each column's header and the field it goes to, as text, like {example}"
        )
    return value


def reading_problem(error: OSError, path: Path) -> str:
    """Why ``path`` could not be read, in words."""
    if error.errno == errno.ENOENT:
        return f"there is no file {path}; check the name and the folder."
    if error.errno == errno.EISDIR or path.is_dir():
        return f"{path} is a folder, not a file; choose a file in it."
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"{path} cannot be read: you are not allowed to open it. Check its permissions."
    return f"{path} cannot be read ({error.strerror or type(error).__name__})."


def count_argument(text: str) -> int:
    """An argparse type: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is less than nothing; give 0 or more")
    return value


def data_dir_problem(folder: Path) -> str | None:
    """Why ``folder`` cannot hold careapp's data, or None (a missing folder is made later)."""
    if folder.exists() and not folder.is_dir():
        return f"{folder} is not a folder, so it cannot hold careapp's data; name a folder with --data-dir."
    return None
