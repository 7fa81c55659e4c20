"""Fixtures of the calendar tests (the shop lives in calshop.py so test modules can import its helpers)."""

from calshop import shop

__all__ = ["shop"]
