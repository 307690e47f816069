"""What earlier runs imported from a source, read once per kind of row."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef

from hiring.models import Candidate, Interview, InterviewLoop, User
from imports.models import ExternalRecord
from imports.services.rows import Known
from scorecards.models import Scorecard

_MODELS = {"user": User, "candidate": Candidate, "loop": InterviewLoop, "interview": Interview,
           "scorecard": Scorecard}


def known_records(source: str) -> Known:
    """One query per kind; a record whose row was deleted since is forgotten (it is imported again)."""
    by_kind: dict[str, dict[str, tuple[int, int, str]]] = {}
    stale: list[int] = []
    for kind, model in _MODELS.items():
        rows = (
            ExternalRecord.objects.filter(source=source, kind=kind)
            .annotate(present=Exists(model._default_manager.filter(pk=OuterRef("object_id"))))
            .values_list("external_id", "pk", "object_id", "fingerprint", "present")
        )
        by_kind[kind] = {}
        for external_id, pk, object_id, print_, present in rows:
            if present:
                by_kind[kind][external_id] = (pk, object_id, print_)
            else:
                stale.append(pk)
    return Known(by_kind, stale)


def imported(source: str, kind: str) -> Any:
    return ExternalRecord.objects.filter(source=source, kind=kind).values("object_id")
