"""Privacy: a customer's data exported or erased, and the owner-only guard over deleting, erasing and
exporting customers.
"""
