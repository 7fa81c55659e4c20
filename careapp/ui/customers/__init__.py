"""The customer screens: list, detail, editor."""
