"""Take-homes over the API: assign, extend, new link, submissions and their files, live exercises in kits.

The same services and access rules as the recruiters' pages: recruiters and admins manage; whoever may see
the loop reads its take-homes; nobody ever reads the candidate's link.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from exercises.models import DeadlineExtension, Exercise, ExerciseAssignment
from hiring.models import AuditEvent, Interview, InterviewLoop, User
from tests.exercises.factories import make_take_home, submit, take_home_exercise, zip_upload
from tests.hiring.factories import CandidateFactory, UserFactory, make_interview, make_loop

pytestmark = pytest.mark.django_db

URL = "/api/v1/take-homes/"
KINDS = ["interviewer", "recruiter", "committee", "admin"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                     "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


def _person(kind: str) -> User:
    return UserFactory(kind=kind, username=f"{kind}-user", is_superuser=kind == "admin")


def _link_token(message: mail.EmailMessage) -> str:
    return message.body.split("/exercises/take-home/")[1].split("/")[0]


def _assignments() -> list[tuple]:
    return list(ExerciseAssignment.objects.order_by("pk").values_list("pk", "due_at", "token_hash", "link_emailed_at"))


def _when(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


# --- Assigning ----------------------------------------------------------------------------


def test_api_take_homes_create_recruiter(api, django_capture_on_commit_callbacks):
    """A recruiter sends a take-home: visible with its deadline and reviewer, the candidate emailed the link,
    and the link itself nowhere in the API's answers."""
    loop = make_loop(candidate=CandidateFactory(name="Noor Haddad", email="noor@example.org"))
    reviewer = UserFactory(username="rev", first_name="Rey", last_name="Vance")
    due = (timezone.now() + timedelta(days=4)).replace(microsecond=0)
    client = api(loop.recruiter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"loop": loop.pk, "exercise": take_home_exercise().pk, "due_at": due.isoformat(),
                                     "reviewer": reviewer.pk}, format="json")

    assert response.status_code == 201
    assignment = ExerciseAssignment.objects.get()
    assert assignment.review_interview_id is not None
    body = response.json()
    assert (body["id"], body["loop"], body["candidate"]["name"], body["title"]) == (
        assignment.pk, loop.pk, "Noor Haddad", "Take-home or live coding")
    assert body["due_at"] == _when(due)
    assert (body["reviewer"]["username"], body["review_interview"]) == ("rev", assignment.review_interview_id)
    assert (body["submission_count"], body["submissions"], body["extensions"]) == (0, [], [])
    assert body["accepting_submissions"] is True
    assert [m.to for m in mail.outbox] == [["noor@example.org"]]
    token = _link_token(mail.outbox[0])
    listed = client.get(URL)
    assert [(row["id"], row["due_at"]) for row in listed.json()["results"]] == [(assignment.pk, _when(due))]
    for answer in (response, listed, client.get(f"{URL}{assignment.pk}/")):
        assert token not in answer.content.decode()
        assert assignment.token_hash not in answer.content.decode()
    review = Interview.objects.get(pk=assignment.review_interview_id)
    assert (review.kind, review.interviewer, review.ends_at) == (Interview.Kind.TAKE_HOME_REVIEW, reviewer, due)


@pytest.mark.parametrize(
    ("change", "field_errors"),
    [
        ({"due_at": "past"}, {"due_at": ["The deadline must be in the future."]}),
        ({"exercise": "live"},
         {"exercise": ["Only take-home exercises are sent to candidates; attach live ones to an interview."]}),
        ({"due_at": "not a date"},
         {"due_at": ["Datetime has wrong format. Use one of these formats instead: "
                     "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."]}),
        ({"loop": 10**9}, {"loop": ['Invalid pk "1000000000" - object does not exist.']}),
    ],
)
def test_api_take_homes_create_bad_input_sends_nothing(api, django_capture_on_commit_callbacks, change,
                                                       field_errors):
    """Bad input is a 400 naming the field; no assignment, no review interview, no email."""
    loop = make_loop()
    values = {"loop": loop.pk, "exercise": take_home_exercise().pk,
              "due_at": (timezone.now() + timedelta(days=2)).isoformat(), "reviewer": UserFactory().pk}
    if change.get("due_at") == "past":
        change = {"due_at": (timezone.now() - timedelta(days=1)).isoformat()}
    if change.get("exercise") == "live":
        change = {"exercise": loop.role.exercises.get(slug="evaluation-and-error-analysis").pk}
    interviews = Interview.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = api(loop.recruiter).post(URL, {**values, **change}, format="json")

    assert response.status_code == 400
    assert response.json()["field_errors"] == field_errors
    assert ExerciseAssignment.objects.count() == 0
    assert Interview.objects.count() == interviews
    assert mail.outbox == []


