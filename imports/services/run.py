"""The history import: read the vendor's files, check them and the mapping, plan, and write it all at once.

All or nothing. Every file is read and checked, and the whole plan made,
before the first row is written; the rows then go in one transaction. A
malformed record anywhere refuses the run with every problem named and
nothing of it written; an interrupted run (killed, a lost connection) rolls
back whole. Re-running is the way to resume, and costs nothing for what is
already in: records whose values did not change are left alone. Batches
committed one by one would leave a half-imported history (loops without
their scorecards, a panel with half its feedback) in the calibration report
and on the committee's pages until the next run; with bulk writes a whole
import takes minutes, so one transaction costs little. (The network fetch,
which is what takes long and fails halfway, is resumable on its own:
``imports.fetch``.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from hiring.audit.services import audit_record
from hiring.models import User
from imports.mapping import load_mapping
from imports.models import ImportRun
from imports.services.plan import Plan, build_plan
from imports.services.write import write_plan
from imports.sources import read_history
from imports.sources.reading import ImportRefused
from scorecards.leniency.services import leniency_residuals_rebuild

Progress = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class ImportOutcome:
    plan: Plan
    run: ImportRun | None  # None for a dry run


def history_import(
    *, actor: User | None, source: str, directory: Path, mapping_path: Path, dry_run: bool = False,
    fetched: bool = False, progress: Progress = _quiet, now: datetime | None = None,
) -> ImportOutcome:
    """Import (or, with ``dry_run``, plan without writing anything) a team's history from a vendor's files.

    Raises ImportRefused when a file, a record or the mapping is malformed;
    the refusal is recorded as a failed ``ImportRun`` (with its problems)
    unless this is a dry run, and nothing else is written.
    """
    now = now or timezone.now()
    try:
        history = read_history(source, directory, progress)
        mapping = load_mapping(mapping_path, source=source)
        progress("planning", 0, 1)
        plan = build_plan(history, mapping, now=now)
        progress("planning", 1, 1)
    except ImportRefused as exc:
        if not dry_run:
            _record_refusal(actor, source, directory, mapping_path, fetched, exc)
        raise
    if dry_run:
        return ImportOutcome(plan, None)
    run = ImportRun.objects.create(source=source, directory=str(directory), mapping_file=str(mapping_path),
                                   fetched=fetched, started_by=actor)
    try:
        _write(plan, run, actor, source, now, progress)
    except BaseException as exc:
        # Everything of the run rolled back; the run itself says so on its page.
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportRun.Status.FAILED, finished_at=timezone.now(),
            problems=[{"file": "", "record": "", "message": f"interrupted ({type(exc).__name__}); nothing of "
                       "this run was saved: run the import again"}],
        )
        raise
    run.refresh_from_db()
    return ImportOutcome(plan, run)


def _write(plan: Plan, run: ImportRun, actor: User | None, source: str, now: datetime, progress: Progress) -> None:
    with transaction.atomic():
        write_plan(plan, run=run, actor=actor, now=now, progress=progress)
        if plan.scorecards.new or plan.scorecards.updates:
            progress("leniency history", 0, 1)
            # The rows bypassed the scorecard services: store the leniency residuals a recompute would have.
            leniency_residuals_rebuild()
            progress("leniency history", 1, 1)
        run.status = ImportRun.Status.DONE
        run.finished_at = timezone.now()
        run.counts = plan.counts_summary()
        run.skipped = plan.skipped_summary()
        run.unmapped = plan.unmapped_summary()
        run.save(update_fields=["status", "finished_at", "counts", "skipped", "unmapped"])
        # One event for the run: the run's page lists what it did, and each row's ExternalRecord names the run.
        audit_record(actor=actor, action="import.completed", obj=run,
                     after={"source": source, "counts": run.counts})


def _record_refusal(actor: User | None, source: str, directory: Path, mapping_path: Path, fetched: bool,
                    exc: ImportRefused) -> None:
    problems = [p.as_dict() for p in exc.problems]
    if exc.more:
        problems.append({"file": "", "record": "", "message": f"... and {exc.more} more problem(s)"})
    with transaction.atomic():
        run = ImportRun.objects.create(
            source=source, directory=str(directory), mapping_file=str(mapping_path), fetched=fetched,
            started_by=actor, status=ImportRun.Status.FAILED, finished_at=timezone.now(), problems=problems,
        )
        audit_record(actor=actor, action="import.refused", obj=run, after={"source": source,
                                                                          "problems": len(problems)})
