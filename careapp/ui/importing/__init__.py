"""The import dialog and the import actions."""