@pytest.mark.parametrize("kind", ["interviewer", "committee"])
def test_api_take_homes_create_refused_to_non_recruiters(api, django_capture_on_commit_callbacks, kind):
    """Only recruiters and admins send take-homes, as on the page (403 whatever the body)."""
    loop = make_loop()
    with django_capture_on_commit_callbacks(execute=True):
        response = api(_person(kind)).post(URL, {
            "loop": loop.pk, "exercise": take_home_exercise().pk,
            "due_at": (timezone.now() + timedelta(days=2)).isoformat(), "reviewer": UserFactory().pk,
        }, format="json")

    assert response.status_code == 403
    assert response.json()["message"] == "Only recruiters and admins assign exercises and change deadlines."
    assert ExerciseAssignment.objects.count() == 0
    assert mail.outbox == []


def test_api_take_homes_create_twice_conflicts_and_key_replays(api, django_capture_on_commit_callbacks):
    """A retry with the same Idempotency-Key replays the first answer (one email); sending again is a 409."""
    loop = make_loop()
    client = api(loop.recruiter)
    values = {"loop": loop.pk, "exercise": take_home_exercise().pk,
              "due_at": (timezone.now() + timedelta(days=2)).isoformat(), "reviewer": UserFactory().pk}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(URL, values, format="json", HTTP_IDEMPOTENCY_KEY="th-1")
        replay = client.post(URL, values, format="json", HTTP_IDEMPOTENCY_KEY="th-1")
        again = client.post(URL, values, format="json")

    assert (first.status_code, replay.status_code, again.status_code) == (201, 201, 409)
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"]
    assert again.json()["code"] == "already_assigned"
    assert ExerciseAssignment.objects.count() == 1
    assert len(mail.outbox) == 1


# --- Extending and a new link -------------------------------------------------------------


def test_api_take_homes_extend_recruiter(api, django_capture_on_commit_callbacks):
    """The new deadline shows with its history; the review moves with it; the candidate is told."""
    assignment, _ = make_take_home()
    new_due = (assignment.due_at + timedelta(days=2)).replace(microsecond=0)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = api(assignment.loop.recruiter).post(
            f"{URL}{assignment.pk}/extend/", {"due_at": new_due.isoformat(), "reason": "Travelling."}, format="json"
        )

    assert response.status_code == 200
    recruiter = assignment.loop.recruiter
    assert recruiter is not None and assignment.review_interview_id is not None
    body = response.json()
    assert (body["due_at"], body["original_due_at"]) == (_when(new_due), _when(assignment.due_at))
    assert [(e["previous_due_at"], e["new_due_at"], e["reason"], e["extended_by"]["id"])
            for e in body["extensions"]] == [
        (_when(assignment.due_at), _when(new_due), "Travelling.", recruiter.pk)]
    assert Interview.objects.get(pk=assignment.review_interview_id).ends_at == new_due
    assert [m.to for m in mail.outbox] == [[assignment.loop.candidate.email]]


def test_api_take_homes_extend_earlier_date_changes_nothing(api):
    assignment, _ = make_take_home()
    before = _assignments()
    response = api(assignment.loop.recruiter).post(
        f"{URL}{assignment.pk}/extend/",
        {"due_at": (assignment.due_at - timedelta(hours=3)).isoformat(), "reason": ""}, format="json",
    )

    assert response.status_code == 400
    errors = response.json()["field_errors"]
    assert set(errors) == {"due_at", "reason"}
    assert errors["due_at"][0].startswith("The new deadline must be later than the current one")
    assert errors["reason"] == ["Say why the deadline moves; it is kept in the extension history."]
    assert _assignments() == before
    assert DeadlineExtension.objects.count() == 0


@pytest.mark.parametrize("action", ["extend", "reissue-link"])
def test_api_take_homes_manage_refused_to_the_reviewer(api, action):
    """The reviewer reads the take-home but, like on the page, neither extends it nor sends a new link."""
    assignment, _ = make_take_home()
    before = _assignments()
    response = api(assignment.reviewer).post(
        f"{URL}{assignment.pk}/{action}/",
        {"due_at": (assignment.due_at + timedelta(days=1)).isoformat(), "reason": "Please."}, format="json",
    )

    assert response.status_code == 403
    assert _assignments() == before
    assert DeadlineExtension.objects.count() == 0


