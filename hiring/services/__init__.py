"""Writes for candidates, loops and interviews, one module per sub-domain: candidates, loops, interviews, and the
loop's stage (stages). One function per use case, each in a transaction.

Every function takes the acting user, validates before it saves, and writes an
audit event in the same transaction. Audit values hold ids, statuses and the
names of changed fields, never a candidate's name, email, phone or notes.
"""
