"""The candidate's private link: wrong, replaced, past the deadline, expired."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from exercises.models import ExerciseAssignment, ExerciseSubmission
from exercises.services.assignments import take_home_reissue_link
from hiring.errors import Conflict, NotFound
from hiring.models import InterviewLoop
from tests.exercises.factories import make_take_home, recruiter_of, submit

pytestmark = pytest.mark.django_db


def page(client, token: str):
    return client.get(f"/exercises/take-home/{token}/")


def post(client, token: str, **data):
    return client.post(f"/exercises/take-home/{token}/", data)


def test_take_home_page_valid_link_shows_brief_without_an_account(client):
    """Anyone with the link sees the brief and the form; no sign-in."""
    assignment, token = make_take_home()
    response = page(client, token)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1><bdi>Take-home or live coding</bdi></h1>" in body
    assert "Build a small inference microservice or pipeline component" in body
    assert 'name="repository_url"' in body and 'type="file"' in body
    assert 'accept=".ipynb,.md,.pdf,.py,.tar.gz,.txt,.zip"' in body
    # Internal rubric names are for the panel, not the candidate.
    assert "MLOps/operational readiness" not in body
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.parametrize("token", [
    "x" * 43,  # well-formed but unknown
    "short",  # not even a token
    "A" * 200,  # far too long
])
def test_take_home_page_wrong_token_is_not_found(client, token):
    make_take_home()
    response = page(client, token)
    assert response.status_code == 404
    assert "This link is not valid." in response.content.decode()


def test_take_home_submit_wrong_token_stores_nothing(client):
    make_take_home()
    response = post(client, "y" * 43, repository_url="https://github.com/someone/solution")
    assert response.status_code == 404
    assert ExerciseSubmission.objects.count() == 0


def test_take_home_page_after_deadline_within_grace_shows_brief_and_closed_form(client):
    """Between the deadline and the end of the grace period the page shows what was sent, with no form."""
    assignment, token = make_take_home(due_in=timedelta(hours=1))
    submit(token, repository_url="https://github.com/c/solution")
    ExerciseAssignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(hours=2))
    response = page(client, token)
    body = response.content.decode()
    assert response.status_code == 200
    assert "The deadline has passed, so submissions are closed." in body
    assert 'name="repository_url"' not in body
    assert "repository https://github.com/c/solution" in body


def test_take_home_submit_reused_after_deadline_is_refused_with_clear_message(client):
    """A link used again after the deadline takes nothing and says why."""
    assignment, token = make_take_home()
    submit(token, repository_url="https://github.com/c/first")
    ExerciseAssignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(minutes=5))
    response = post(client, token, repository_url="https://github.com/c/late")
    body = response.content.decode()
    assert response.status_code == 409
    assert "Your submission was not accepted" in body
    assert "so submissions are closed and this one was not accepted" in body
    assert "ask your recruiter to extend the deadline" in body
    assert list(ExerciseSubmission.objects.values_list("repository_url", flat=True)) == [
        "https://github.com/c/first"
    ]


def test_take_home_submit_late_service_raises_deadline_passed():
    assignment, token = make_take_home()
    with pytest.raises(Conflict) as caught:
        submit(token, repository_url="https://github.com/c/late", now=assignment.due_at + timedelta(seconds=1))
    assert caught.value.code == "deadline_passed"
    assert ExerciseSubmission.objects.count() == 0


def test_take_home_submit_exactly_at_deadline_is_accepted():
    assignment, token = make_take_home()
    submission = submit(token, repository_url="https://github.com/c/s", now=assignment.due_at)
    assert submission.submitted_at == assignment.due_at


def test_take_home_page_expired_link_is_gone(client):
    """After the deadline plus the grace period the link shows only that it expired."""
    assignment, token = make_take_home()
    ExerciseAssignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(hours=25))
    response = page(client, token)
    body = response.content.decode()
    assert response.status_code == 410
    assert "This link expired on" in body
    assert "Take-home or live coding" not in body
    response = post(client, token, repository_url="https://github.com/c/s")
    assert response.status_code == 410
    assert ExerciseSubmission.objects.count() == 0


@pytest.mark.parametrize("status", [InterviewLoop.Status.WITHDRAWN, InterviewLoop.Status.DECIDED])
def test_take_home_page_closed_loop_is_gone(client, status):
    assignment, token = make_take_home()
    InterviewLoop.objects.filter(pk=assignment.loop_id).update(status=status)
    response = post(client, token, repository_url="https://github.com/c/s")
    assert response.status_code == 410
    assert "the hiring process it belonged to has ended" in response.content.decode()
    assert ExerciseSubmission.objects.count() == 0


def test_take_home_reissue_link_replaces_old_token(client, django_capture_on_commit_callbacks):
    """A new link works; the old one is no longer valid."""
    assignment, old = make_take_home()
    with django_capture_on_commit_callbacks(execute=True):
        _, new = take_home_reissue_link(actor=recruiter_of(assignment.loop), assignment_id=assignment.pk)
    assert new != old
    assert page(client, old).status_code == 404
    assert page(client, new).status_code == 200
    assert mail.outbox[-1].subject == "New link: Your take-home exercise for the Applied AI Engineer role"
    assert f"/exercises/take-home/{new}/" in mail.outbox[-1].body
    assert "The link we sent before no longer works." in mail.outbox[-1].body


def test_take_home_link_email_for_replaced_token_is_not_sent(django_capture_on_commit_callbacks):
    """A link email still queued when the link was replaced is dropped, not sent with a dead link."""
    from exercises.notifications import send_take_home_link

    assignment, old = make_take_home()
    take_home_reissue_link(actor=recruiter_of(assignment.loop), assignment_id=assignment.pk)
    assert send_take_home_link(assignment_id=assignment.pk, token=old) is False
    assert mail.outbox == []


def test_take_home_submit_with_old_token_after_reissue_is_not_found():
    assignment, old = make_take_home()
    take_home_reissue_link(actor=recruiter_of(assignment.loop), assignment_id=assignment.pk)
    with pytest.raises(NotFound):
        submit(old, repository_url="https://github.com/c/s")
    assert ExerciseSubmission.objects.count() == 0


def test_take_home_page_query_count_is_the_same_for_1_and_50_submissions(client, django_assert_num_queries):
    assignment, token = make_take_home()
    submit(token, repository_url="https://github.com/c/v0")
    # the assignment by its token hash (with loop, candidate, role), the submissions
    with django_assert_num_queries(2):
        page(client, token)
    for n in range(1, 50):
        submit(token, repository_url=f"https://github.com/c/v{n}")
    with django_assert_num_queries(2):
        body = page(client, token).content.decode()
    assert body.count("repository https://github.com/c/v") == 50
