"""The recruiter's pages: what they show and what their forms do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hiring.models import Candidate, Interview, InterviewLoop
from hiring.services.loops import loop_withdraw
from scorecards.recommendations.services import recommendation_compute
from tests.exercises.factories import make_take_home, review_of
from tests.hiring.factories import CandidateFactory, UserFactory, make_interview, make_loop
from tests.scorecards.factories import save_draft, submit_scorecard

pytestmark = pytest.mark.django_db

ALL_DIMENSIONS = ["Software engineering", "Applied ML/AI fundamentals", "AI system design",
                  "MLOps/operational readiness", "Cost/performance thinking",
                  "Responsible AI / security / privacy", "Communication & collaboration"]


@pytest.fixture
def rita(client):
    user = UserFactory(recruiter=True, username="rita", first_name="Rita", last_name="Ramos")
    client.force_login(user)
    return user


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- candidates ------------------------------------------------------------------------


def test_candidate_create_page_adds_and_offers_a_loop(client, rita):
    response = client.post(reverse("hiring:candidate-create"), {
        "name": "Grace Hopper", "email": "grace@example.org", "phone": "", "source": "Referral",
        "notes": "", "open_loop": "1"})

    candidate = Candidate.objects.get()
    assert (candidate.name, candidate.source, candidate.created_by) == ("Grace Hopper", "Referral", rita)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('hiring:loop-create')}?candidate={candidate.pk}"


def test_candidate_create_page_duplicate_points_to_existing(client, rita):
    """The duplicate is refused with the field marked and a link to the candidate already on file."""
    existing = CandidateFactory(name="Grace Hopper", email="grace@example.org")

    response = client.post(reverse("hiring:candidate-create"), {"name": "G. Hopper", "email": "GRACE@example.org"})

    assert response.status_code == 400
    assert response.context["form"].errors["email"] == ["A candidate with this email already exists."]
    assert response.context["duplicate"] == existing
    assert reverse("hiring:candidate-detail", args=[existing.pk]).encode() in response.content
    assert f"?candidate={existing.pk}".encode() in response.content
    assert Candidate.objects.count() == 1


def test_candidate_edit_page_saves(client, rita):
    candidate = CandidateFactory(name="Grace Hopper", email="grace@example.org")

    response = client.post(reverse("hiring:candidate-edit", args=[candidate.pk]), {
        "name": "Grace B. Hopper", "email": "grace@example.org", "phone": "+1 555", "source": "", "notes": "x"})

    assert response.status_code == 302
    candidate.refresh_from_db()
    assert (candidate.name, candidate.phone, candidate.notes) == ("Grace B. Hopper", "+1 555", "x")


@pytest.mark.parametrize(("query", "expected"), [
    ("hopp", ["Grace Hopper"]),
    ("TURING@", ["Alan Turing"]),
    ("example.org", ["Alan Turing", "Grace Hopper"]),
    ("nobody", []),
])
def test_candidate_list_search_by_name_or_email(client, rita, query, expected):
    CandidateFactory(name="Grace Hopper", email="grace@example.org")
    CandidateFactory(name="Alan Turing", email="turing@example.org")
    CandidateFactory(name="Erased candidate #9", email="erased-9@erased.invalid", erased_at=timezone.now())

    response = client.get(reverse("hiring:candidate-list"), {"q": query})

    assert [c.name for c in response.context["page"].object_list] == expected


# --- loops and interviews ------------------------------------------------------------------


def test_loop_create_page_opens_loop_with_people(client, rita):
    make_loop(recruiter=rita)  # publishes the rubric
    candidate = CandidateFactory()
    manager = UserFactory(committee=True)
    role = InterviewLoop.objects.get().role

    response = client.post(reverse("hiring:loop-create"), {
        "candidate": candidate.pk, "role": role.pk, "recruiter": rita.pk, "hiring_manager": manager.pk})

    loop = InterviewLoop.objects.get(candidate=candidate)
    assert response["Location"] == reverse("hiring:loop-detail", args=[loop.pk])
    assert (loop.role, loop.recruiter, loop.hiring_manager) == (role, rita, manager)


def test_loop_create_page_second_active_loop_shows_error(client, rita):
    loop = make_loop(recruiter=rita)

    response = client.post(reverse("hiring:loop-create"), {
        "candidate": loop.candidate_id, "role": loop.role_id, "recruiter": rita.pk})

    assert response.status_code == 400
    assert response.context["form"].errors["role"] == ["The candidate already has an active loop for this role."]
    assert InterviewLoop.objects.count() == 1


def test_interview_create_page_schedules_and_warns_about_coverage(client, rita):
    """Scheduling one focused interview leaves dimensions uncovered: the warnings come with the success."""
    loop = make_loop(recruiter=rita)
    ivy = UserFactory(first_name="Ivy", last_name="Ito")
    dimensions = {d.name: d.pk for d in loop.rubric.dimensions.all()}
    exercise = loop.role.exercises.first()
    assert exercise is not None

    response = client.post(reverse("hiring:interview-create", args=[loop.pk]), {
        "kind": "coding", "interviewer": ivy.pk, "starts_at": "2030-03-04T10:00", "ends_at": "2030-03-04T11:00",
        "focus_dimensions": [dimensions["Software engineering"], dimensions["AI system design"]],
        "exercise": exercise.pk,
    }, follow=True)

    interview = Interview.objects.get()
    assert interview.interviewer == ivy
    assert interview.feedback_due_at == interview.ends_at + timedelta(hours=24)
    assert interview.exercise == loop.role.exercises.first()
    assert messages_of(response) == [
        "Coding with <bdi>Ivy Ito</bdi> scheduled.",
        "Software engineering is critical and only Ivy Ito assesses it; add a second interviewer.",
        "No interview covers Applied ML/AI fundamentals.",
        "AI system design is critical and only Ivy Ito assesses it; add a second interviewer.",
        "No interview covers MLOps/operational readiness.",
        "No interview covers Cost/performance thinking.",
        "No interview covers Responsible AI / security / privacy.",
        "No interview covers Communication & collaboration.",
    ]


def test_interview_create_page_warns_about_a_past_start_a_repeat_interviewer_and_a_clash(client, rita):
    """None of these is refused (each can be meant), but each is said beside the success."""
    loop = make_loop(recruiter=rita)
    lena = UserFactory(first_name="Lena", last_name="Lund")
    elsewhere = make_interview(loop=make_loop(), interviewer=lena, starts_in=timedelta(days=2))
    make_interview(loop=loop, interviewer=lena, starts_in=timedelta(days=1))
    start = timezone.localtime(elsewhere.starts_at) + timedelta(minutes=30)

    clash = client.post(reverse("hiring:interview-create", args=[loop.pk]), {
        "kind": "coding", "interviewer": lena.pk, "starts_at": f"{start:%Y-%m-%dT%H:%M}",
        "ends_at": f"{start + timedelta(hours=1):%Y-%m-%dT%H:%M}",
    }, follow=True)
    warnings = messages_of(clash)
    assert "Lena Lund already interviews on this loop: a second interview by the same person adds less " \
           "independent evidence than a new interviewer would." in warnings
    assert f"Lena Lund has another interview at that time ({timezone.localtime(elsewhere.starts_at):%a %d %b, %H:%M}" \
           f"–{timezone.localtime(elsewhere.ends_at):%H:%M})." in warnings
    assert not any("in the past" in message for message in warnings)

    past = timezone.localtime(timezone.now() - timedelta(days=2))
    held = client.post(reverse("hiring:interview-create", args=[loop.pk]), {
        "kind": "coding", "interviewer": UserFactory().pk, "starts_at": f"{past:%Y-%m-%dT%H:%M}",
        "ends_at": f"{past + timedelta(hours=1):%Y-%m-%dT%H:%M}",
    }, follow=True)
    assert any(message.startswith("This interview started in the past (") for message in messages_of(held))
    assert not any("another interview at that time" in message for message in messages_of(held))


def test_interview_create_page_bad_times_named(client, rita):
    loop = make_loop(recruiter=rita)
    response = client.post(reverse("hiring:interview-create", args=[loop.pk]), {
        "kind": "coding", "interviewer": UserFactory().pk, "starts_at": "2030-03-04T10:00",
        "ends_at": "2030-03-04T09:00", "feedback_due_at": "2030-03-04T08:00"})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "ends_at": ["The interview must end after it starts."],
        "feedback_due_at": ["Feedback cannot be due before the interview ends."],
    }
    assert Interview.objects.count() == 0


def test_loop_detail_offers_reassign_only_before_a_scorecard(client, rita):
    loop = make_loop(recruiter=rita)
    untouched = make_interview(loop=loop)
    drafted = make_interview(loop=loop, focus=["Software engineering"])
    save_draft(drafted, {"Software engineering": 3})

    response = client.get(reverse("hiring:loop-detail", args=[loop.pk]))

    assert {i.pk: i.can_reassign for i in response.context["interviews"]} == {untouched.pk: True, drafted.pk: False}
    assert reverse("hiring:interview-reassign", args=[untouched.pk]).encode() in response.content
    assert reverse("hiring:interview-reassign", args=[drafted.pk]).encode() not in response.content


def test_interview_reassign_page_on_a_withdrawn_loop_says_so_instead_of_offering_the_form(client, rita):
    loop = make_loop(recruiter=rita)
    interview = make_interview(loop=loop)
    loop_withdraw(actor=rita, loop=loop, reason="Candidate took another offer.")
    page = client.get(reverse("hiring:interview-reassign", args=[interview.pk])).content.decode()
    assert "This loop is withdrawn: its interviews can no longer be reassigned." in page
    assert ">Reassign</button>" not in page


def test_loop_page_of_a_withdrawn_loop_shows_no_overdue_feedback(client, rita):
    loop = make_loop(recruiter=rita)
    make_interview(loop=loop, starts_in=timedelta(days=-3))
    loop_withdraw(actor=rita, loop=loop, reason="Candidate took another offer.")
    page = client.get(reverse("hiring:loop-detail", args=[loop.pk])).content.decode()
    assert "Closed before feedback" in page
    assert "Overdue" not in page


def test_loop_page_shows_the_end_date_of_an_interview_spanning_days(client, rita):
    """A take-home's review window runs from sending to the deadline: "15:53–10:00" would read as ending first."""
    loop = make_loop(recruiter=rita)
    assignment, _token = make_take_home(loop=loop, due_in=timedelta(days=3))
    window = review_of(assignment)
    page = client.get(reverse("hiring:loop-detail", args=[loop.pk])).content.decode()
    starts, ends = timezone.localtime(window.starts_at), timezone.localtime(window.ends_at)
    assert f"{starts:%a} {starts.day} {starts:%b %Y, %H:%M}–{ends:%a} {ends.day} {ends:%b %Y, %H:%M}" in page


