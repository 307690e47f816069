"""The permission matrix of the exercise and take-home endpoints: every kind of user, exact statuses, refused
writes change nothing (the matrix of test_api_permissions.py, over the same world, with a take-home on its loop).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from exercises.models import DeadlineExtension, Exercise, ExerciseAssignment, ExerciseSubmission
from hiring.models import AuditEvent, IdempotencyKey, Interview
from tests.api.conftest import World
from tests.exercises.factories import make_take_home, submit, take_home_exercise, zip_upload

ACTORS = ("anonymous", "pending", "submitted", "outsider", "recruiter", "committee", "admin")
# Who may see the loop (and so its take-home): its interviewers, recruiters, the committee and admins.
READERS = {"pending": 200, "submitted": 200, "outsider": 404, "recruiter": 200, "committee": 200, "admin": 200}


@dataclass
class TakeHomeWorld:
    world: World
    assignment: ExerciseAssignment
    submission: ExerciseSubmission  # with a file
    live_exercise: Exercise


@pytest.fixture
def th(world: World, settings, tmp_path) -> TakeHomeWorld:
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                     "OPTIONS": {"location": str(tmp_path)}}}
    assignment, token = make_take_home(loop=world.loop, reviewer=world.pending)
    return TakeHomeWorld(
        world=world,
        assignment=assignment,
        submission=submit(token, upload=zip_upload()),
        live_exercise=world.loop.role.exercises.get(slug="evaluation-and-error-analysis"),
    )


def _statuses(default: int, **overrides: int) -> dict[str, int]:
    expected = {actor: default for actor in ACTORS}
    expected["anonymous"] = 401
    expected.update(overrides)
    return expected


def _managers(success: int) -> dict[str, int]:
    """Recruiters and admins only, as on the pages; refused before the object is looked up."""
    return _statuses(403, recruiter=success, admin=success)


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: Callable[[TakeHomeWorld], str]
    expected: dict[str, int]
    body: Callable[[TakeHomeWorld], dict[str, Any]] | None = None


CASES = [
    Case("take-homes", "get", lambda t: "/api/v1/take-homes/", _statuses(200)),
    Case("take-home", "get", lambda t: f"/api/v1/take-homes/{t.assignment.pk}/", _statuses(200, **READERS)),
    Case("submissions", "get", lambda t: "/api/v1/take-home-submissions/", _statuses(200)),
    Case("submission", "get", lambda t: f"/api/v1/take-home-submissions/{t.submission.pk}/",
         _statuses(200, **READERS)),
    Case("download", "get", lambda t: f"/api/v1/take-home-submissions/{t.submission.pk}/download/",
         _statuses(200, **READERS)),
    Case("assign", "post", lambda t: "/api/v1/take-homes/", _managers(201),
         body=lambda t: {"loop": t.world.other_loop.pk, "exercise": take_home_exercise().pk,
                         "due_at": (timezone.now() + timedelta(days=3)).isoformat(), "reviewer": t.world.outsider.pk}),
    Case("extend", "post", lambda t: f"/api/v1/take-homes/{t.assignment.pk}/extend/", _managers(200),
         body=lambda t: {"due_at": (t.assignment.due_at + timedelta(days=1)).isoformat(), "reason": "Travelling."}),
    Case("reissue link", "post", lambda t: f"/api/v1/take-homes/{t.assignment.pk}/reissue-link/", _managers(200)),
    Case("attach exercise", "post", lambda t: f"/api/v1/interviews/{t.world.fresh_interview.pk}/exercise/",
         _managers(200), body=lambda t: {"exercise": t.live_exercise.pk}),
    Case("add exercise", "post", lambda t: "/api/v1/exercises/", _statuses(403, admin=201),
         body=lambda t: {"role": t.world.loop.role.slug, "title": "Pairing on a flaky eval", "format": "live"}),
    Case("edit exercise", "patch", lambda t: f"/api/v1/exercises/{t.live_exercise.pk}/", _statuses(403, admin=200),
         body=lambda t: {"title": "Error analysis, live"}),
]


def state() -> dict[str, Any]:
    """Everything a refused request must leave untouched."""
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (Exercise, ExerciseAssignment, ExerciseSubmission, DeadlineExtension, Interview,
                          AuditEvent, IdempotencyKey)
        },
        "exercises": list(Exercise.objects.order_by("pk").values_list("title", "format", "is_active", "updated_at")),
        "assignments": list(ExerciseAssignment.objects.order_by("pk").values_list(
            "due_at", "token_hash", "token_issued_at", "link_emailed_at")),
        "interviews": list(Interview.objects.order_by("pk").values_list("exercise_id", "ends_at")),
    }


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_api_exercises_permission_matrix(case: Case, th: TakeHomeWorld, api) -> None:
    """Each kind of user gets exactly the expected status; a refused write changes nothing.

    Each actor's request runs in a savepoint rolled back afterwards, so every one meets the same data.
    """
    clients = {actor: api(th.world.person(actor)) for actor in ACTORS}
    got: dict[str, int] = {}
    problems: list[str] = []
    for actor in ACTORS:
        with transaction.atomic():
            before = state()
            kwargs: dict[str, Any] = {"format": "json"}
            if case.body is not None:
                kwargs["data"] = case.body(th)
            response = getattr(clients[actor], case.method)(case.url(th), **kwargs)
            got[actor] = response.status_code
            if response.status_code >= 400:
                if set(response.json()) != {"code", "message", "field_errors"}:
                    problems.append(f"{actor}: error body {response.json()}")
                if case.method != "get" and state() != before:
                    problems.append(f"{actor}: refused with {response.status_code} but the data changed")
            if response.status_code != case.expected[actor]:
                problems.append(f"{actor}: {response.status_code} {response.content[:300]!r}")
            transaction.set_rollback(True)

    assert got == case.expected, problems
    assert problems == []


def test_api_exercises_lists_show_only_visible_take_homes(th: TakeHomeWorld, api) -> None:
    """The lists answer 200 to everyone signed in, but an interviewer off the loop finds nothing in them."""
    for actor, expected in READERS.items():
        client = api(th.world.person(actor))
        listed = client.get("/api/v1/take-homes/").json()["count"]
        submissions = client.get("/api/v1/take-home-submissions/").json()["count"]
        visible = 1 if expected == 200 else 0
        assert (actor, listed, submissions) == (actor, visible, visible)
