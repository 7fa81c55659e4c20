"""Who is working: the "Working as" picker, the staff list and its editor, and the first staff.

``StaffPicker`` is importable from here as before this became a package.
"""

from careapp.ui.staff.picker import CURRENT_STAFF_KEY, StaffPicker

__all__ = ["CURRENT_STAFF_KEY", "StaffPicker"]
