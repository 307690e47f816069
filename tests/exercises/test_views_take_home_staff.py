"""Recruiters' and reviewers' take-home pages: assign, follow, extend, new link, download, live exercises."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from exercises.models import DeadlineExtension, ExerciseAssignment
from exercises.services.assignments import take_home_assign
from hiring.models import Interview, Role
from hiring.services.loops import loop_open, loop_withdraw
from tests.exercises.factories import (
    make_take_home,
    recruiter_of,
    review_of,
    submit,
    take_home_exercise,
    zip_upload,
)
from tests.hiring.factories import CandidateFactory, UserFactory, make_interview, make_loop

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                     "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_assign_page_recruiter_sends_take_home(client, django_capture_on_commit_callbacks):
    """The form offers the role's take-homes only; sending emails the candidate and lands on the assignment."""
    loop = make_loop(candidate=CandidateFactory(name="Noor Haddad", email="noor@example.org"))
    reviewer = UserFactory(username="rev", first_name="Rey", last_name="Vance")
    client.force_login(loop.recruiter)
    page = client.get(f"/exercises/loops/{loop.pk}/take-home/").content.decode()
    assert "Send a take-home to <bdi>Noor Haddad</bdi>" in page
    assert "Take-home or live coding" in page
    assert "Evaluation and error analysis exercise" not in page  # live: goes in an interview kit
    due = (timezone.now() + timedelta(days=4)).replace(second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/exercises/loops/{loop.pk}/take-home/", {
            "exercise": take_home_exercise().pk, "due_at": local(due), "reviewer": reviewer.pk,
        })
    assignment = ExerciseAssignment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/exercises/take-homes/{assignment.pk}/"
    assert (assignment.due_at, assignment.reviewer) == (due, reviewer)
    assert mail.outbox[0].to == ["noor@example.org"]
    detail = client.get(response["Location"]).content.decode()
    assert "is on its way to the candidate by email; Rey Vance has the review in “My interviews”." in detail
    assert "Awaiting submission" in detail


def test_assign_page_past_deadline_shows_field_error_and_sends_nothing(client):
    loop = make_loop()
    client.force_login(loop.recruiter)
    response = client.post(f"/exercises/loops/{loop.pk}/take-home/", {
        "exercise": take_home_exercise().pk, "due_at": local(timezone.now() - timedelta(days=1)),
        "reviewer": UserFactory().pk,
    })
    assert response.status_code == 400
    assert "The deadline must be in the future." in response.content.decode()
    assert ExerciseAssignment.objects.count() == 0
    assert mail.outbox == []


def test_assign_page_on_a_withdrawn_loop_says_so_instead_of_offering_the_form(client):
    loop = make_loop()
    loop_withdraw(actor=recruiter_of(loop), loop=loop, reason="Candidate took another offer.")
    client.force_login(recruiter_of(loop))
    page = client.get(f"/exercises/loops/{loop.pk}/take-home/").content.decode()
    assert "This loop is withdrawn: no take-home can be sent." in page
    assert "Send the take-home" not in page


@pytest.mark.parametrize("kind", ["interviewer", "committee"])
def test_assign_page_non_recruiter_is_refused(client, kind):
    loop = make_loop()
    client.force_login(UserFactory(kind=kind))
    assert client.get(f"/exercises/loops/{loop.pk}/take-home/").status_code == 403
    response = client.post(f"/exercises/loops/{loop.pk}/take-home/", {
        "exercise": take_home_exercise().pk, "due_at": local(timezone.now() + timedelta(days=1)),
        "reviewer": UserFactory().pk,
    })
    assert response.status_code == 403
    assert ExerciseAssignment.objects.count() == 0