def test_api_take_homes_reissue_link_recruiter(api, client, django_capture_on_commit_callbacks):
    """A new link goes to the candidate by email (not in the answer, as on the page); the old one stops working."""
    assignment, old = make_take_home()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = api(assignment.loop.recruiter).post(f"{URL}{assignment.pk}/reissue-link/")

    assert response.status_code == 200
    new = _link_token(mail.outbox[-1])
    assert new != old
    assert new not in response.content.decode() and old not in response.content.decode()
    # The answer is written before the commit that sends the email; reading again shows it was sent.
    assert response.json()["link_emailed_at"] is None
    assert api(assignment.loop.recruiter).get(f"{URL}{assignment.pk}/").json()["link_emailed_at"] is not None
    assert client.get(f"/exercises/take-home/{old}/").status_code == 404
    assert client.get(f"/exercises/take-home/{new}/").status_code == 200
    assert AuditEvent.objects.filter(action="take_home.link_reissued", object_id=str(assignment.pk)).count() == 1


def test_api_take_homes_reissue_link_on_closed_loop_conflicts(api):
    assignment, _ = make_take_home()
    InterviewLoop.objects.filter(pk=assignment.loop_id).update(status=InterviewLoop.Status.WITHDRAWN)
    before = _assignments()
    response = api(assignment.loop.recruiter).post(f"{URL}{assignment.pk}/reissue-link/")

    assert response.status_code == 409
    assert response.json()["code"] == "loop_closed"
    assert _assignments() == before


# --- Reading: who sees what -------------------------------------------------------------------


@pytest.fixture
def take_home_with_files():
    """A take-home on a loop with a coding interviewer, with a repository-only and a file submission."""
    loop = make_loop()
    panelist = make_interview(loop=loop, interviewer=UserFactory(username="pan")).interviewer
    assignment, token = make_take_home(loop=loop)
    link_only = submit(token, repository_url="https://github.com/c/v1")
    with_file = submit(token, upload=zip_upload("noor solution.zip"), note="Now with tests.")
    return assignment, panelist, link_only, with_file


