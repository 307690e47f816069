"""Writes of the history import: planning what to create, update and skip, and writing it in bulk."""
