"""Fetching a vendor's history from its API into the files the import reads."""

from imports.fetch.client import FetchError
from imports.fetch.download import fetch_history

__all__ = ["FetchError", "fetch_history"]
