"""The starting questions of a role: its blueprint's "what to assess" areas and practical exercises.

The question text is the document's (as the rubric file quotes it) and marked "from the document"; which
dimensions each area assesses, the follow-up probes and the strong and weak answers come from the team's file
``fixtures/questions/<role>.yaml`` and are marked as the team's. Idempotent: a question is found again by its
seed key, and one edited in the app (its text or guidance) is left as edited.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from hiring.models import Role
from scorecards.models import Question, QuestionDimension, QuestionOrigin
from scorecards.questions.keys import dimension_key

GUIDANCE_DIR = Path(settings.BASE_DIR) / "fixtures" / "questions"


class SeedError(ValueError):
    pass


def guidance_for(slug: str, directory: Path = GUIDANCE_DIR) -> dict[str, Any]:
    path = directory / f"{slug}.yaml"
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise SeedError(f"{path}: expected a mapping with focus_areas and exercises")
    return data


def _source(spec: dict[str, Any]) -> str:
    role = spec["role"]
    return f"{role.get('source_document', '')} lines {role.get('source_lines', '')}".strip()


def seed_rows(spec: dict[str, Any], guidance: dict[str, Any]) -> list[dict[str, Any]]:
    """The seed's questions for a validated rubric specification, each with its seed key and dimension keys."""
    names = {d["key"]: d["name"] for d in spec["rubric"]["dimensions"]}
    # The guidance files name dimensions as the document does; the link is the dimension's key in the rubric.
    key_of = {d["name"]: d["key"] for d in spec["rubric"]["dimensions"]}
    areas = guidance.get("focus_areas") or {}
    exercises = guidance.get("exercises") or {}
    where = f"fixtures/questions/{spec['role']['slug']}.yaml"
    rows = []
    for area in spec["rubric"].get("focus_areas", []):
        title = area["title"]
        extra = areas.get(title) or {}
        keys = [key_of.get(n) or dimension_key(n) for n in extra.get("dimensions", [])]
        if not keys:
            continue  # the team has not said which dimensions the area assesses: no question to link yet
        text = f"{title}: {area['description']}" if area.get("description") else title
        rows.append({"seed_key": f"area-{slugify(title)}"[:120], "text": text, "keys": keys, **_guidance(extra)})
    for exercise in spec.get("exercises", []):
        extra = exercises.get(exercise["slug"]) or {}
        keys = [key_of.get(n) or dimension_key(n) for n in exercise.get("dimensions", [])]
        if not keys:
            continue
        tasks = "; ".join(exercise.get("tasks") or [])
        text = f"Exercise, {exercise['title']}" + (f": {tasks}" if tasks else "")
        guidance_row = _guidance(extra)
        if not guidance_row["strong_answer"] and exercise.get("evaluation"):
            guidance_row["strong_answer"] = "Covers what the document evaluates: " + "; ".join(exercise["evaluation"])
        rows.append({"seed_key": f"exercise-{exercise['slug']}"[:120], "text": text, "keys": keys, **guidance_row})
    for row in rows:
        unknown = [k for k in row["keys"] if k not in names]
        if unknown:
            raise SeedError(f"{where}: {row['seed_key']} names dimensions the rubric lacks: {', '.join(unknown)}")
    return rows


def _guidance(extra: dict[str, Any]) -> dict[str, Any]:
    return {"probes": [str(p) for p in extra.get("probes", [])], "strong_answer": str(extra.get("strong", "")),
            "weak_answer": str(extra.get("weak", ""))}


@transaction.atomic
def questions_seed(*, role: Role, spec: dict[str, Any], guidance: dict[str, Any] | None = None) -> tuple[int, int]:
    """Create the seed's missing questions of the role; returns (created, unchanged)."""
    rows = seed_rows(spec, guidance_for(role.slug) if guidance is None else guidance)
    existing = set(Question.objects.filter(role=role, seed_key__in=[r["seed_key"] for r in rows])
                   .values_list("seed_key", flat=True))
    created = 0
    for row in rows:
        if row["seed_key"] in existing:
            continue
        question = Question.objects.create(
            role=role, seed_key=row["seed_key"], text=row["text"], probes=row["probes"],
            strong_answer=row["strong_answer"], weak_answer=row["weak_answer"], origin=QuestionOrigin.DOCUMENT,
            guidance_origin=QuestionOrigin.TEAM, source=_source(spec)[:200],
        )
        QuestionDimension.objects.bulk_create(QuestionDimension(question=question, dimension_key=k)
                                              for k in dict.fromkeys(row["keys"]))
        created += 1
    return created, len(rows) - created
