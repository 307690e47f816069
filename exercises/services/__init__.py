"""Writes for practical exercises, one module per sub-domain: the library, take-home assignments and submissions,
live exercises on interviews.

Every function validates first, writes in one transaction with an audit
event, and leaves emails to tasks enqueued after commit. Audit events carry
ids, times and sizes only: never the candidate's name, email, repository
URL, file name or notes.
"""
