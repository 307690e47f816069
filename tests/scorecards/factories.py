"""Rubrics from the real fixture files, and scorecards built through the services."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from hiring.models import Interview
from scorecards.models import Rubric, Scorecard
from scorecards.rubrics.io import read_rubric_file, validate_rubric
from scorecards.rubrics.services import rubric_publish
from scorecards.services.scorecards import (
    RatingInput,
    ScorecardInput,
    SignalInput,
    scorecard_save_draft,
    scorecard_submit,
)

# Every dimension of the applied-ai-engineer rubric (make_loop's default role): a card that scores them all.
ALL_DIMENSIONS = (
    "Software engineering",
    "Applied ML/AI fundamentals",
    "AI system design",
    "MLOps/operational readiness",
    "Cost/performance thinking",
    "Responsible AI / security / privacy",
    "Communication & collaboration",
)
RUBRIC_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "rubrics"
SLUGS = (
    "associate-applied-ai-engineer",
    "junior-applied-ai-engineer",
    "applied-ai-engineer",
    "junior-ai-engineer",
    "associate-responsible-ai-engineer",
)


@cache
def fixture_spec(slug: str) -> dict[str, Any]:
    """Parsing YAML is the slow part; each file is validated once per test session."""
    path = RUBRIC_DIR / f"{slug}.yaml"
    return validate_rubric(read_rubric_file(path), str(path))


def publish_fixture_rubrics(slugs: list[str] | tuple[str, ...] = SLUGS) -> dict[str, Rubric]:
    return {slug: rubric_publish(spec=fixture_spec(slug))[0] for slug in slugs}


def scorecard_input(
    interview: Interview,
    scores: Mapping[str, int | None],
    *,
    overall: str = "yes",
    signals: dict[str, str] | None = None,
    summary: str = "Solid interview.",
    evidence: str = "Walked through the design and tested edge cases.",
) -> ScorecardInput:
    """Build input by dimension name (None = not assessed) and signal text -> note."""
    rubric = interview.loop.rubric
    by_name = {d.name: d for d in rubric.dimensions.all()}
    ratings = [
        RatingInput(
            dimension_id=by_name[name].pk,
            score=score,
            not_assessed=score is None,
            evidence=evidence if score is not None else "",
        )
        for name, score in scores.items()
    ]
    by_text = {s.text: s for s in rubric.signals.all()}
    signal_inputs = [SignalInput(signal_id=by_text[text].pk, note=note) for text, note in (signals or {}).items()]
    return ScorecardInput(ratings=ratings, signals=signal_inputs, overall=overall, summary=summary)


def submit_scorecard(interview: Interview, scores: Mapping[str, int | None] | None = None, **kwargs: Any) -> Scorecard:
    """Submit a complete scorecard for the interview's interviewer (default: 3 on each focus dimension)."""
    if scores is None:
        scores = {d.name: 3 for d in interview.focus_dimensions.all()}
    data = scorecard_input(interview, scores, **kwargs)
    return scorecard_submit(actor=interview.interviewer, interview_id=interview.pk, data=data, expected_version=None)


def save_draft(interview: Interview, scores: Mapping[str, int | None], **kwargs: Any) -> Scorecard:
    data = scorecard_input(interview, scores, **kwargs)
    return scorecard_save_draft(
        actor=interview.interviewer, interview_id=interview.pk, data=data, expected_version=None
    )


def rubric_editors_group():
    """The "Rubric editors" group a migration makes; made again here when a transactional test flushed it."""
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.get_or_create(name="Rubric editors")
    # Both permissions its migrations give it (0009 edit_rubric, 0011 change_question), so a group remade
    # after a flush is the one production has.
    group.permissions.add(*Permission.objects.filter(
        content_type__app_label="scorecards", codename__in=("edit_rubric", "change_question")
    ))
    assert group.permissions.filter(codename__in=("edit_rubric", "change_question")).count() == 2
    return group
