"""The ``careapp`` command: the desktop app by default, headless commands (careapp.commands).

Opening the window is the common case and the one somebody waits for, so it does not build the
whole command line parser or import the commands: ``careapp``, ``careapp gui`` and either with
``--data-dir DIR`` go straight to the app. Anything else (``--help``, a command, a mistake) goes
through the full parser.
"""

from __future__ import annotations

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
        from careapp.commands import main as run_command

        return run_command(arguments)
    from careapp.app import run_gui

    return run_gui(data_dir)


if __name__ == "__main__":
    sys.exit(main())
