"""Logging a call: find or create the customer, fill the prefilled form, save."""
