"""Compute a calibration report from the database or from a ratings file, and write it to a file."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hiring.models import Interview, Role
from scorecards.calibration.exports import FORMATS
from scorecards.calibration.report import ReportOptions, report_from_database, report_from_rows
from scorecards.calibration.rows import RatingsFileInvalid, parse_ratings_csv
from scorecards.calibration.selectors import ReportScope


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{text!r} is not a date in the form YYYY-MM-DD.") from exc


def write_atomically(path: Path, content: bytes) -> None:
    """Write next to the target and rename, so a failure never leaves a partial report behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = (
        "Compute a calibration report (the same as the web page's) and write it as CSV (a zip with one file "
        "per table), XLSX, PDF or JSON. By default it reads interviewers' original submitted scorecards from the "
        "database; --from-csv reads a ratings file instead (columns: loop, interviewer, dimension, score, and "
        "optionally recommendation, decision, interview_end, submitted_at, feedback_due, role, interview_kind, "
        "focus, scorecard). Bad rows are listed by line number and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", metavar="SLUG", help="One role (its slug; with --from-csv: the role column).")
        parser.add_argument("--since", metavar="DATE", type=_date, help="First day of interviews (YYYY-MM-DD).")
        parser.add_argument("--until", metavar="DATE", type=_date, help="Last day of interviews (YYYY-MM-DD).")
        parser.add_argument("--kind", choices=Interview.Kind.values, help="One interview kind (database only).")
        parser.add_argument("--format", choices=["csv", "xlsx", "pdf", "json"], required=True)
        parser.add_argument("--output", metavar="PATH", required=True, help="The file to write.")
        parser.add_argument("--from-csv", metavar="FILE", dest="from_csv", help="Compute from a ratings file.")
        parser.add_argument("--min-sample", dest="min_sample", type=int,
                            default=settings.HIRELOOP_CALIBRATION_MIN_SAMPLE,
                            help="Below this n a figure is marked as a small sample (default %(default)s).")
        parser.add_argument("--resamples", type=int, default=settings.HIRELOOP_CALIBRATION_BOOTSTRAP_RESAMPLES,
                            help="Bootstrap resamples for the alpha intervals (default %(default)s).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["since"] and options["until"] and options["since"] > options["until"]:
            raise CommandError("--since must not be after --until.")
        if options["min_sample"] < 2:
            raise CommandError("--min-sample must be at least 2.")
        if options["resamples"] < 0:
            raise CommandError("--resamples must not be negative.")
        report_options = ReportOptions(min_sample=options["min_sample"], bootstrap_resamples=options["resamples"])
        description = {
            "role": options["role"],
            "date_from": options["since"].isoformat() if options["since"] else None,
            "date_to": options["until"].isoformat() if options["until"] else None,
            "interview_kind": options["kind"],
        }
        if options["from_csv"]:
            result = self._from_file(options, description, report_options)
        else:
            result = self._from_database(options, description, report_options)
        export = FORMATS[options["format"]]
        output = Path(options["output"])
        write_atomically(output, export.render(result))
        totals = result["totals"]
        self.stdout.write(self.style.SUCCESS(
            f"Wrote {output} ({export.label}): {totals['scorecards']} scorecards, {totals['interviewers']} "
            f"interviewers, {totals['loops']} loops."
        ))

    def _from_file(
        self, options: dict[str, Any], description: dict[str, Any], report_options: ReportOptions
    ) -> dict[str, Any]:
        if options["kind"]:
            raise CommandError("--kind filters the database; filter the ratings file before reading it instead.")
        path = Path(options["from_csv"])
        try:
            with path.open(encoding="utf-8", newline="") as handle:
                rows = parse_ratings_csv(
                    handle,
                    feedback_due_hours=settings.HIRELOOP_FEEDBACK_DUE_HOURS,
                    role=options["role"],
                    since=options["since"],
                    until=options["until"],
                )
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV.") from exc
        except RatingsFileInvalid as exc:
            for error in exc.errors:
                self.stderr.write(f"{path}: {error}")
            if exc.more:
                self.stderr.write(f"{path}: ... and {exc.more} more")
            raise CommandError(
                f"{len(exc.errors) + exc.more} problem(s) in {path}; no report was written."
            ) from exc
        return report_from_rows(rows, description={**description, "source": f"ratings file {path.name}"},
                                options=report_options)

    def _from_database(
        self, options: dict[str, Any], description: dict[str, Any], report_options: ReportOptions
    ) -> dict[str, Any]:
        role_id = None
        if options["role"]:
            role = Role.objects.filter(slug=options["role"]).first()
            if role is None:
                known = ", ".join(Role.objects.order_by("slug").values_list("slug", flat=True)) or "none"
                raise CommandError(f"No role with slug {options['role']!r} (known: {known}).")
            role_id = role.pk
            description = {**description, "role": role.title, "role_slug": role.slug}
        if options["kind"]:
            description = {**description, "interview_kind": str(Interview.Kind(options["kind"]).label)}
        scope = ReportScope(date_from=options["since"], date_to=options["until"], role_id=role_id,
                            interview_kind=options["kind"] or "")
        return report_from_database(scope, description=description, options=report_options)
