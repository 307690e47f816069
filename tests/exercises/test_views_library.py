"""The exercise library pages: per role, search, detail, and admins' in-app add and edit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from exercises.models import Exercise
from exercises.services.library import ExerciseInput, exercise_create
from hiring.models import AuditEvent, Role, User
from tests.hiring.factories import UserFactory

pytestmark = pytest.mark.django_db

KINDS = ["interviewer", "recruiter", "committee", "admin"]


@pytest.fixture
def signed_in(client: Client) -> Callable[[str], User]:
    def sign(kind: str) -> User:
        user = UserFactory(kind=kind, username=f"{kind}-user", is_superuser=kind == "admin")
        client.force_login(user)
        return user
    return sign


@pytest.mark.parametrize("kind", KINDS)
def test_library_page_lists_every_role_with_its_exercise_counts(client, rubrics, signed_in, kind):
    signed_in(kind)
    body = client.get("/exercises/").content.decode()
    assert "<h1>Exercise library</h1>" in body
    assert 'href="/exercises/roles/applied-ai-engineer/"><bdi>Applied AI Engineer</bdi></a>' in body
    assert "4 exercises: 1 take-home, 1 live, 2 discussion" in body


def test_library_page_requires_sign_in(client, rubrics):
    response = client.get("/exercises/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/exercises/"


def test_role_page_shows_each_exercise_with_brief_criteria_and_dimensions(client, rubrics, signed_in):
    signed_in("interviewer")
    body = client.get("/exercises/roles/applied-ai-engineer/").content.decode()
    assert body.count('class="card brief"') == 4
    for text in ["Applied AI system design exercise", "60–90 minutes", "Take-home or live coding",
                 "Evaluation and error analysis exercise", "a dataset of predictions and labels",
                 "Identify failure clusters", "rollout plan", "cost controls", "MLOps/operational readiness"]:
        assert text in body
    assert "Add an exercise" not in body


def test_library_search_finds_words_in_tasks_materials_and_criteria(client, rubrics, signed_in):
    signed_in("recruiter")
    body = client.get("/exercises/", {"q": "failure clusters"}).content.decode()
    assert "1 exercise found" in body
    assert "Evaluation and error analysis exercise" in body
    # Every word must match, in any field: a criterion list and a task line both qualify.
    body = client.get("/exercises/", {"q": "rollout monitoring"}).content.decode()
    assert "2 exercises found" in body
    assert "Applied AI system design exercise" in body and "Choose a model update" in body
    body = client.get("/exercises/", {"q": "rollout monitoring", "role": "applied-ai-engineer"}).content.decode()
    assert "1 exercise found" in body
    body = client.get("/exercises/", {"q": "endpoint", "format": "take_home"}).content.decode()
    assert "Take-home or live coding" in body
    assert "Evaluation and error analysis exercise" not in body
    body = client.get("/exercises/", {"q": "zzzz-nothing"}).content.decode()
    assert "0 exercises found" in body and "No exercise matches." in body


def test_library_search_query_count_is_the_same_for_1_and_50_results(
    client, rubrics, signed_in, admin_user, django_assert_num_queries
):
    """Search costs a fixed number of queries whatever the number of results."""
    signed_in("recruiter")
    role = Role.objects.get(slug="junior-ai-engineer")

    def add(n: int) -> None:
        exercise_create(actor=admin_user, role=role,
                        data=ExerciseInput(title=f"Bespoke drill {n}", format="live", tasks=["Debug it"]))

    add(0)
    # session, user, roles with counts, result count, the page of results (with their roles)
    with django_assert_num_queries(5):
        body = client.get("/exercises/", {"q": "bespoke"}).content.decode()
    assert "1 exercise found" in body
    for n in range(1, 50):
        add(n)
    with django_assert_num_queries(5):
        body = client.get("/exercises/", {"q": "bespoke"}).content.decode()
    assert "50 exercises found" in body


def test_role_page_for_unknown_role_is_not_found(client, signed_in):
    signed_in("interviewer")
    assert client.get("/exercises/roles/astronaut/").status_code == 404


def test_exercise_create_page_admin_adds_exercise_with_audit(client, rubrics, signed_in):
    admin = signed_in("admin")
    response = client.post("/exercises/roles/applied-ai-engineer/new/", {
        "title": "Leakage debugging session",
        "format": "live",
        "duration": "45 minutes",
        "materials": "A notebook with a suspiciously good model\n\n",
        "tasks": "Find the leak\nFix the split",
        "evaluation": "Finds the leak\nExplains the fix",
        "dimension_names": ["Applied ML/AI fundamentals"],
        "is_active": "on",
    })
    exercise = Exercise.objects.get(slug="leakage-debugging-session")
    assert response.status_code == 302
    assert response["Location"] == f"/exercises/{exercise.pk}/"
    assert (exercise.role.slug, exercise.format, exercise.position, exercise.origin) == (
        "applied-ai-engineer", "live", 5, "custom")
    assert exercise.materials == ["A notebook with a suspiciously good model"]
    assert exercise.tasks == ["Find the leak", "Fix the split"]
    event = AuditEvent.objects.get(action="exercise.created")
    assert (event.actor_id, event.object_id) == (admin.pk, str(exercise.pk))
    assert event.after is not None
    assert event.after["dimension_names"] == ["Applied ML/AI fundamentals"]


def test_exercise_create_page_duplicate_title_shows_field_error(client, rubrics, signed_in):
    signed_in("admin")
    response = client.post("/exercises/roles/applied-ai-engineer/new/",
                           {"title": "Take-home or live coding", "format": "take_home"})
    assert response.status_code == 400
    assert ("This role already has an exercise with this short name; choose another title or slug."
            in response.content.decode())
    assert Exercise.objects.filter(role__slug="applied-ai-engineer").count() == 4


@pytest.mark.parametrize("kind", ["interviewer", "recruiter", "committee"])
def test_exercise_edit_page_non_admin_is_refused_and_nothing_changes(client, rubrics, signed_in, kind):
    signed_in(kind)
    exercise = Exercise.objects.get(role__slug="applied-ai-engineer", slug="take-home-or-live-coding")
    assert client.get(f"/exercises/{exercise.pk}/edit/").status_code == 403
    response = client.post(f"/exercises/{exercise.pk}/edit/", {"title": "Changed", "format": "live"})
    assert response.status_code == 403
    assert Exercise.objects.get(pk=exercise.pk).title == "Take-home or live coding"
    assert client.post("/exercises/roles/applied-ai-engineer/new/", {"title": "X", "format": "live"}).status_code == 403
    assert Exercise.objects.count() == Exercise.objects.filter(origin="document").count()


def test_exercise_edit_page_admin_saves_and_stale_form_is_refused(client, rubrics, signed_in):
    signed_in("admin")
    exercise = Exercise.objects.get(role__slug="applied-ai-engineer", slug="take-home-or-live-coding")
    page = client.get(f"/exercises/{exercise.pk}/edit/").content.decode()
    assert "This exercise comes from the role's blueprint." in page
    stale = exercise.updated_at.isoformat()
    form = {"title": "Inference service take-home", "format": "take_home", "duration": "2–3 hours",
            "tasks": "Build the service\nAdd tests", "evaluation": "Tests pass",
            "dimension_names": ["Software engineering"], "is_active": "on", "updated_at": stale}
    response = client.post(f"/exercises/{exercise.pk}/edit/", form)
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert (exercise.title, exercise.tasks, exercise.dimension_names) == (
        "Inference service take-home", ["Build the service", "Add tests"], ["Software engineering"])
    event = AuditEvent.objects.get(action="exercise.updated")
    assert event.before is not None and event.after is not None
    assert event.before["title"] == "Take-home or live coding"
    assert event.after["title"] == "Inference service take-home"
    # A second tab still holding the old version cannot overwrite the first tab's save.
    response = client.post(f"/exercises/{exercise.pk}/edit/", {**form, "title": "Other tab"})
    assert response.status_code == 409
    assert "This exercise was changed by someone else since you opened it." in response.content.decode()
    assert Exercise.objects.get(pk=exercise.pk).title == "Inference service take-home"


def test_exercise_edit_unknown_dimension_is_refused(client, rubrics, signed_in):
    signed_in("admin")
    exercise = Exercise.objects.get(role__slug="applied-ai-engineer", slug="take-home-or-live-coding")
    from exercises.services.library import exercise_update
    from hiring.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        exercise_update(actor=UserFactory(kind="admin", username="ad2"), exercise_id=exercise.pk,
                        data=ExerciseInput(title="X", format="live", dimension_names=["Telepathy"]),
                        expected_updated_at=None)
    assert caught.value.field_errors == {"dimension_names": ["Not a dimension of this role's rubric: Telepathy."]}
    assert Exercise.objects.get(pk=exercise.pk).title == "Take-home or live coding"


def test_retired_exercise_is_hidden_from_everyone_but_admins(client, rubrics, signed_in, admin_user):
    exercise = Exercise.objects.get(role__slug="applied-ai-engineer", slug="applied-ai-system-design")
    Exercise.objects.filter(pk=exercise.pk).update(is_active=False)
    signed_in("recruiter")
    assert client.get(f"/exercises/{exercise.pk}/").status_code == 404
    role_page = client.get("/exercises/roles/applied-ai-engineer/").content.decode()
    assert "Applied AI system design exercise" not in role_page
    client.force_login(admin_user)
    body = client.get("/exercises/roles/applied-ai-engineer/").content.decode()
    assert "Applied AI system design exercise" in body and "Retired" in body
