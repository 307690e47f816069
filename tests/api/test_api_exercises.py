"""The exercise library over the API: admins add and edit exercises through the pages' services; others read."""

from __future__ import annotations

import pytest

from exercises.models import Exercise
from hiring.models import AuditEvent
from tests.hiring.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/exercises/"
NON_ADMINS = ["interviewer", "recruiter", "committee"]
NEW_EXERCISE = {
    "role": "applied-ai-engineer",
    "title": "Leakage debugging session",
    "format": "live",
    "duration": "45 minutes",
    "materials": ["A notebook with a suspiciously good model", "  "],
    "tasks": ["Find the leak", "Fix the split"],
    "evaluation": ["Finds the leak", "Explains the fix"],
    "dimension_names": ["Applied ML/AI fundamentals"],
}


@pytest.fixture
def take_home(rubrics) -> Exercise:
    return Exercise.objects.get(role__slug="applied-ai-engineer", slug="take-home-or-live-coding")


def _person(kind: str):
    return UserFactory(kind=kind, username=f"{kind}-user", is_superuser=kind == "admin")


def _library() -> list[tuple]:
    return list(Exercise.objects.order_by("pk").values_list("pk", "title", "format", "tasks", "is_active"))


def test_api_exercises_create_admin(api, rubrics):
    """An admin adds an exercise: it lands after the role's others, as a custom one, with an audit event."""
    admin = _person("admin")
    response = api(admin).post(URL, NEW_EXERCISE, format="json")

    assert response.status_code == 201
    body = response.json()
    exercise = Exercise.objects.get(slug="leakage-debugging-session")
    assert body["id"] == exercise.pk
    assert (body["role"]["slug"], body["title"], body["format"], body["position"], body["origin"]) == (
        "applied-ai-engineer", "Leakage debugging session", "live", 5, "custom")
    assert body["materials"] == ["A notebook with a suspiciously good model"]
    assert body["tasks"] == ["Find the leak", "Fix the split"]
    assert body["dimension_names"] == ["Applied ML/AI fundamentals"]
    assert body["is_active"] is True
    event = AuditEvent.objects.get(action="exercise.created")
    assert (event.actor_id, event.object_id) == (admin.pk, str(exercise.pk))
    # Everyone signed in then finds it in the library.
    listed = api(_person("interviewer")).get(URL, {"search": "suspiciously good model"}).json()
    assert [row["id"] for row in listed["results"]] == [exercise.pk]


@pytest.mark.parametrize("kind", NON_ADMINS)
def test_api_exercises_create_non_admin_refused(api, rubrics, kind):
    """Only admins add exercises (403 whatever the body), and nothing is written."""
    before = _library()
    response = api(_person(kind)).post(URL, NEW_EXERCISE, format="json")

    assert response.status_code == 403
    assert response.json()["message"] == "Only admins add and edit exercises."
    assert _library() == before
    assert not AuditEvent.objects.filter(action="exercise.created").exists()


@pytest.mark.parametrize(
    ("change", "field_errors"),
    [
        ({"title": "Take-home or live coding", "format": "take_home"},
         {"title": ["This role already has an exercise with this short name; choose another title or slug."]}),
        ({"dimension_names": ["Telepathy"]},
         {"dimension_names": ["Not a dimension of this role's rubric: Telepathy."]}),
        ({"title": "   "}, {"title": ["Give the exercise a title."],
                            "slug": ["Give a short name made of letters, digits and hyphens."]}),
        ({"format": "poster"}, {"format": ['"poster" is not a valid choice.']}),
        ({"tasks": [f"Task {n}" for n in range(41)]}, {"tasks": ["At most 40 lines."]}),
        ({"role": "astronaut"}, {"role": ["Object with slug=astronaut does not exist."]}),
    ],
)
def test_api_exercises_create_bad_input_names_the_field(api, rubrics, change, field_errors):
    """Bad input is a 400 naming the field in the pages' words; nothing is half-saved."""
    before = _library()
    response = api(_person("admin")).post(URL, {**NEW_EXERCISE, **change}, format="json")

    assert response.status_code == 400
    assert response.json()["field_errors"] == field_errors
    assert _library() == before
    assert not AuditEvent.objects.filter(action="exercise.created").exists()


