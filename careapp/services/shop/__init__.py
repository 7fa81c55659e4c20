"""The shop itself: settings, staff and roles, the database connection and its secrets, backups, other
seats' changes. Every other feature may use these; they use none of the others.
"""
