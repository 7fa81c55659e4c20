"""The backups screen: the database's copies, back up now, restore (File → Backups…)."""
