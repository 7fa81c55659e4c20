"""Care: touches and their rules, the facts they are derived from, planning, the care queue and its
sections, the overview, messages, articles and the agenda.
"""
