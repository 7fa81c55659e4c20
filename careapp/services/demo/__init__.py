"""Demo data: customers, tickets and articles for trying careapp out.
"""
