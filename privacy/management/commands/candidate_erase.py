"""Erase one candidate's personal data everywhere it lives, keeping the scores."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hiring.errors import ApplicationError
from hiring.models import Candidate
from privacy.erasure import candidate_erase


class Command(BaseCommand):
    help = (
        "Replace a candidate's personal data (fields, free text, audit values, report files, cached values) "
        "with anonymous placeholders. Scores are kept. Cannot be undone: asks for confirmation unless --yes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("candidate_id", type=int)
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, **options: Any) -> None:
        candidate_id = options["candidate_id"]
        if not Candidate.objects.filter(pk=candidate_id).exists():
            raise CommandError(f"No candidate #{candidate_id}.")
        if not options["yes"] and input(
            f"Erase the personal data of candidate #{candidate_id}? This cannot be undone. [y/N] "
        ).strip().lower() not in ("y", "yes"):
            raise CommandError("Nothing erased.")
        try:
            report = candidate_erase(actor=None, candidate_id=candidate_id, via="command")
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        summary = report.summary()
        self.stdout.write(
            f"Candidate #{candidate_id} erased: {summary['fields_replaced']} fields replaced, "
            f"{sum(summary['rows_swept'].values())} other rows cleaned "
            f"({summary['audit_events_scrubbed']} audit events), {summary['files_deleted']} files deleted, "
            f"{len(summary['reports_rerendered'])} report files re-rendered, "
            f"{summary['cache_keys_removed']} cached values removed. Scores are kept."
        )
