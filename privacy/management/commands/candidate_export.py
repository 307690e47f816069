"""Export everything Hireloop holds about one candidate as JSON (a subject access request)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hiring.errors import ApplicationError
from privacy.export import candidate_export


class Command(BaseCommand):
    help = "Write everything held about a candidate as JSON (to stdout, or to --output FILE). Audited."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("candidate_id", type=int)
        parser.add_argument("--output", "-o", help="Write the JSON to this file instead of stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = candidate_export(actor=None, candidate_id=options["candidate_id"], via="command")
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        text = json.dumps(data, indent=2, ensure_ascii=False)
        if options["output"]:
            Path(options["output"]).write_text(text + "\n", encoding="utf-8")
            self.stderr.write(f"Wrote the export of candidate #{options['candidate_id']} to {options['output']}.")
        else:
            self.stdout.write(text)