def test_interview_reassign_page_after_draft_shows_refusal(client, rita):
    loop = make_loop(recruiter=rita)
    interview = make_interview(loop=loop, focus=["Software engineering"])
    first = interview.interviewer
    save_draft(interview, {"Software engineering": 3})

    response = client.post(reverse("hiring:interview-reassign", args=[interview.pk]),
                           {"interviewer": UserFactory().pk})

    assert response.status_code == 400
    assert (f"{first.display_name} has already started a scorecard for this interview; "
            "it can no longer be reassigned.") in response.context["form"].non_field_errors()
    interview.refresh_from_db()
    assert interview.interviewer == first


def test_loop_withdraw_page_requires_reason_then_withdraws(client, rita):
    loop = make_loop(recruiter=rita)
    url = reverse("hiring:loop-withdraw", args=[loop.pk])

    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    loop.refresh_from_db()
    assert loop.status == InterviewLoop.Status.OPEN

    response = client.post(url, {"reason": "Accepted another offer."}, follow=True)
    loop.refresh_from_db()
    assert (loop.status, loop.withdrawn_reason) == (InterviewLoop.Status.WITHDRAWN, "Accepted another offer.")
    assert b"Accepted another offer." in response.content


# --- the pipeline ----------------------------------------------------------------------------


