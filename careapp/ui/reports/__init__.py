"""The first-contact resolution report, its chart, backlog, definitions and windows."""
