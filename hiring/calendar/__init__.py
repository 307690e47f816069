"""Interviews in people's calendars: iCalendar invites emailed on every change, and each user's private feed.

``ical`` writes the iCalendar objects (pure), ``entries`` says how an interview reads in a calendar and to
whom, ``invites`` emails the messages each invitee is owed, ``feeds`` issues and resolves feed tokens and
reads a feed's interviews.
"""