def test_pipeline_row_counts_and_overdue_by_whom(client, rita):
    """One loop, four interviews: one submitted, one overdue, one pending, one to come."""
    loop = make_loop(recruiter=rita, candidate=CandidateFactory(name="Ada Lovelace"))
    submitted = make_interview(loop=loop, starts_in=timedelta(days=-3))
    submit_scorecard(submitted)
    late = make_interview(loop=loop, interviewer=UserFactory(first_name="Omar", last_name="Okafor"),
                          starts_in=timedelta(days=-3))
    make_interview(loop=loop, starts_in=timedelta(hours=-3))
    make_interview(loop=loop, starts_in=timedelta(days=2))

    response = client.get(reverse("hiring:pipeline"))

    (row,) = response.context["page"].object_list
    assert (row.interview_count, row.done_count, row.upcoming_count, row.submitted_count, row.pending_count,
            row.overdue_count) == (4, 3, 1, 1, 1, 1)
    assert [(i.pk, i.interviewer.display_name) for i in row.overdue_interviews] == [(late.pk, "Omar Okafor")]
    assert b"<bdi>Omar Okafor</bdi>, 1\xc2\xa0day" in response.content  # "1 day, 23 hours late"
    assert b"3 done \xc2\xb7 1 to come" in response.content


def test_pipeline_filters(client, rita):
    """Role, recruiter, stage and "feedback overdue" each narrow the table; closed loops only on request."""
    other = UserFactory(recruiter=True)
    ada = make_loop(recruiter=rita, candidate=CandidateFactory(name="Ada"))
    make_interview(loop=ada, starts_in=timedelta(days=-3))  # overdue
    bob = make_loop(recruiter=other, role_slug="junior-ai-engineer", candidate=CandidateFactory(name="Bob"))
    make_interview(loop=bob, starts_in=timedelta(days=1))
    cy = make_loop(recruiter=rita, candidate=CandidateFactory(name="Cy"))
    loop_withdraw(actor=rita, loop=cy, reason="Withdrew.")

    def names(**params):
        response = client.get(reverse("hiring:pipeline"), {"sort": "candidate", **params})
        return [loop.candidate.name for loop in response.context["page"].object_list]

    assert names() == ["Ada", "Bob"]
    assert names(role=bob.role_id) == ["Bob"]
    assert names(recruiter=rita.pk) == ["Ada"]
    assert names(status="open") == ["Bob"]
    assert names(status="withdrawn") == ["Cy"]
    assert names(status="all") == ["Ada", "Bob", "Cy"]
    assert names(overdue="1") == ["Ada"]
    assert names(role="not-a-number") == ["Ada", "Bob"]