def test_assignment_page_reviewer_sees_submissions_and_downloads_as_attachment(client):
    assignment, token = make_take_home()
    submit(token, repository_url="https://github.com/c/v1")
    second = submit(token, upload=zip_upload("noor solution.zip"), note="Now with tests.")
    client.force_login(assignment.reviewer)
    body = client.get(f"/exercises/take-homes/{assignment.pk}/").content.decode()
    assert "Submitted (2); open until the deadline" in body
    assert 'href="https://github.com/c/v1" rel="noopener noreferrer nofollow"' in body
    assert f'href="/exercises/submissions/{second.pk}/download/"' in body
    assert "Now with tests." in body
    assert "Write the review scorecard" in body
    assert "Extend the deadline" not in body  # a reviewer does not manage the deadline
    response = client.get(f"/exercises/submissions/{second.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="noor solution.zip"'
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(response.streaming_content).startswith(b"PK\x03\x04")


def test_assignment_page_and_download_hidden_from_interviewer_outside_the_loop(client):
    assignment, token = make_take_home()
    submission = submit(token, upload=zip_upload())
    client.force_login(UserFactory(username="outsider"))
    assert client.get(f"/exercises/take-homes/{assignment.pk}/").status_code == 404
    assert client.get(f"/exercises/submissions/{submission.pk}/download/").status_code == 404


def test_download_requires_sign_in(client):
    assignment, token = make_take_home()
    submission = submit(token, upload=zip_upload())
    response = client.get(f"/exercises/submissions/{submission.pk}/download/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_extend_page_recruiter_extends_and_sees_history(client, django_capture_on_commit_callbacks):
    assignment, _ = make_take_home()
    client.force_login(assignment.loop.recruiter)
    new_due = (assignment.due_at + timedelta(days=2)).replace(second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/exercises/take-homes/{assignment.pk}/extend/",
                               {"due_at": local(new_due), "reason": "Travelling."})
    assert response.status_code == 302
    assert ExerciseAssignment.objects.get(pk=assignment.pk).due_at == new_due
    body = client.get(f"/exercises/take-homes/{assignment.pk}/").content.decode()
    assert "the candidate is told by email" in body
    assert "Travelling." in body
    assert "<h3>Extensions</h3>" in body


def test_extend_page_earlier_date_shows_error_and_changes_nothing(client):
    assignment, _ = make_take_home()
    client.force_login(assignment.loop.recruiter)
    response = client.post(f"/exercises/take-homes/{assignment.pk}/extend/",
                           {"due_at": local(assignment.due_at - timedelta(hours=3)), "reason": "Oops."})
    assert response.status_code == 400
    assert "The new deadline must be later than the current one" in response.content.decode()
    assert DeadlineExtension.objects.count() == 0


def test_extend_page_interviewer_is_refused(client):
    assignment, _ = make_take_home()
    client.force_login(assignment.reviewer)
    response = client.post(f"/exercises/take-homes/{assignment.pk}/extend/",
                           {"due_at": local(assignment.due_at + timedelta(days=1)), "reason": "Please."})
    assert response.status_code == 403
    assert DeadlineExtension.objects.count() == 0


def test_reissue_page_sends_new_link_and_kills_old_one(client, django_capture_on_commit_callbacks):
    assignment, old = make_take_home()
    client.force_login(assignment.loop.recruiter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/exercises/take-homes/{assignment.pk}/new-link/")
    assert response.status_code == 302
    client.logout()
    assert client.get(f"/exercises/take-home/{old}/").status_code == 404
    new = mail.outbox[-1].body.split("/exercises/take-home/")[1].split("/")[0]
    assert client.get(f"/exercises/take-home/{new}/").status_code == 200


def test_assignment_list_query_count_is_the_same_for_1_and_50(client, django_assert_num_queries):
    """The recruiters' overview costs a fixed number of queries."""
    first, _ = make_take_home()
    recruiter = recruiter_of(first.loop)
    client.force_login(recruiter)
    # session, user, count, the page of assignments with loop, candidate, role, reviewer and counts
    with django_assert_num_queries(4):
        body = client.get("/exercises/take-homes/").content.decode()
    assert body.count("Awaiting submission") == 1
    role = Role.objects.get(slug="applied-ai-engineer")
    exercise = take_home_exercise()
    reviewer = first.reviewer
    for _ in range(49):
        loop = loop_open(actor=recruiter, candidate=CandidateFactory(), role=role, recruiter=recruiter)
        take_home_assign(actor=recruiter, loop=loop, exercise=exercise,
                         due_at=timezone.now() + timedelta(days=3), reviewer=reviewer)
    with django_assert_num_queries(4):
        body = client.get("/exercises/take-homes/").content.decode()
    assert body.count("Awaiting submission") == 50


def test_loop_exercises_page_lists_take_homes_and_kit_exercises(client):
    loop = make_loop()
    assignment, _ = make_take_home(loop=loop)
    client.force_login(loop.recruiter)
    body = client.get(f"/exercises/loops/{loop.pk}/").content.decode()
    assert f'href="/exercises/take-homes/{assignment.pk}/"><bdi>Take-home or live coding</bdi></a>' in body
    assert "Take-home review" in body
    assert "Send a take-home" in body and "Put an exercise in an interview" in body


def test_attach_page_puts_live_exercise_in_interview_kit_and_adds_its_focus(client):
    loop = make_loop()
    interview = make_interview(loop=loop, kind=Interview.Kind.ML_FUNDAMENTALS, focus=["Software engineering"],
                               starts_in=timedelta(days=1))
    live = loop.role.exercises.get(slug="evaluation-and-error-analysis")
    client.force_login(loop.recruiter)
    response = client.post(f"/exercises/loops/{loop.pk}/live/",
                           {"interview": interview.pk, "exercise": live.pk, "add_focus": "on"})
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.exercise == live
    assert sorted(interview.focus_dimensions.values_list("name", flat=True)) == [
        "Applied ML/AI fundamentals", "Responsible AI / security / privacy", "Software engineering"]
    body = client.get(f"/exercises/loops/{loop.pk}/").content.decode()
    assert f'href="/exercises/{live.pk}/"><bdi>Evaluation and error analysis exercise</bdi></a>' in body


def test_attach_page_refuses_take_home_exercise(client):
    loop = make_loop()
    interview = make_interview(loop=loop, starts_in=timedelta(days=1))
    client.force_login(loop.recruiter)
    response = client.post(f"/exercises/loops/{loop.pk}/live/",
                           {"interview": interview.pk, "exercise": take_home_exercise().pk})
    assert response.status_code == 400
    assert Interview.objects.get(pk=interview.pk).exercise_id is None


def test_reassigned_review_goes_to_the_new_reviewer(client, django_capture_on_commit_callbacks):
    """A recruiter who hands the review to someone else sends the heads-up and the page to them."""
    from hiring.services.interviews import interview_reassign

    assignment, token = make_take_home()
    new_reviewer = UserFactory(username="nia", first_name="Nia", last_name="Okoro")
    interview_reassign(actor=recruiter_of(assignment.loop), interview=review_of(assignment),
                       interviewer=new_reviewer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submit(token, repository_url="https://github.com/c/s")
    assert [m.to for m in mail.outbox] == [[assignment.loop.candidate.email], [new_reviewer.email]]
    client.force_login(new_reviewer)
    body = client.get(f"/exercises/take-homes/{assignment.pk}/").content.decode()
    assert "Reviewer: <strong><bdi>Nia Okoro</bdi></strong>." in body
    assert "Write the review scorecard" in body


def test_assignment_page_query_count_is_the_same_for_1_and_50_submissions(client, django_assert_num_queries):
    assignment, token = make_take_home()
    submit(token, repository_url="https://github.com/c/v0")
    client.force_login(assignment.loop.recruiter)
    # session, user, the assignment with its joins and counts, submissions, extensions
    with django_assert_num_queries(5):
        body = client.get(f"/exercises/take-homes/{assignment.pk}/").content.decode()
    assert "Submitted (1)" in body
    for n in range(1, 50):
        submit(token, repository_url=f"https://github.com/c/v{n}")
    with django_assert_num_queries(5):
        body = client.get(f"/exercises/take-homes/{assignment.pk}/").content.decode()
    assert "Submitted (50)" in body


def test_loop_exercises_page_query_count_is_the_same_for_1_and_20_interviews(client, django_assert_num_queries):
    loop = make_loop()
    make_take_home(loop=loop)
    client.force_login(loop.recruiter)
    # session, user, loop, assignments, their extensions, interviews, their focus dimensions
    with django_assert_num_queries(7):
        client.get(f"/exercises/loops/{loop.pk}/")
    for _ in range(19):
        make_interview(loop=loop, starts_in=timedelta(days=1))
    with django_assert_num_queries(7):
        body = client.get(f"/exercises/loops/{loop.pk}/").content.decode()
    assert body.count("<td>Coding</td>") == 19


def test_exercise_page_lists_the_take_homes_the_reviewer_reviews(client):
    """From the kit's link to the exercise, the reviewer reaches the submissions to review."""
    assignment, _ = make_take_home()
    client.force_login(assignment.reviewer)
    body = client.get(f"/exercises/{assignment.exercise_id}/").content.decode()
    assert f'href="/exercises/take-homes/{assignment.pk}/"><bdi>{assignment.loop.candidate.name}</bdi></a>' in body
    assert '<span class="badge ok">You</span>' in body
    client.force_login(UserFactory(username="outsider"))
    assert 'id="sent-heading"' not in client.get(f"/exercises/{assignment.exercise_id}/").content.decode()
