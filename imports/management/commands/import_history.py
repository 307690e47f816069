"""Import a team's interview history from Greenhouse or Lever: files, or fetched from the API first."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hiring.models import User
from imports.fetch import FetchError, fetch_history
from imports.mapping import suggest_mapping
from imports.services.rows import KINDS, SOURCE_NAMES, Plan
from imports.services.run import history_import
from imports.sources import read_history
from imports.sources.reading import ImportRefused

COLUMNS = ("created", "matched by email", "updated", "unchanged", "skipped")
API_KEYS = {"greenhouse": "GREENHOUSE_API_KEY", "lever": "LEVER_API_KEY"}


class Command(BaseCommand):
    verbosity = 1
    help = (
        "Import interview history (jobs, people, candidates, applications, interviews, scorecards) from "
        "Greenhouse's or Lever's API files in DIR, through a mapping file that --suggest-mapping drafts. "
        "All or nothing; re-running updates what changed and duplicates nothing. See docs/importing.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", metavar="DIR", help="The folder of the vendor's JSON files.")
        parser.add_argument("--source", required=True, choices=sorted(SOURCE_NAMES))
        parser.add_argument("--mapping", metavar="FILE", help="The mapping file (default: DIR/mapping.yaml).")
        parser.add_argument("--suggest-mapping", action="store_true",
                            help="Print a draft mapping file, matching names, and import nothing.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Print what would be created, updated and skipped, and write nothing.")
        parser.add_argument("--fetch", action="store_true",
                            help="First fetch the files into DIR from the vendor's API, with the key in "
                                 "GREENHOUSE_API_KEY or LEVER_API_KEY (resumes an interrupted fetch).")
        parser.add_argument("--api-url", metavar="URL", help="The API's base URL (default: the vendor's own).")
        parser.add_argument("--actor", metavar="USERNAME",
                            help="The admin importing, recorded on the run and in the audit trail.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = options["verbosity"]
        source = options["source"]
        directory = Path(options["directory"])
        actor = _actor(options["actor"])
        if options["fetch"]:
            self._fetch(source, directory, options["api_url"])
        if options["suggest_mapping"]:
            try:
                history = read_history(source, directory)
            except ImportRefused as exc:
                raise CommandError(f"Nothing was read:\n{_indent(exc.summary())}") from None
            self.stdout.write(suggest_mapping(history, directory=str(directory)), ending="")
            return
        mapping = Path(options["mapping"]) if options["mapping"] else directory / "mapping.yaml"
        started = time.monotonic()
        try:
            outcome = history_import(actor=actor, source=source, directory=directory, mapping_path=mapping,
                                     dry_run=options["dry_run"], fetched=options["fetch"], progress=self._progress)
        except ImportRefused as exc:
            raise CommandError(f"Nothing was imported:\n{_indent(exc.summary())}") from None
        title = SOURCE_NAMES[source]
        if outcome.run is None:
            self.stdout.write(f"{title} import, dry run: nothing was written. It would do this:")
        else:
            self.stdout.write(f"{title} import #{outcome.run.pk} done in {time.monotonic() - started:.1f}s:")
        self._report(outcome.plan)

    def _fetch(self, source: str, directory: Path, api_url: str | None) -> None:
        key = os.environ.get(API_KEYS[source], "")
        if not key:
            raise CommandError(f"--fetch needs the API key in the environment variable {API_KEYS[source]}.")
        try:
            pages = fetch_history(source=source, directory=directory, api_key=key, base_url=api_url,
                                  progress=self._progress)
        except FetchError as exc:
            raise CommandError(f"The fetch stopped: {exc}\nRun the command again to resume where it stopped.") from None
        # On stderr: with --suggest-mapping, stdout is the mapping file being drafted.
        self.stderr.write(f"Fetched {pages} page(s) into {directory}.")

    def _progress(self, stage: str, done: int, total: int) -> None:
        if self.verbosity < 1:
            return
        width = 30
        filled = width * done // max(total, 1)
        line = f"{stage:<18} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        if sys.stderr.isatty():
            self.stderr.write(f"\r{line}", ending="\n" if done >= total else "")
        elif done >= total:
            self.stderr.write(line)
        self.stderr.flush()

    def _report(self, plan: Plan) -> None:
        header = f"  {'':<11}" + "".join(f"{c:>18}" for c in COLUMNS)
        self.stdout.write(header)
        for kind in KINDS:
            counts = plan.counts[kind]
            self.stdout.write(f"  {kind:<11}" + "".join(f"{counts.get(c, 0):>18,}" for c in COLUMNS))
        ratings = sum(len(r) for r in plan.ratings.values())
        self.stdout.write(f"  ratings written: {ratings:,}")
        for entry in plan.skipped_summary():
            examples = ", ".join(entry["examples"])
            self.stdout.write(f"  skipped {entry['count']:,} {entry['kind']}: {entry['reason']} (e.g. {examples})")
        unmapped = plan.unmapped_summary()
        if unmapped:
            self.stdout.write("Attributes not imported (no dimension in the mapping file):")
            for entry in unmapped:
                self.stdout.write(f"  job {entry['job']} {entry['job_name']!r}: {entry['attribute']!r}, "
                                  f"{entry['ratings']:,} rating(s), {entry['why']}")


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())


def _actor(username: str | None) -> User | None:
    if username is None:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"--actor: there is no user {username!r}.")
    if not user.is_hireloop_admin:
        raise CommandError(f"--actor: {username!r} is not an admin; only admins import history.")
    return user