@pytest.mark.parametrize("who", ["reviewer", "panelist", "recruiter", "committee", "admin"])
def test_api_take_homes_read_by_those_who_see_the_loop(api, take_home_with_files, who):
    """The reviewer, the loop's interviewers, recruiters, the committee and admins read it with its submissions."""
    assignment, panelist, link_only, with_file = take_home_with_files
    user = {"reviewer": assignment.reviewer, "panelist": panelist}.get(who) or _person(who)
    client = api(user)

    assert [row["id"] for row in client.get(URL).json()["results"]] == [assignment.pk]
    body = client.get(f"{URL}{assignment.pk}/").json()
    assert body["submission_count"] == 2
    assert [(s["number"], s["repository_url"], s["has_file"], s["original_filename"]) for s in body["submissions"]] \
        == [(2, "", True, "noor solution.zip"), (1, "https://github.com/c/v1", False, "")]
    assert body["submissions"][1]["download_url"] is None
    download_url = body["submissions"][0]["download_url"]
    assert download_url == f"http://testserver/api/v1/take-home-submissions/{with_file.pk}/download/"
    listed = client.get("/api/v1/take-home-submissions/", {"assignment": assignment.pk}).json()
    assert [s["id"] for s in listed["results"]] == [with_file.pk, link_only.pk]

    response = client.get(download_url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="noor solution.zip"'
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(response.streaming_content).startswith(b"PK\x03\x04")


def test_api_take_homes_hidden_from_an_interviewer_outside_the_loop(api, take_home_with_files):
    """An interviewer not on the loop neither lists nor reads its take-home, submissions or files (404)."""
    assignment, _, link_only, with_file = take_home_with_files
    client = api(UserFactory(kind="interviewer", username="outsider"))

    assert client.get(URL).json()["count"] == 0
    assert client.get("/api/v1/take-home-submissions/").json()["count"] == 0
    for url in (f"{URL}{assignment.pk}/", f"/api/v1/take-home-submissions/{with_file.pk}/",
                f"/api/v1/take-home-submissions/{with_file.pk}/download/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    # Managing is refused before anything is looked up, as on the pages.
    assert client.post(f"{URL}{assignment.pk}/reissue-link/").status_code == 403


def test_api_take_homes_anonymous_is_401(take_home_with_files):
    assignment, _, _, with_file = take_home_with_files
    client = APIClient()
    for url in (URL, f"{URL}{assignment.pk}/", f"/api/v1/take-home-submissions/{with_file.pk}/download/"):
        assert client.get(url).status_code == 401


def test_api_take_homes_download_of_a_repository_only_submission_is_404(api, take_home_with_files):
    assignment, _, link_only, _ = take_home_with_files
    response = api(assignment.loop.recruiter).get(f"/api/v1/take-home-submissions/{link_only.pk}/download/")
    assert response.status_code == 404
    assert response.json()["message"] == "No such file."


def test_api_take_homes_state_filter(api):
    """open: the deadline is ahead; closed: it passed (the overview page's tabs)."""
    ahead, _ = make_take_home()
    passed, _ = make_take_home(reviewer=ahead.reviewer)
    ExerciseAssignment.objects.filter(pk=passed.pk).update(due_at=timezone.now() - timedelta(hours=1))
    client = api(_person("recruiter"))

    def ids(**params) -> list[int]:
        return [row["id"] for row in client.get(URL, params).json()["results"]]

    assert ids(state="open") == [ahead.pk]
    assert ids(state="closed") == [passed.pk]
    assert ids() == [passed.pk, ahead.pk]  # by deadline
    assert client.get(URL, {"state": "soon"}).status_code == 400


def test_api_take_homes_detail_query_count_is_fixed(api, django_assert_num_queries):
    """The assignment, its submissions and its extensions: the same queries for 1 submission as for 30."""
    assignment, token = make_take_home()
    submit(token, repository_url="https://github.com/c/v0")
    client = APIClient()
    client.force_authenticate(assignment.loop.recruiter)
    # the assignment with its joins and counts, submissions, extensions with who extended
    with django_assert_num_queries(3):
        assert client.get(f"{URL}{assignment.pk}/").json()["submission_count"] == 1
    for n in range(1, 30):
        submit(token, repository_url=f"https://github.com/c/v{n}")
    with django_assert_num_queries(3):
        assert len(client.get(f"{URL}{assignment.pk}/").json()["submissions"]) == 30


# --- A live exercise in an interview's kit -------------------------------------------------------------


def _kit(interview: Interview) -> tuple[int | None, list[str]]:
    interview.refresh_from_db()
    return interview.exercise_id, sorted(interview.focus_dimensions.values_list("name", flat=True))


def test_api_interview_exercise_attach_recruiter(api):
    """The live exercise joins the kit, with its dimensions in the focus; null takes it out again."""
    loop = make_loop()
    interview = make_interview(loop=loop, kind=Interview.Kind.ML_FUNDAMENTALS, focus=["Software engineering"],
                               starts_in=timedelta(days=1))
    live = loop.role.exercises.get(slug="evaluation-and-error-analysis")
    client = api(loop.recruiter)
    url = f"/api/v1/interviews/{interview.pk}/exercise/"

    response = client.post(url, {"exercise": live.pk}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["exercise"] == {"id": live.pk, "slug": live.slug, "title": live.title, "format": "live"}
    expected_focus = ["Applied ML/AI fundamentals", "Responsible AI / security / privacy", "Software engineering"]
    assert sorted(d["name"] for d in body["focus_dimensions"]) == expected_focus
    assert _kit(interview) == (live.pk, expected_focus)

    response = client.post(url, {"exercise": None}, format="json")
    assert response.status_code == 200
    assert response.json()["exercise"] is None
    assert _kit(interview) == (None, expected_focus)


def test_api_interview_exercise_take_home_refused_and_kit_unchanged(api):
    loop = make_loop()
    interview = make_interview(loop=loop, starts_in=timedelta(days=1))
    before = _kit(interview)
    response = api(loop.recruiter).post(f"/api/v1/interviews/{interview.pk}/exercise/",
                                        {"exercise": take_home_exercise().pk}, format="json")

    assert response.status_code == 400
    assert response.json()["field_errors"] == {
        "exercise": ["Take-home exercises are sent to the candidate; choose a live or discussion one."]}
    assert _kit(interview) == before


@pytest.mark.parametrize("kind", ["interviewer", "committee"])
def test_api_interview_exercise_refused_to_non_recruiters(api, kind):
    """Even the interview's own interviewer may not change its kit (403), as on the page."""
    loop = make_loop()
    user = _person(kind)
    interview = make_interview(loop=loop, interviewer=user, starts_in=timedelta(days=1))
    live = loop.role.exercises.get(slug="evaluation-and-error-analysis")
    before = _kit(interview)
    response = api(user).post(f"/api/v1/interviews/{interview.pk}/exercise/", {"exercise": live.pk}, format="json")

    assert response.status_code == 403
    assert _kit(interview) == before


def test_api_interview_exercise_unknown_interview_is_404(api):
    response = api(_person("recruiter")).post("/api/v1/interviews/999999/exercise/", {"exercise": None},
                                              format="json")
    assert response.status_code == 404
    assert Exercise.objects.count() == 0
