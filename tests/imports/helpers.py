"""Running the import in tests, and counting what the database holds."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command

from hiring.models import AuditEvent, Candidate, Interview, InterviewLoop, User
from imports.models import ExternalRecord, ImportRun
from scorecards.models import Rating, RecomputeRequest, Scorecard

FILES = Path(__file__).resolve().parent / "files"


def copy_files(tmp_path: Path, source: str) -> Path:
    """A copy of a source's test files to edit."""
    target = tmp_path / source
    shutil.copytree(FILES / source, target)
    return target


def run_import(directory: Path, source: str = "greenhouse", *args: str) -> str:
    out = StringIO()
    call_command("import_history", str(directory), "--source", source, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def table_counts() -> dict[str, int]:
    """Rows per table the import writes to: compared before and after a run that must change nothing."""
    models: list[Any] = [User, Candidate, InterviewLoop, Interview, Scorecard, Rating, ExternalRecord,
                         RecomputeRequest, AuditEvent, ImportRun]
    return {model.__name__: model.objects.count() for model in models}


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every imported value, to prove a refused or repeated run changed nothing."""
    return {
        "candidates": list(Candidate.objects.order_by("pk").values_list("pk", "name", "email", "phone", "erased_at")),
        "loops": list(InterviewLoop.objects.order_by("pk").values_list("pk", "status", "decision", "closed_at")),
        "interviews": list(Interview.objects.order_by("pk").values_list("pk", "kind", "interviewer_id", "starts_at")),
        "scorecards": list(Scorecard.objects.order_by("pk").values_list("pk", "overall", "summary", "source_id")),
        "ratings": list(Rating.objects.order_by("pk").values_list("scorecard_id", "dimension__name", "score",
                                                                  "not_assessed", "evidence")),
    }
