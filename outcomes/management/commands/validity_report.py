"""Compute a validity report from a ratings file and an outcomes file, and write it (docs/quality-of-hire.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hiring.errors import NotFound
from outcomes.validity.exports import FORMATS
from outcomes.validity.outcomes_file import OutcomesFileInvalid, parse_outcomes_csv
from outcomes.validity.report import ValidityOptions, build_report
from outcomes.validity.spec import spec_for_role
from scorecards.calibration.rows import RatingsFileInvalid, parse_ratings_csv
from scorecards.management.commands.calibration_report import write_atomically


class Command(BaseCommand):
    help = (
        "Which interview dimensions, interviewers and rules predicted hires' later performance: correlations with "
        "95% intervals, corrected for range restriction. RATINGS is the calibration report's ratings file and "
        "must cover every loop, hired or not; OUTCOMES has loop, checkin, performance and optional outcome-area "
        "columns. Bad rows are listed by file, line and column and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from-csv", metavar="RATINGS", dest="from_csv", required=True)
        parser.add_argument("--outcomes", metavar="OUTCOMES", required=True)
        parser.add_argument("--role", metavar="SLUG", required=True,
                            help="The role whose rubric weighs the composite (the database's, else fixtures/rubrics/).")
        parser.add_argument("--checkin", default="", help="Which check-in's performance (default: the latest).")
        parser.add_argument("--format", choices=sorted(FORMATS), default="json")
        parser.add_argument("--output", metavar="PATH", required=True)
        parser.add_argument("--min-sample", dest="min_sample", type=int,
                            default=settings.HIRELOOP_OUTCOME_MIN_SAMPLE)
        parser.add_argument("--width", type=float, default=settings.HIRELOOP_OUTCOME_INTERVAL_WIDTH,
                            help="The interval width a sample should reach (default %(default)s).")
        parser.add_argument("--resamples", type=int, default=2000)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["min_sample"] < 4:
            raise CommandError("--min-sample must be at least 4.")
        if not 0 < options["width"] < 2:
            raise CommandError("--width must be between 0 and 2.")
        if options["resamples"] < 0:
            raise CommandError("--resamples must not be negative.")
        try:
            spec = spec_for_role(options["role"])
        except NotFound as exc:
            raise CommandError(str(exc)) from exc
        ratings_path, outcomes_path = Path(options["from_csv"]), Path(options["outcomes"])
        try:
            with ratings_path.open(encoding="utf-8", newline="") as handle:
                ratings = parse_ratings_csv(handle, feedback_due_hours=settings.HIRELOOP_FEEDBACK_DUE_HOURS)
            with outcomes_path.open(encoding="utf-8", newline="") as handle:
                outcomes, areas = parse_outcomes_csv(handle)
        except OSError as exc:
            raise CommandError(f"Cannot read {exc.filename}: {exc.strerror}.") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"A file is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV.") from exc
        except RatingsFileInvalid as exc:
            self._problems(ratings_path, [str(e) for e in exc.errors], exc.more)
        except OutcomesFileInvalid as exc:
            self._problems(outcomes_path, [str(e) for e in exc.errors], exc.more)
        role_column = {row.role for row in ratings if row.role}
        if role_column:
            ratings = [row for row in ratings if not row.role or row.role == options["role"]]
        result = build_report(
            ratings, outcomes, spec, area_names=areas,
            options=ValidityOptions(checkin=options["checkin"], min_sample=options["min_sample"],
                                    interval_width=options["width"], resamples=options["resamples"]),
            description={"role": options["role"], "source": f"{ratings_path.name} and {outcomes_path.name}"},
        )
        export = FORMATS[options["format"]]
        output = Path(options["output"])
        write_atomically(output, export.render(result))
        totals = result["totals"]
        self.stdout.write(self.style.SUCCESS(
            f"Wrote {output} ({export.label}): {totals['hires_with_outcome']} hires with a {result['checkin']} "
            f"outcome among {totals['loops']} loops."))

    def _problems(self, path: Path, errors: list[str], more: int) -> None:
        for error in errors:
            self.stderr.write(f"{path}: {error}")
        if more:
            self.stderr.write(f"{path}: ... and {more} more")
        raise CommandError(f"{len(errors) + more} problem(s) in {path}; no report was written.")
