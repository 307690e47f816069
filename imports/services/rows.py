"""The plan's types: new rows with handles, updates, external records, counts; and the fingerprint.

New rows refer to each other by *handles*: negative numbers ``-(n + 1)`` for
the n-th new row of a table, replaced by real ids when the rows are written.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from imports.sources.history import Outcome

KINDS = ("users", "candidates", "loops", "interviews", "scorecards")
CLOSED = {Outcome.HIRED: ("decided", "hire"), Outcome.REJECTED: ("decided", "no_hire"),
          Outcome.WITHDRAWN: ("withdrawn", "")}
SOURCE_NAMES = {"greenhouse": "Greenhouse", "lever": "Lever"}
EXAMPLES = 5


def fingerprint(*values: Any) -> str:
    return hashlib.sha1(repr(values).encode(), usedforsecurity=False).hexdigest()


def resolve(ref: int, ids: list[int]) -> int:
    """A row id from a reference: an existing id, or a handle of a new row."""
    return ids[-ref - 1] if ref < 0 else ref


@dataclass
class Table:
    """New rows of one table (values with references), updates of existing rows, and the external records."""

    new: list[tuple[Any, ...]] = field(default_factory=list)
    updates: list[tuple[Any, ...]] = field(default_factory=list)  # (id, values...)
    # (external id, reference to the row, fingerprint): records to add, and known records whose row changed.
    new_records: list[tuple[str, int, str]] = field(default_factory=list)
    changed_records: list[tuple[int, str]] = field(default_factory=list)  # (ExternalRecord id, fingerprint)

    def add(self, row: tuple[Any, ...]) -> int:
        self.new.append(row)
        return -len(self.new)


@dataclass
class Plan:
    source: str
    counts: dict[str, Counter[str]] = field(default_factory=lambda: {k: Counter() for k in KINDS})
    skipped: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    unmapped: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)  # (job, name, attribute, why)
    users: Table = field(default_factory=Table)
    candidates: Table = field(default_factory=Table)
    loops: Table = field(default_factory=Table)
    interviews: Table = field(default_factory=Table)
    scorecards: Table = field(default_factory=Table)
    # New scorecards' ratings, by the scorecard's handle; changed scorecards' ratings, by id.
    ratings: dict[int, list[tuple[int, int | None, bool, str]]] = field(default_factory=dict)
    open_loops: set[int] = field(default_factory=set)  # references of loops still open in the vendor's system
    touched_loops: set[int] = field(default_factory=set)  # loops with a row created or changed by this run
    erased_candidates: set[int] = field(default_factory=set)
    erased_loops: set[int] = field(default_factory=set)
    stale_records: list[int] = field(default_factory=list)

    @property
    def loops_to_refresh(self) -> set[int]:
        """Open loops whose panel or feedback this run changed: their stage and recommendation follow."""
        return self.open_loops & self.touched_loops

    def skip(self, kind: str, reason: str, record_id: str) -> None:
        self.counts[kind]["skipped"] += 1
        self.skipped.setdefault((kind, reason), []).append(record_id)

    def skipped_summary(self) -> list[dict[str, Any]]:
        return [{"kind": kind, "reason": reason, "count": len(ids), "examples": ids[:EXAMPLES]}
                for (kind, reason), ids in sorted(self.skipped.items())]

    def unmapped_summary(self) -> list[dict[str, Any]]:
        return [{"job": job, "job_name": name, "attribute": attribute, "why": why, "ratings": count}
                for (job, name, attribute, why), count in sorted(self.unmapped.items())]

    def counts_summary(self) -> dict[str, dict[str, int]]:
        return {kind: dict(sorted(counter.items())) for kind, counter in self.counts.items()}


@dataclass
class Known:
    """The records earlier runs imported from this source: external id -> (record id, row id, fingerprint)."""

    by_kind: dict[str, dict[str, tuple[int, int, str]]]
    # Records whose row was deleted since: forgotten (deleted with the run), and the record imported afresh.
    stale: list[int]

    def get(self, kind: str, external_id: str) -> tuple[int, int, str] | None:
        return self.by_kind[kind].get(external_id)
