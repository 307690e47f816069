"""The vendors' files, read into one shape (``history.History``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from imports.sources import greenhouse, lever
from imports.sources.history import History
from imports.sources.reading import Problems

SOURCES = {"greenhouse": greenhouse, "lever": lever}


def read_history(source: str, directory: Path, progress: Callable[[str, int, int], None] | None = None) -> History:
    """The history in ``directory``; ImportRefused naming every problem when a file or record is malformed.

    ``progress(stage, files read, files)`` after each file.
    """
    problems = Problems()
    if not directory.is_dir():
        problems.add(str(directory), "", "no such folder")
        problems.raise_any()
    history = SOURCES[source].read_history(directory, problems, progress or (lambda stage, done, total: None))
    problems.raise_any()
    return history
