"""The history import benchmark (6): ``import_history`` over Greenhouse files against a COPY of the same rows.

The files are made first (``bench.loadgen.ats``, not timed): the profile's
applications with five interviews and five scorecards each, seven or so
ratings a scorecard, interviewers named by the emails of the load's own
interviewers (matched, as on a team's first day). The product is the
command end to end: reading and checking every file, the mapping, the plan,
the writes, the loops' stages, the leniency history, the commit. The floor
is the rows the import wrote, read back beforehand and then written with
PostgreSQL's COPY into temporary copies of the same tables (same columns,
defaults, checks and indexes; no foreign keys), in one transaction rolled
back. An import is done once (a second run of the same files writes
nothing), so each side runs once.
"""

from __future__ import annotations

import io
import shutil
import time
from typing import TYPE_CHECKING, Any

from bench import environment
from bench.environment import log

if TYPE_CHECKING:
    from bench.harness import Harness

# The import's goal: 50,000 applications with their 250,000 scorecards within five minutes.
GOAL_SECONDS = 300.0
GOAL_APPLICATIONS = 50_000


def _tables() -> list[tuple[Any, tuple[str, ...], str]]:
    """(model, its columns, how to find the rows of a run).

    Every concrete column, not a hand-kept list: a column added later (with a Python-side default the
    import fills) would otherwise be missing from the floor's COPY and fail its NOT NULL check.
    """
    from hiring.models import Candidate, Interview, InterviewLoop
    from imports.models import ExternalRecord
    from scorecards.models import Rating, Scorecard

    def by_kind(kind: str) -> str:
        return f"id IN (SELECT object_id FROM imports_externalrecord WHERE run_id = %(run)s AND kind = '{kind}')"

    def columns(model: Any) -> tuple[str, ...]:
        return tuple(field.column for field in model._meta.concrete_fields)

    return [
        (Candidate, columns(Candidate), by_kind("candidate")),
        (InterviewLoop, columns(InterviewLoop), by_kind("loop")),
        (Interview, columns(Interview), by_kind("interview")),
        (Scorecard, columns(Scorecard), by_kind("scorecard")),
        (Rating, columns(Rating),
         "scorecard_id IN (SELECT object_id FROM imports_externalrecord WHERE run_id = %(run)s "
         "AND kind = 'scorecard')"),
        (ExternalRecord, columns(ExternalRecord), "run_id = %(run)s"),
    ]


def _floor(run_id: int) -> tuple[float, int]:
    """Seconds to COPY the run's rows into temporary copies of their tables, and how many rows."""
    connection = environment.floor_connection()
    data: list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]] = []
    with connection.cursor() as cursor:
        for model, columns, where in _tables():
            cursor.execute(f"SELECT {', '.join(columns)} FROM {model._meta.db_table} WHERE {where}",  # noqa: S608
                           {"run": run_id})
            data.append((model._meta.db_table, columns, cursor.fetchall()))
    rows = sum(len(r) for _, _, r in data)
    connection.autocommit = False
    with connection.cursor() as cursor:
        for table, _, _ in data:
            cursor.execute(f"CREATE TEMP TABLE floor_{table} (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY "
                           "INCLUDING CONSTRAINTS INCLUDING INDEXES) ON COMMIT DROP")
        started = time.perf_counter()
        for table, columns, table_rows in data:
            with cursor.copy(f"COPY floor_{table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in table_rows:
                    copy.write_row(row)
        elapsed = time.perf_counter() - started
    connection.rollback()
    connection.close()
    return elapsed, rows


def history_import(h: Harness) -> None:
    from django.core.management import call_command

    from bench.loadgen.ats import jobs_for_roles, write_greenhouse_history
    from imports.models import ImportRun

    directory = h.workdir / "greenhouse"
    shutil.rmtree(directory, ignore_errors=True)
    applications = h.profile.import_applications
    started = time.perf_counter()
    emails = [f"load-iv-{n:03d}@load.example.com" for n in range(1, h.profile.interviewers + 1)]
    written = write_greenhouse_history(directory, applications=applications, jobs=jobs_for_roles(),
                                       interviewers=h.profile.interviewers, emails=emails, seed=11)
    files_s = time.perf_counter() - started
    size_mib = sum(p.stat().st_size for p in directory.iterdir()) / 2**20
    log(f"Greenhouse files: {applications:,} applications, {written['scorecards']:,} scorecards, "
        f"{written['ratings']:,} ratings, {size_mib:.0f} MiB, written in {files_s:.1f} s")

    started = time.perf_counter()
    call_command("import_history", str(directory), source="greenhouse", stdout=io.StringIO(),
                 stderr=io.StringIO(), verbosity=0)
    product_s = time.perf_counter() - started
    run = ImportRun.objects.order_by("-pk").first()
    assert run is not None and run.status == ImportRun.Status.DONE
    floor_s, rows = _floor(run.pk)
    shutil.rmtree(directory, ignore_errors=True)
    h.record(
        "history_import", applications=applications, scorecards=written["scorecards"],
        ratings=written["ratings"], files_mib=round(size_mib, 1), rows_written=rows,
        product_s=round(product_s, 2), floor_s=round(floor_s, 2), ratio=round(product_s / floor_s, 2),
        rows_per_s=round(rows / product_s), projected_goal_s=round(product_s * GOAL_APPLICATIONS / applications, 1),
        counts=run.counts,
    )
