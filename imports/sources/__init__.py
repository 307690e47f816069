"""The vendors' files, read into one shape (``history.History``)."""

from __future__ import annotations

from pathlib import Path

from imports.sources import greenhouse, lever
from imports.sources.history import History
from imports.sources.reading import Problems

SOURCES = {"greenhouse": greenhouse, "lever": lever}


def read_history(source: str, directory: Path) -> History:
    """The history in ``directory``; ImportRefused naming every problem when a file or record is malformed."""
    problems = Problems()
    if not directory.is_dir():
        problems.add(str(directory), "", "no such folder")
        problems.raise_any()
    history = SOURCES[source].read_history(directory, problems)
    problems.raise_any()
    return history
