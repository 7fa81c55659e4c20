"""The owner's PIN: what a PIN may be (a shop-floor guard, not protection from whoever controls the
computer; see careapp/services/shop/staff.py for how it is kept)."""

from __future__ import annotations

PIN_MIN_LENGTH, PIN_MAX_LENGTH = 4, 12


def pin_problem(pin: str) -> str | None:
    """Why ``pin`` cannot be the owner's PIN, as a sentence; None when it can."""
    if not pin.isdigit() or not PIN_MIN_LENGTH <= len(pin) <= PIN_MAX_LENGTH:
        return f"A PIN is {PIN_MIN_LENGTH} to {PIN_MAX_LENGTH} digits, nothing else."
    return None
