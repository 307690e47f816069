"""Writes of the integrations app: endpoints (admins), the outbox's dispatch, delivery attempts, the sweep."""
