"""Calendar: the calendar items (.ics file, feed) and CalDAV sync.
"""
