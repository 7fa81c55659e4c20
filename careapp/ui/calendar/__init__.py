"""The calendar in the UI: its settings dialog, the .ics export and the background feed and sync."""
