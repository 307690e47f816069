"""Anonymise candidates past the retention period: a dry-run listing by default, --apply to erase."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from privacy.retention import retention_anonymise


class Command(BaseCommand):
    help = (
        "List the candidates whose last loop closed more than HIRELOOP_RETENTION_MONTHS ago (dry run, the "
        "default); with --apply, erase their personal data as candidate_erase does."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="Erase them (default: only list them).")
        parser.add_argument("--months", type=int, default=None,
                            help=f"Retention period (default {settings.HIRELOOP_RETENTION_MONTHS}).")

    def handle(self, *args: Any, **options: Any) -> None:
        months = options["months"] if options["months"] is not None else settings.HIRELOOP_RETENTION_MONTHS
        entries = retention_anonymise(apply=options["apply"], months=months, via="retention command")
        verb = "Anonymised" if options["apply"] else "Would anonymise (dry run; --apply to erase)"
        self.stdout.write(f"{verb}: {len(entries)} candidate(s) inactive for more than {months} months.")
        for entry in entries:
            self.stdout.write(
                f"  candidate #{entry.candidate_id}: last activity {entry.last_activity:%Y-%m-%d}, "
                f"{entry.loops} loop(s)"
            )
