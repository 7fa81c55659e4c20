"""Tickets: the ticket service and its store, FCR settings and reports, feedback requests.
"""
