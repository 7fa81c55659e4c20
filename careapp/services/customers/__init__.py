"""Customers: the customer service and what it is built from (rows, bulk changes, snapshots for undo,
batches), and moving customers in and out (importer, exporter).
"""
