"""Fill the database with a realistic synthetic hiring history, for benchmarks and load tests.

``generate_load_data --loops 50000 --seed 7`` makes a company of 200
interviewers (``--interviewers``), a few recruiters and a hiring committee,
and ``--loops`` interview loops spread over the last ``--months`` months and
across the five roles: 4-6 interviews a loop with their focus dimensions,
scorecards whose scores follow the candidate's ability, the dimension, the
interviewer's leniency and some noise (so panels agree the way real panels
do), signals and the odd red flag, the committee's decisions, withdrawals,
amendments, the computed recommendations and the audit trail. Loops opened in
the last few weeks are still in progress: interviews to come, feedback
pending, drafts half written.

On PostgreSQL every table is written with ``COPY`` (psycopg 3), in chunks of
loops, inside one transaction: an interrupted run leaves nothing behind.
Elsewhere (SQLite) it falls back to ``bulk_create``, which is correct but
slow: use it only for small data sets.

The same seed on the same day gives the same history. Run it again to append
more loops with the same people. Generated users are named ``load-...`` and
share one password (``--password``): this is for benchmark and staging
databases, never for production.

The generator itself is the ``bench.loadgen`` package; this module is the
command: options, the transaction and the summary line.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, timedelta
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone

from bench.loadgen.history import HistoryGenerator
from bench.loadgen.staff import (
    DEFAULT_PASSWORD,
    ensure_staff,
    load_rubrics_info,
    next_free_ids,
    opening_times,
    require_copy_for,
)
from bench.loadgen.writers import TABLE_ORDER, CopyWriter, OrmWriter
from hiring.models import AuditEvent, Candidate, Interview, InterviewLoop, Role
from scorecards.leniency.services import leniency_residuals_rebuild
from scorecards.models import Rating, Recommendation, Scorecard


class Command(BaseCommand):
    help = (
        "Fill the database with a synthetic hiring history (candidates, loops, interviews, scorecards, "
        "decisions) for benchmarks. Uses COPY on PostgreSQL. Generated users are named load-... and share "
        f"the password given with --password (default {DEFAULT_PASSWORD!r}): never run it on production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loops", type=int, required=True, help="How many interview loops to add.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same history.")
        parser.add_argument("--interviewers", type=int, default=200)
        parser.add_argument("--recruiters", type=int, default=8)
        parser.add_argument("--committee", type=int, default=4)
        parser.add_argument("--months", type=int, default=18, help="How far back the history goes.")
        parser.add_argument("--chunk", type=int, default=2000, help="Loops written per COPY batch.")
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="Password of the generated users.")
        parser.add_argument("--no-recommendations", action="store_true",
                            help="Leave recommendations to be computed later (faster).")

    def handle(self, *args: Any, **options: Any) -> None:
        loops = options["loops"]
        if loops < 1:
            raise CommandError("--loops must be at least 1.")
        if options["interviewers"] < 7:
            raise CommandError("--interviewers must be at least 7 (a panel has up to six people).")
        if options["recruiters"] < 1 or options["committee"] < 1:
            raise CommandError("--recruiters and --committee must be at least 1.")
        postgres = connection.vendor == "postgresql"
        require_copy_for(connection.vendor, loops)
        if not Role.objects.exists():
            call_command("load_rubrics", verbosity=0)
        rubrics = load_rubrics_info()
        if not rubrics:
            raise CommandError("No role has a published rubric; run load_rubrics first.")

        rng = random.Random(options["seed"])
        # Anchored to midnight so that the same seed on the same day gives the same history.
        now = timezone.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        span = timedelta(days=int(options["months"] * 30.4))
        started = time.monotonic()
        writer: CopyWriter | OrmWriter = CopyWriter() if postgres else OrmWriter()
        totals: dict[type[models.Model] | str, int] = {}
        with transaction.atomic():
            writer.lock()
            staff = ensure_staff(interviewers=options["interviewers"], recruiters=options["recruiters"],
                                 committee=options["committee"], password=options["password"],
                                 role_slugs=list(rubrics))
            generator = HistoryGenerator(rng=rng, rubrics=rubrics, staff=staff, now=now, span=span,
                                         next_ids=next_free_ids(),
                                         recommendations=not options["no_recommendations"])
            opened = opening_times(loops, rng=rng, now=now, span=span)
            for first in range(0, loops, options["chunk"]):
                rows = generator.chunk(opened[first : first + options["chunk"]])
                for table in TABLE_ORDER:
                    writer.write(table, rows.tables.get(table, []))
                    totals[table] = totals.get(table, 0) + rows.count(table)
                done = min(first + options["chunk"], loops)
                if options["verbosity"] >= 2 or (options["verbosity"] >= 1 and done == loops):
                    self.stdout.write(f"{done}/{loops} loops ({time.monotonic() - started:.1f}s)")
            writer.finish()
            # The rows above bypassed the services: store the leniency residuals a recompute would have.
            leniency_residuals_rebuild()
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Generated {totals[InterviewLoop]} loops, {totals[Candidate]} candidates, {totals[Interview]} "
            f"interviews, {totals[Scorecard]} scorecards, {totals[Rating]} ratings, "
            f"{totals[Recommendation]} recommendations and {totals[AuditEvent]} audit events "
            f"in {elapsed:.1f}s ({'COPY' if postgres else 'bulk_create'})."
        )