def test_api_exercises_create_idempotency_key_replays(api, rubrics):
    """A retried create with the same key answers with the first exercise instead of adding a second."""
    client = api(_person("admin"))
    first = client.post(URL, NEW_EXERCISE, format="json", HTTP_IDEMPOTENCY_KEY="ex-1")
    again = client.post(URL, NEW_EXERCISE, format="json", HTTP_IDEMPOTENCY_KEY="ex-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Exercise.objects.filter(slug="leakage-debugging-session").count() == 1


def test_api_exercises_update_admin(api, take_home):
    """An admin edits some fields; the others keep their value, and the change is audited."""
    admin = _person("admin")
    read = api(admin).get(f"{URL}{take_home.pk}/").json()
    response = api(admin).patch(
        f"{URL}{take_home.pk}/",
        {"title": "Inference service take-home", "tasks": ["Build the service", "Add tests"],
         "updated_at": read["updated_at"]},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["tasks"], body["format"], body["evaluation"]) == (
        "Inference service take-home", ["Build the service", "Add tests"], "take_home", read["evaluation"])
    take_home.refresh_from_db()
    assert take_home.title == "Inference service take-home"
    event = AuditEvent.objects.get(action="exercise.updated")
    assert event.before is not None and event.after is not None
    assert (event.before["title"], event.after["title"]) == ("Take-home or live coding", "Inference service take-home")
    assert set(event.after) == {"title", "tasks"}


def test_api_exercises_update_stale_version_refused(api, take_home):
    """An edit based on an older read is refused (409) instead of overwriting someone else's save."""
    client = api(_person("admin"))
    stale = client.get(f"{URL}{take_home.pk}/").json()["updated_at"]
    assert client.patch(f"{URL}{take_home.pk}/", {"title": "First tab"}, format="json").status_code == 200

    response = client.patch(f"{URL}{take_home.pk}/", {"title": "Second tab", "updated_at": stale}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert Exercise.objects.get(pk=take_home.pk).title == "First tab"


def test_api_exercises_update_bad_input_changes_nothing(api, take_home):
    before = _library()
    response = api(_person("admin")).patch(
        f"{URL}{take_home.pk}/", {"title": "Renamed", "dimension_names": ["Telepathy"]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["field_errors"] == {"dimension_names": ["Not a dimension of this role's rubric: Telepathy."]}
    assert _library() == before
    assert not AuditEvent.objects.filter(action="exercise.updated").exists()


@pytest.mark.parametrize("kind", NON_ADMINS)
def test_api_exercises_update_non_admin_refused(api, take_home, kind):
    before = _library()
    response = api(_person(kind)).patch(f"{URL}{take_home.pk}/", {"title": "Changed"}, format="json")

    assert response.status_code == 403
    assert _library() == before


def test_api_exercises_retired_exercise_edited_by_admin_only(api, take_home):
    """Retiring hides the exercise from everyone but admins, who can still edit it (404 for the others)."""
    admin = api(_person("admin"))
    assert admin.patch(f"{URL}{take_home.pk}/", {"is_active": False}, format="json").json()["is_active"] is False

    assert api(_person("recruiter")).get(f"{URL}{take_home.pk}/").status_code == 404
    assert admin.get(f"{URL}{take_home.pk}/").status_code == 200
    assert admin.patch(f"{URL}{take_home.pk}/", {"is_active": True}, format="json").json()["is_active"] is True


def test_api_exercises_put_and_delete_not_allowed(api, take_home):
    """The library is edited field by field (PATCH); exercises are retired, never deleted."""
    client = api(_person("admin"))
    assert client.put(f"{URL}{take_home.pk}/", {"title": "X", "format": "live"}, format="json").status_code == 405
    assert client.delete(f"{URL}{take_home.pk}/").status_code == 405
    assert Exercise.objects.filter(pk=take_home.pk, title="Take-home or live coding").exists()
