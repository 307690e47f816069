"""Print a role's rubric in the format load_rubrics reads."""

from __future__ import annotations

import json
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hiring.errors import NotFound
from scorecards.rubrics.io import spec_to_document
from scorecards.rubrics.selectors import rubric_spec


class Command(BaseCommand):
    help = "Print a role's rubric (newest version by default) as JSON or YAML."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role_slug")
        parser.add_argument("--format", choices=["json", "yaml"], default="json")
        parser.add_argument(
            "--rubric-version", dest="rubric_version", type=int, default=None, help="Rubric version number."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            spec = rubric_spec(role_slug=options["role_slug"], version=options["rubric_version"])
        except NotFound as exc:
            raise CommandError(exc.message) from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps(spec_to_document(spec, with_normalized=True), indent=2, ensure_ascii=False))
        else:
            document = spec_to_document(spec, with_normalized=False)
            self.stdout.write(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100))
