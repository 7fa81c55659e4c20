"""Finding the files in ``resources/`` from a checkout, an installed wheel or a frozen bundle."""

from __future__ import annotations

import sys
from pathlib import Path

_CANDIDATES = (
    # PyInstaller puts data beside the frozen modules.
    Path(getattr(sys, "_MEIPASS", "/nonexistent")) / "resources",
    # A source checkout or an editable install.
    Path(__file__).resolve().parent.parent / "resources",
    # A wheel installs them as data files under the environment's prefix.
    Path(sys.prefix) / "share" / "careapp" / "resources",
)


def resources_dir() -> Path:
    for candidate in _CANDIDATES:
        if (candidate / "icons" / "careapp.svg").is_file():
            return candidate
    raise FileNotFoundError("careapp's resources folder is missing; reinstall careapp")


def icon_path(size: int | None = None) -> Path:
    """The app icon: the SVG, or a PNG of one of the rendered sizes."""
    name = "careapp.svg" if size is None else f"careapp-{size}.png"
    return resources_dir() / "icons" / name
