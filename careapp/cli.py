"""The ``careapp`` command: the desktop app by default, headless commands (careapp.commands).

Opening the window is the common case and the one somebody waits for, so it does not build the
whole command line parser or import the commands: ``careapp``, ``careapp gui`` and either with
``--data-dir DIR`` go straight to the app. Anything else (``--help``, a command, a mistake) goes
through the full parser.
"""

from __future__ import annotations

import os
import sys

_DATA_DIR = "--data-dir"


class _NotTheWindow(Exception):
    """The arguments ask for more than the window: the full parser deals with them."""


def window_data_dir(argv: list[str]) -> str | None:
    """The ``--data-dir`` of arguments that only open the window (None: the default folder).

    Raises _NotTheWindow for anything else. Accepts what argparse would: the option before or after
    ``gui``, as ``--data-dir DIR`` or ``--data-dir=DIR``, the last one winning.
    """
    data_dir: str | None = None
    words = list(argv)
    seen_gui = False
    while words:
        word = words.pop(0)
        if word == "gui" and not seen_gui:
            seen_gui = True
        elif word == _DATA_DIR and words and not words[0].startswith("-"):
            data_dir = words.pop(0)
        elif word.startswith(_DATA_DIR + "="):
            data_dir = word.split("=", 1)[1]
        else:
            raise _NotTheWindow(word)
    return data_dir


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    try:
        data_dir = window_data_dir(arguments)
    except _NotTheWindow:
        return _run_command(arguments)
    from careapp.app import run_gui

    return run_gui(data_dir)


# What a shell reports for a program stopped by Ctrl+C (SIGINT) or by a closed pipe (SIGPIPE).
EXIT_INTERRUPTED = 128 + 2
EXIT_PIPE_CLOSED = 128 + 13


def _run_command(arguments: list[str]) -> int:
    """A headless command; Ctrl+C and a reader that stops early end it with a sentence or quietly,
    never a traceback. Either leaves the database as it was before the unfinished write: every write
    is a transaction (careapp.db.database), rolled back by the interruption."""
    try:
        from careapp.commands import main as run_command

        return run_command(arguments)
    except KeyboardInterrupt:
        print("\ncareapp: stopped (Ctrl+C); what was not finished was not saved.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `careapp agenda | head`: the reader has what it wanted. Python would hit the closed pipe
        # again when it flushes stdout at exit, so stdout goes nowhere from here on.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE_CLOSED


if __name__ == "__main__":
    sys.exit(main())
