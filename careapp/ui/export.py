"""Exporting every customer to CSV, vCard or JSON, chosen with a save dialog."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QDir
from PySide6.QtWidgets import QFileDialog, QWidget

if TYPE_CHECKING:
    from careapp.services.privacy.guard import CustomerGuard


# lupdate reads translate("Context", "text") calls; keep the context a string literal.
translate = QCoreApplication.translate

SUFFIXES = {"csv": ".csv", "vcard": ".vcf", "json": ".json"}


def export_filters() -> dict[str, str]:
    """Save-dialog filter text -> export format."""
    return {
        translate("Export", "Spreadsheet (CSV) (*.csv)"): "csv",
        translate("Export", "Contacts (vCard) (*.vcf)"): "vcard",
        translate("Export", "Everything, for other programs (JSON) (*.json)"): "json",
    }


def with_suffix(path: Path, export_format: str) -> Path:
    """Add the format's suffix when the name typed has none of the known ones."""
    if path.suffix.lower() in (".csv", ".vcf", ".vcard", ".json"):
        return path
    return path.with_name(path.name + SUFFIXES[export_format])


def ask_export_target(parent: QWidget) -> tuple[Path, str] | None:
    """The file and format the user chose, or None if they cancelled."""
    filters = export_filters()
    start = str(Path(QDir.homePath()) / "customers.csv")
    title = translate("Export", "Export customers")
    name, chosen = QFileDialog.getSaveFileName(parent, title, start, ";;".join(filters))
    if not name:
        return None
    from_filter = filters.get(chosen)
    path = Path(name)
    if from_filter is None:
        from_filter = {".vcf": "vcard", ".vcard": "vcard", ".json": "json"}.get(path.suffix.lower(), "csv")
    return with_suffix(path, from_filter), from_filter


def run_export(guard: CustomerGuard, actor: str, path: Path, export_format: str) -> int:
    """Database thread: write the file as ``actor``; returns how many customers went into it.

    Exporting every customer is for the owner only (once the shop has a staff list); the guard
    refuses anyone else with :class:`~careapp.services.shop.staff.PermissionDenied` and writes nothing.
    """
    from careapp.ui.staff.picker import make_actor

    return guard.export_customers(make_actor(actor), path, export_format)