def test_pipeline_sorts_and_paginates(client, rita):
    """Default: most overdue first; sortable by candidate both ways; 25 rows a page."""
    names = [f"Candidate {n:02d}" for n in range(27)]
    for name in names:
        make_loop(recruiter=rita, candidate=CandidateFactory(name=name))
    late = InterviewLoop.objects.get(candidate__name="Candidate 13")
    make_interview(loop=late, starts_in=timedelta(days=-3))

    first = client.get(reverse("hiring:pipeline"))
    assert first.context["page"].object_list[0].candidate.name == "Candidate 13"
    assert len(first.context["page"].object_list) == 25

    descending = client.get(reverse("hiring:pipeline"), {"sort": "-candidate", "page": 2})
    assert [loop.candidate.name for loop in descending.context["page"].object_list] == ["Candidate 01",
                                                                                         "Candidate 00"]


def test_pipeline_hides_recommendation_from_recruiter_still_owing_feedback(client, rita):
    """A recruiter on the panel sees the outcome only after their own feedback is in."""
    loop = make_loop(recruiter=rita)
    other = make_interview(loop=loop, focus=ALL_DIMENSIONS)
    own = make_interview(loop=loop, interviewer=rita, focus=ALL_DIMENSIONS)
    submit_scorecard(other, {name: 4 for name in ALL_DIMENSIONS}, overall="strong_yes")
    recommendation_compute(loop_id=loop.pk)

    before = client.get(reverse("hiring:pipeline")).context["page"].object_list[0]
    assert before.panel_visible is False
    submit_scorecard(own, {name: 4 for name in ALL_DIMENSIONS}, overall="yes")
    recommendation_compute(loop_id=loop.pk)
    after = client.get(reverse("hiring:pipeline")).context["page"].object_list[0]
    assert (after.panel_visible, after.recommendation_outcome) == (True, "hire")


# --- the candidate summary ----------------------------------------------------------------------


