"""Reads, one module per sub-domain."""
