"""What every Hireloop API endpoint shares: errors, authentication, pagination, ordering, idempotency, schema."""