def test_candidate_summary_matrix_recommendation_and_red_flags(client, rita):
    loop = make_loop(recruiter=rita, candidate=CandidateFactory(name="Ada Lovelace"))
    ivy = UserFactory(first_name="Ivy", last_name="Ito")
    omar = UserFactory(first_name="Omar", last_name="Okafor")
    first = make_interview(loop=loop, interviewer=ivy, focus=ALL_DIMENSIONS[:4], starts_in=timedelta(days=-2))
    second = make_interview(loop=loop, interviewer=omar, focus=ALL_DIMENSIONS[2:], kind="system_design")
    red_flag = loop.rubric.signals.filter(kind="red_flag").first()
    assert red_flag is not None
    submit_scorecard(first, {"Software engineering": 4, "Applied ML/AI fundamentals": 3, "AI system design": 4,
                             "MLOps/operational readiness": None})
    submit_scorecard(second, {"AI system design": 2, "MLOps/operational readiness": 3, "Cost/performance thinking": 3,
                              "Responsible AI / security / privacy": 3, "Communication & collaboration": 4},
                     overall="no", signals={red_flag.text: "Logged user prompts with emails in plain text."})
    recommendation_compute(loop_id=loop.pk)

    response = client.get(reverse("hiring:candidate-summary", args=[loop.candidate_id]))

    (entry,) = response.context["summary"].loops
    assert [c.interviewer.display_name for c in entry.scorecards] == ["Ivy Ito", "Omar Okafor"]
    matrix = {row.dimension.name: ([None if c is None else ("n/a" if c.not_assessed else c.score)
                                    for c in row.cells], str(row.mean) if row.mean else None, row.spread)
              for row in entry.matrix}
    assert matrix == {
        "Software engineering": ([4, None], "4.00", 0),
        "Applied ML/AI fundamentals": ([3, None], "3.00", 0),
        "AI system design": ([4, 2], "3.00", 2),
        "MLOps/operational readiness": (["n/a", 3], "3.00", 0),
        "Cost/performance thinking": ([None, 3], "3.00", 0),
        "Responsible AI / security / privacy": ([None, 3], "3.00", 0),
        "Communication & collaboration": ([None, 4], "4.00", 0),
    }
    assert [(f.text, f.interviewer, f.note) for f in entry.red_flags] == [
        (red_flag.text, "Omar Okafor", "Logged user prompts with emails in plain text.")]
    assert entry.recommendation.outcome == "no_hire"
    assert entry.reasons[0].startswith(f"Red flag '{red_flag.text}' raised by 1 interviewer")
    content = response.content.decode()
    assert "Logged user prompts with emails in plain text." in content
    assert 'id="print-summary"' in content
    assert "submitted" in content and "Ivy Ito" in content


def test_candidate_summary_panel_hidden_for_recruiter_still_owing_feedback(client, rita):
    """Independence: a recruiter interviewing on the loop sees the timeline, not the scores, until they submit."""
    loop = make_loop(recruiter=rita)
    other = make_interview(loop=loop, focus=["Software engineering"])
    own = make_interview(loop=loop, interviewer=rita, focus=["Software engineering"])
    submit_scorecard(other, {"Software engineering": 5}, summary="Brilliant debugging session.")
    recommendation_compute(loop_id=loop.pk)
    url = reverse("hiring:candidate-summary", args=[loop.candidate_id])

    hidden = client.get(url)
    (entry,) = hidden.context["summary"].loops
    assert (entry.panel_visible, entry.scorecards, entry.matrix, entry.recommendation) == (False, [], [], None)
    assert b"Brilliant debugging session." not in hidden.content
    assert b"appear here once you have submitted your own feedback" in hidden.content

    submit_scorecard(own, {"Software engineering": 4})
    shown = client.get(url)
    assert shown.context["summary"].loops[0].panel_visible is True
    assert b"Brilliant debugging session." in shown.content


def test_candidate_summary_lists_every_loop_with_withdrawal(client, rita):
    loop = make_loop(recruiter=rita)
    loop_withdraw(actor=rita, loop=loop, reason="Relocated abroad.")
    again = make_loop(recruiter=rita, candidate=loop.candidate)

    response = client.get(reverse("hiring:candidate-summary", args=[loop.candidate_id]))

    assert [e.loop.pk for e in response.context["summary"].loops] == [again.pk, loop.pk]
    assert b"Relocated abroad." in response.content


# --- refusals -----------------------------------------------------------------------------


def test_a_refused_page_explains_itself_inside_the_site(client, interviewer):
    """An interviewer opening the pipeline gets the site's page with the reason and the navigation, not a bare 403."""
    client.force_login(interviewer)
    response = client.get(reverse("hiring:pipeline"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Only recruiters, the hiring committee and admins can open this page." in page
    assert "Sign out" in page and 'href="/"' in page


def test_a_missing_or_hidden_object_gets_one_not_found_page(client, interviewer):
    """Another interviewer's scorecard and one that does not exist answer alike, inside the site."""
    other = make_interview(loop=make_loop(), interviewer=UserFactory(username="otto"))
    client.force_login(interviewer)
    hidden = client.get(reverse("scorecards:scorecard-edit", args=[other.pk]))
    missing = client.get(reverse("scorecards:scorecard-edit", args=[other.pk + 1000]))
    assert hidden.status_code == missing.status_code == 404
    for response in (hidden, missing):
        assert "There is nothing here, or it is not shared with you." in response.content.decode()
