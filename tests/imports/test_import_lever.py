"""Importing Lever's API files (tests/imports/files/lever, in the documented shapes)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.management.base import CommandError

from hiring.models import Candidate, Interview, InterviewLoop, User
from imports.models import ImportRun
from imports.ratings import lever_overall, lever_score
from scorecards.models import Scorecard
from tests.hiring.factories import UserFactory
from tests.imports.helpers import FILES, copy_files, run_import, snapshot, table_counts

pytestmark = pytest.mark.django_db

LEVER = FILES / "lever"
FIRST = "e1e1e1e1-0001-4000-8000-000000000001"
SECOND = "e1e1e1e1-0001-4000-8000-000000000002"
BY_DELETED = "e1e1e1e1-0001-4000-8000-000000000003"


@pytest.fixture
def rachel(rubrics):
    return UserFactory(username="rachel", email="rachel@example.com")


def ratings_of(source_id: str) -> dict[str, tuple[int | None, bool]]:
    card = Scorecard.objects.get(source="lever", source_id=source_id)
    return {r.dimension.name: (r.score, r.not_assessed) for r in card.ratings.select_related("dimension")}


def test_import_lever_creates_history(rachel):
    output = run_import(LEVER, "lever")

    run = ImportRun.objects.get()
    assert run.counts == {
        "users": {"created": 3, "matched by email": 1},
        "candidates": {"created": 2},
        "loops": {"created": 2, "skipped": 1},
        "interviews": {"created": 4},
        "scorecards": {"created": 3, "skipped": 1},
    }
    assert run.unmapped == [{"job": "f2f01e16-27f8-4711-a728-7d49499795a0", "job_name": "Applied AI Engineer",
                             "attribute": "Humour", "why": "not in the mapping file", "ratings": 1}]
    assert "'Humour', 1 rating(s), not in the mapping file" in output

    assert sorted(User.objects.exclude(pk=rachel.pk).values_list("first_name", "last_name", "email", "is_active")) == [
        ("Deleted Lever user", "3c3c3c3c-dead-4bee-8fee-000000000000", "", False),
        ("Ross", "Geller", "ross@example.com", False),
        ("Ñandú", "Pérez", "", False),
    ]
    olafur = Candidate.objects.get(name="Ólafur Arnalds")
    assert (olafur.email, olafur.phone) == ("olafur@example.com", "(123) 456-7891")
    hired = InterviewLoop.objects.get(candidate=olafur)
    # The archive reason the mapping calls "hired" is a hire decision.
    assert (hired.status, hired.decision, hired.closed_at) == (
        "decided", "hire", datetime(2025, 1, 27, 17, 46, 40, tzinfo=UTC))
    assert hired.recruiter is not None and hired.recruiter.email == "ross@example.com"
    still_open = InterviewLoop.objects.get(candidate__name="Zoë Saldaña")
    assert still_open.status == "awaiting_feedback"
    interview = Interview.objects.get(loop=hired, interviewer=rachel)
    assert (interview.kind, interview.starts_at, interview.ends_at) == (
        "system_design", datetime(2025, 1, 15, 10, 0, tzinfo=UTC), datetime(2025, 1, 15, 11, 0, tzinfo=UTC))

    # Lever's four points: 1 and 2 stay low, 3 and 4 go to the top; an empty score is "not assessed".
    assert ratings_of(FIRST) == {"Communication & collaboration": (4, False), "Software engineering": (2, False),
                                 "AI system design": (None, True)}
    assert ratings_of(SECOND) == {"Communication & collaboration": (None, True), "Software engineering": (1, False),
                                  "AI system design": (5, False)}
    first, second = Scorecard.objects.get(source_id=FIRST), Scorecard.objects.get(source_id=SECOND)
    assert (first.overall, first.summary, first.interviewer) == ("strong_yes", "Summary: Clear thinker; would hire.",
                                                                 rachel)
    assert second.overall == ""  # no rating: no overall recommendation
    by_deleted = Scorecard.objects.get(source_id=BY_DELETED)
    assert (by_deleted.overall, by_deleted.interviewer.username, by_deleted.interview.kind) == (
        "strong_no", "lever-deleted-3c3c3c3c-dead-4bee-8fee-000000000000", "take_home_review")


def test_import_lever_again_changes_nothing(rachel):
    run_import(LEVER, "lever")
    before, values = table_counts(), snapshot()

    run_import(LEVER, "lever")

    assert table_counts() == {**before, "ImportRun": before["ImportRun"] + 1, "AuditEvent": before["AuditEvent"] + 1}
    assert snapshot() == values


def test_import_lever_malformed_feedback_is_refused(rachel, tmp_path):
    directory = copy_files(tmp_path, "lever")
    path = directory / "feedback.json"
    path.write_text(path.read_text().replace('"value": [{"score": 1}, {"score": 4}]',
                                             '"value": [{"score": 7}, {"score": 4}]'))
    before = table_counts()

    with pytest.raises(CommandError) as refused:
        run_import(directory, "lever")

    assert str(refused.value) == (
        "Nothing was imported:\n  feedback.json, feedback e1e1e1e1-0001-4000-8000-000000000002: "
        "fields[2] (scorecard).value[0] is not a score from 1 to 4"
    )
    assert table_counts() == {**before, "ImportRun": 1, "AuditEvent": before["AuditEvent"] + 1}


@pytest.mark.parametrize(("value", "expected"), [
    (1, "strong_no"), (2, "no"), (3, "yes"), (4, "strong_yes"), ("3", "yes"), ("Strong Hire", "strong_yes"),
    ("2 - No Hire", "no"), (None, ""), ("", ""),
])
def test_lever_overall_table(value, expected):
    assert lever_overall(value) == expected


@pytest.mark.parametrize(("value", "points", "expected"), [
    (1, 4, 1), (2, 4, 2), (3, 4, 4), (4, 4, 5), (3, 5, 3), (5, 5, 5), (None, 4, None), ("4", 4, 5),
])
def test_lever_score_table(value, points, expected):
    assert lever_score(value, points=points) == expected


@pytest.mark.parametrize("value", [0, 5, 2.5, True, "four", [3]])
def test_lever_score_off_the_scale_is_refused(value):
    with pytest.raises(ValueError, match="is not a score from 1 to 4"):
        lever_score(value, points=4)


def test_import_lever_suggest_mapping_lists_archive_reasons_to_review(rubrics):
    """Lever names a hire only through an archive reason: the draft lists each one seen, as 'withdrawn' to check."""
    output = run_import(LEVER, "lever", "--suggest-mapping")

    assert ('archive_reasons:  # hired, rejected or withdrawn (closed with no decision)\n'
            '  "63dd55b2-a99f-4e7b-985f-22c7bf80ab42": withdrawn  # 1 opportunit(ies): check\n') in output
    assert '      "Humour": null  # 1 rating(s); no dimension matched: map it, or leave it out\n' in output
    assert ImportRun.objects.count() == 0
