"""Recompute and print hire recommendations, or evaluate a what-if file.

    python manage.py recommend 42              # recompute loop 42 and print it
    python manage.py recommend 42 --json       # ... as JSON
    python manage.py recommend 42 --as-what-if # print loop 42 as a what-if file to edit
    python manage.py recommend --all           # recompute every undecided loop, with a progress bar
    python manage.py recommend --what-if fixtures/examples/what-if.json [--without NAME ...]
    python manage.py recommend --what-if FILE --rubric-file fixtures/rubrics/applied-ai-engineer.yaml
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hiring.errors import ApplicationError
from hiring.models import InterviewLoop
from scorecards.recommendations.rules import RecommendationResult, recommend, rubric_from_spec
from scorecards.recommendations.selectors import AWAITING_DECISION, loop_inputs, rubric_for_slug, rubric_input
from scorecards.recommendations.services import (
    leniency_offsets,
    loop_leniency,
    recommendation_compute,
    recommendation_compute_many,
)
from scorecards.recommendations.whatif import whatif_document, whatif_header, whatif_read
from scorecards.rubrics.io import read_rubric_file, validate_rubric


class Command(BaseCommand):
    help = "Recompute a loop's hire recommendation (or all open loops), or evaluate a what-if JSON file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("loop_id", nargs="?", type=int, help="The loop to recompute.")
        parser.add_argument("--all", action="store_true", help="Recompute every undecided loop.")
        parser.add_argument("--what-if", metavar="FILE.json", help="Evaluate a loop described in a JSON file.")
        parser.add_argument(
            "--without",
            action="append",
            default=[],
            metavar="NAME",
            help="With --what-if: leave this interviewer out.",
        )
        parser.add_argument(
            "--rubric-file", metavar="RUBRIC.yaml", help="With --what-if: read the rubric from this file, not the DB."
        )
        parser.add_argument("--json", action="store_true", help="Print the loop's recommendation as JSON.")
        parser.add_argument("--as-what-if", action="store_true", help="Print the loop as a what-if file.")

    def handle(self, *args: Any, **options: Any) -> None:
        modes = [bool(options["loop_id"]), options["all"], bool(options["what_if"])]
        if sum(modes) != 1:
            raise CommandError("Give exactly one of: a LOOP_ID, --all, or --what-if FILE.json.")
        try:
            if options["what_if"]:
                self._what_if(Path(options["what_if"]), options["without"], options["rubric_file"])
            elif options["all"]:
                self._all()
            else:
                self._one(options["loop_id"], as_json=options["json"], as_what_if=options["as_what_if"])
        except ApplicationError as exc:
            problems = [f"{field}: {'; '.join(messages)}" for field, messages in exc.field_errors.items()]
            raise CommandError("\n  ".join([exc.message, *problems])) from exc

    # --- one loop -----------------------------------------------------------------

    def _one(self, loop_id: int, *, as_json: bool, as_what_if: bool) -> None:
        loop = InterviewLoop.objects.select_related("rubric__role").filter(pk=loop_id).first()
        if loop is None:
            raise CommandError(f"There is no loop {loop_id}.")
        if as_what_if:
            inputs = loop_inputs(loop)
            document = whatif_document(
                rubric_slug=loop.rubric.role.slug,
                rubric_version=loop.rubric.version,
                scorecards=inputs.scorecards,
                offsets=leniency_offsets(inputs, loop_leniency(inputs)),
            )
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
            return
        outcome = recommendation_compute(loop_id=loop_id)
        assert outcome.result is not None and outcome.recommendation is not None
        if as_json:
            payload = {"loop": loop_id, "changed": outcome.changed, **outcome.recommendation.details}
            self.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False))
            return
        rubric = loop.rubric
        self.stdout.write(f"Loop {loop_id} · {rubric.role.title} rubric v{rubric.version}")
        self._print_result(outcome.result)
        self.stdout.write("(recomputed and stored)" if outcome.changed else "(inputs unchanged: nothing new stored)")

    def _print_result(self, result: RecommendationResult) -> None:
        data = result.as_dict()
        self.stdout.write(self.style.MIGRATE_HEADING(f"Recommendation: {result.outcome_label}"))
        self.stdout.write(
            f"Weighted score: {data['weighted_score'] or '-'}   Coverage: {float(result.coverage):.0%}   "
            f"Scorecards: {result.scorecard_count}"
        )
        adjusted = data["adjusted"]
        if adjusted:
            self.stdout.write(
                f"Leniency-adjusted: {adjusted['score']} (95% interval for the candidate's level "
                f"{adjusted['low']} to {adjusted['high']}); "
                "shown beside the weighted score, it does not change the outcome"
            )
        self.stdout.write("Reasons:")
        for reason in result.reasons:
            self.stdout.write(f"  - {reason}")
        for note in result.notes:
            self.stdout.write(f"  * {note}")
        self.stdout.write("Dimensions:")
        for dimension in data["dimensions"]:
            mean = dimension["mean"] or "not assessed"
            label = f" ({dimension['weight_label']})" if dimension["weight_label"] else ""
            critical = " [critical]" if dimension["critical"] else ""
            spread = f", spread {dimension['spread']}" if dimension["count"] else ""
            self.stdout.write(f"  {dimension['name']}{label}{critical}: {mean} from {dimension['count']}{spread}")

    # --- all open loops -------------------------------------------------------------

    def _all(self) -> None:
        open_loops = InterviewLoop.objects.filter(status__in=AWAITING_DECISION).order_by("pk")
        loop_ids = list(open_loops.values_list("pk", flat=True))
        total = len(loop_ids)
        if not total:
            self.stdout.write("No open loops.")
            return

        def progress(done: int) -> None:
            width = 30
            filled = width * done // total
            self.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} loops", ending="")
            if done == total:
                self.stderr.write("")
            self.stderr.flush()

        outcomes = recommendation_compute_many(loop_ids, progress=progress)
        changed = sum(1 for outcome in outcomes if outcome.changed)
        counts: dict[str, int] = {}
        for outcome in outcomes:
            if outcome.result is not None:
                counts[outcome.result.outcome_label] = counts.get(outcome.result.outcome_label, 0) + 1
        summary = ", ".join(f"{label}: {count}" for label, count in sorted(counts.items()))
        self.stdout.write(f"Recomputed {total} open loop(s), {changed} changed. {summary}")

    # --- what if --------------------------------------------------------------------

    def _what_if(self, path: Path, without: list[str], rubric_file: str | None) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read ({exc.strerror}).") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}).") from exc
        slug, version = whatif_header(data)
        if rubric_file:
            rubric_path = Path(rubric_file)
            spec = validate_rubric(read_rubric_file(rubric_path), str(rubric_path))
            if spec["role"]["slug"] != slug:
                raise CommandError(
                    f"{rubric_path} is the rubric of {spec['role']['slug']!r}; the what-if file asks for {slug!r}."
                )
            rubric = rubric_from_spec(spec["rubric"])
            signals = spec["rubric"]["signals"]
            red_flags = [s["text"] for s in signals if s["kind"] == "red_flag"]
            other_signals = [s["text"] for s in signals if s["kind"] != "red_flag"]
            rubric_version: int | None = version
        else:
            stored = rubric_for_slug(slug, version)
            rubric = rubric_input(stored)
            red_flags = [s.text for s in stored.signals.all() if s.kind == "red_flag"]
            other_signals = [s.text for s in stored.signals.all() if s.kind != "red_flag"]
            rubric_version = stored.version
        what_if = whatif_read(data, rubric=rubric, red_flags=red_flags, signals=other_signals, without=without)
        result = recommend(rubric, what_if.scorecards, offsets=what_if.offsets)
        payload = {
            "rubric": slug,
            "rubric_version": rubric_version,
            "left_out": list(what_if.left_out),
            **result.as_dict(),
        }
        self.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False))
