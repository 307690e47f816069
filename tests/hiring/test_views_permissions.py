"""Who may open the recruiter's pages and use their forms, for every kind of user."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hiring.models import Candidate, Interview, InterviewLoop
from tests.hiring.factories import TEST_PASSWORD, UserFactory, make_interview, make_loop

pytestmark = pytest.mark.django_db

KINDS = ["interviewer", "recruiter", "committee", "admin"]
READERS = {"recruiter", "committee", "admin"}
MANAGERS = {"recruiter", "admin"}


@pytest.fixture
def world(db):
    recruiter = UserFactory(recruiter=True, username="owner")
    loop = make_loop(recruiter=recruiter)
    interview = make_interview(loop=loop)
    return {"loop": loop, "interview": interview, "candidate": loop.candidate}


def user_of(kind: str):
    if kind == "admin":
        return UserFactory(admin=True, username="admin-user")
    return UserFactory(kind=kind, username=f"{kind}-user")


def pages(world) -> dict[str, tuple[str, set[str]]]:
    loop, interview, candidate = world["loop"], world["interview"], world["candidate"]
    return {
        "pipeline": (reverse("hiring:pipeline"), READERS),
        "candidate-list": (reverse("hiring:candidate-list"), READERS),
        "candidate-detail": (reverse("hiring:candidate-detail", args=[candidate.pk]), READERS),
        "candidate-summary": (reverse("hiring:candidate-summary", args=[candidate.pk]), READERS),
        "loop-detail": (reverse("hiring:loop-detail", args=[loop.pk]), READERS),
        "candidate-create": (reverse("hiring:candidate-create"), MANAGERS),
        "candidate-edit": (reverse("hiring:candidate-edit", args=[candidate.pk]), MANAGERS),
        "loop-create": (reverse("hiring:loop-create") + f"?candidate={candidate.pk}", MANAGERS),
        "loop-withdraw": (reverse("hiring:loop-withdraw", args=[loop.pk]), MANAGERS),
        "interview-create": (reverse("hiring:interview-create", args=[loop.pk]), MANAGERS),
        "interview-reassign": (reverse("hiring:interview-reassign", args=[interview.pk]), MANAGERS),
    }


PAGE_NAMES = ["pipeline", "candidate-list", "candidate-detail", "candidate-summary", "loop-detail",
              "candidate-create", "candidate-edit", "loop-create", "loop-withdraw", "interview-create",
              "interview-reassign"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("page", PAGE_NAMES)
def test_pages_open_only_for_allowed_kinds(client, world, kind, page):
    """Readers (recruiters, committee, admins) read; only recruiters and admins open the forms."""
    url, allowed = pages(world)[page]
    client.force_login(user_of(kind))

    response = client.get(url)

    assert response.status_code == (200 if kind in allowed else 403)


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_pages_anonymous_sent_to_sign_in(client, world, page):
    url, _ = pages(world)[page]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("kind", ["interviewer", "committee"])
def test_views_writes_refused_change_nothing(client, world, kind):
    """A committee member or interviewer posting the recruiter's forms is refused and nothing changes."""
    loop, interview, candidate = world["loop"], world["interview"], world["candidate"]
    first_interviewer = interview.interviewer
    client.force_login(user_of(kind))
    other = UserFactory(username="other-interviewer")

    responses = [
        client.post(reverse("hiring:candidate-create"), {"name": "Grace Hopper", "email": "grace@example.org"}),
        client.post(reverse("hiring:candidate-edit", args=[candidate.pk]),
                    {"name": "Changed", "email": candidate.email}),
        client.post(reverse("hiring:loop-withdraw", args=[loop.pk]), {"reason": "No."}),
        client.post(reverse("hiring:loop-assign", args=[loop.pk]), {"recruiter": world["loop"].recruiter_id}),
        client.post(reverse("hiring:interview-reassign", args=[interview.pk]), {"interviewer": other.pk}),
        client.post(reverse("hiring:interview-create", args=[loop.pk]), {
            "kind": "coding", "interviewer": other.pk, "starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T11:00"}),
    ]

    assert [r.status_code for r in responses] == [403] * 6
    loop.refresh_from_db()
    interview.refresh_from_db()
    assert Candidate.objects.count() == 1
    assert Candidate.objects.get().name == candidate.name
    assert loop.status != InterviewLoop.Status.WITHDRAWN
    assert interview.interviewer == first_interviewer
    assert Interview.objects.count() == 1


@pytest.mark.parametrize("kind", KINDS)
def test_navigation_shows_each_kind_its_pages(client, kind):
    """The navigation bar offers Pipeline and Candidates to readers only."""
    client.force_login(user_of(kind))

    response = client.get(reverse("login"))

    labels = {item["label"]: item["url"] for item in response.context["nav_items"]}
    assert ("Pipeline" in labels) == (kind in READERS)
    assert ("Candidates" in labels) == (kind in READERS)
    if kind in READERS:
        assert (labels["Pipeline"], labels["Candidates"]) == (reverse("hiring:pipeline"),
                                                              reverse("hiring:candidate-list"))


def test_sign_in_through_the_form_lands_recruiter_on_pipeline(client):
    UserFactory(recruiter=True, username="rita")
    response = client.post(reverse("login"), {"username": "rita", "password": TEST_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("hiring:pipeline")
