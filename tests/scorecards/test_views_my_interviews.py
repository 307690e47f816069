"""My interviews and the interview kit: only the interviewer's own interviews, in the states they act on."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from hiring.models import InterviewLoop
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import save_draft, submit_scorecard
from tests.scorecards.interviewer_helpers import SE, close_loop

pytestmark = pytest.mark.django_db

# Session, user, then one query per section: upcoming, due, overdue, the submitted page's count and rows, closed.
MY_INTERVIEWS_QUERIES = 8
# Session, user, the interview (loop, candidate, role, rubric, exercise, interviewer), its focus dimensions,
# the rubric's dimensions, signals and focus areas, and the interviewer's own current scorecard; the questions
# picked for the interview (none here), the role's questions (none here) and the interviewer's notes.
KIT_QUERIES = 11

INTERVIEWER_URLS = ["my-interviews", "interview-kit", "scorecard-edit", "scorecard-amend", "panel", "rubric-list",
                    "rubric-detail"]


def _url(name: str, interview_id: int) -> str:
    if name in ("my-interviews", "rubric-list"):
        return reverse(f"scorecards:{name}")
    if name == "rubric-detail":
        return reverse("scorecards:rubric-detail", args=["applied-ai-engineer"])
    return reverse(f"scorecards:{name}", args=[interview_id])


@pytest.mark.parametrize("name", INTERVIEWER_URLS)
def test_views_interviewer_pages_require_sign_in(client, interviewer, name):
    """Every interviewer page sends a visitor who is not signed in to the sign-in page."""
    interview = make_interview(loop=make_loop(), interviewer=interviewer)
    response = client.get(_url(name, interview.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_views_my_interviews_sections(client, interviewer):
    """Upcoming, feedback due, overdue (with how late) and submitted; closed loops apart; only mine."""
    loop = make_loop()
    upcoming = make_interview(loop=loop, interviewer=interviewer, starts_in=timedelta(days=2))
    due = make_interview(loop=loop, interviewer=interviewer, starts_in=timedelta(hours=-2))
    overdue = make_interview(loop=loop, interviewer=interviewer, starts_in=timedelta(days=-3))
    done = make_interview(loop=loop, interviewer=interviewer, starts_in=timedelta(days=-1))
    submit_scorecard(done)
    save_draft(due, {SE: 3})
    someone_else = make_interview(loop=loop, starts_in=timedelta(days=-3))
    closed = make_interview(loop=make_loop(role_slug="junior-ai-engineer"), interviewer=interviewer,
                            starts_in=timedelta(days=-3))
    close_loop(closed.loop, InterviewLoop.Status.WITHDRAWN)
    client.force_login(interviewer)

    response = client.get(reverse("scorecards:my-interviews"))

    sections = response.context["sections"]
    assert [i.pk for i in sections.upcoming] == [upcoming.pk]
    assert [i.pk for i in sections.due] == [due.pk]
    assert [i.pk for i in sections.overdue] == [overdue.pk]
    assert [i.pk for i in response.context["submitted_page"].object_list] == [done.pk]
    assert [i.pk for i in sections.closed] == [closed.pk]
    html = response.content.decode()
    assert someone_else.pk not in [i.pk for i in (*sections.upcoming, *sections.due, *sections.overdue)]
    # The interview started 3 days ago and lasted an hour; feedback was due 24 hours after it ended.
    late = re.search(r"<span class=\"badge bad\">([^<]*)</span>", html)
    # Django's timesince joins number and unit with non-breaking spaces, so the badge never wraps mid-duration.
    assert late is not None and late.group(1) == "1\xa0day, 23\xa0hours late", late
    assert "Continue draft" in html
    assert loop.candidate.name in html
    assert "Applied AI Engineer" in html


def _build_states(interviewer, count: int) -> None:
    """``count`` interviews in each of the four sections, plus a closed one, over two roles."""
    loops = [make_loop(), make_loop(role_slug="junior-applied-ai-engineer")]
    for n in range(count):
        loop = loops[n % 2]
        make_interview(loop=loop, interviewer=interviewer, starts_in=timedelta(days=2, hours=n))
        make_interview(loop=loop, interviewer=interviewer, starts_in=timedelta(hours=-2, minutes=-n))
        make_interview(loop=loop, interviewer=interviewer, starts_in=timedelta(days=-3, hours=-n))
        submit_scorecard(make_interview(loop=loop, interviewer=interviewer, starts_in=timedelta(days=-1)))
    closed = make_loop(role_slug="junior-ai-engineer")
    make_interview(loop=closed, interviewer=interviewer)
    close_loop(closed)


@pytest.mark.parametrize("count", [1, 13])
def test_views_my_interviews_query_count_fixed(client, django_assert_num_queries, interviewer, count):
    """My interviews costs the same queries for 5 and for 53 interviews (13 in each section)."""
    _build_states(interviewer, count)
    client.force_login(interviewer)
    with django_assert_num_queries(MY_INTERVIEWS_QUERIES):
        response = client.get(reverse("scorecards:my-interviews"))
    sections = response.context["sections"]
    assert (len(sections.upcoming), len(sections.due), len(sections.overdue)) == (count, count, count)
    assert response.context["submitted_page"].paginator.count == count
    assert len(sections.closed) == 1


def test_views_kit_shows_focus_anchors_exercise_and_signals(client, interviewer):
    """The kit: candidate, role, focus dimensions with an anchor for each point 1-5, what to assess, the exercise brief
    and the signals and red flags to listen for."""
    loop = make_loop(role_slug="associate-applied-ai-engineer")
    exercise = loop.role.exercises.get(slug="ship-a-minimal-inference-service")
    interview = make_interview(loop=loop, interviewer=interviewer, focus=["Coding (Python)", "ML fundamentals"],
                               exercise=exercise)
    client.force_login(interviewer)

    response = client.get(reverse("scorecards:interview-kit", args=[interview.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert loop.candidate.name in html
    assert "Associate Applied AI Engineer" in html
    assert [d.name for d, _ in response.context["focus"]] == ["Coding (Python)", "ML fundamentals"]
    for text in ("Correct solution, readable structure, basic tests",  # meets (3)
                 "Strong modularity, thoughtful edge cases, strong tests",  # exceeds (5)
                 "Messy code, no tests, poor debugging"):  # common concerns (1)
        assert text in html
    for dimension, anchors in response.context["focus"]:
        assert [anchor.value for anchor in anchors] == ["1", "2", "3", "4", "5"], dimension.name
        # The document gives 1, 3 and 5 for this role; the team wrote 2 and 4, and the kit says so.
        assert [anchor.by_team for anchor in anchors] == [False, True, False, True, False], dimension.name
    assert "1 · Below bar" in html and "2 · Approaching bar" in html and "4 · Exceeds bar" in html
    assert html.count("document\">team</span>") == 4  # the badge on each of the team's anchors
    for area in loop.rubric.focus_areas.all():
        assert area.title in html
    assert f"Exercise: <bdi>{exercise.title}</bdi>" in html
    for item in [*exercise.materials, *exercise.tasks, *exercise.evaluation]:
        assert item in html
    for signal in loop.rubric.signals.all():
        assert signal.text.replace("“", "&ldquo;") in html or signal.text in html
    assert 'href="/static/css/print.css" media="print"' in html
    assert "Write scorecard" in html


def test_views_kit_someone_elses_interview_not_found(client, interviewer):
    """An interviewer cannot open the kit of an interview assigned to someone else."""
    interview = make_interview(loop=make_loop())
    client.force_login(interviewer)
    response = client.get(reverse("scorecards:interview-kit", args=[interview.pk]))
    assert response.status_code == 404
    assert interview.loop.candidate.name not in response.content.decode()


@pytest.mark.parametrize("kind", ["recruiter", "committee", "admin"])
def test_views_kit_readable_by_wider_readers_without_scorecard_action(client, kind):
    """Recruiters, the committee and admins may preview a kit; only its interviewer is offered the scorecard."""
    interview = make_interview(loop=make_loop())
    client.force_login(UserFactory(kind=kind))
    response = client.get(reverse("scorecards:interview-kit", args=[interview.pk]))
    assert response.status_code == 200
    assert "Write scorecard" not in response.content.decode()


def test_views_kit_reveals_no_colleague_feedback(client, interviewer):
    """Before submitting, the kit shows nothing of a colleague's submitted scorecard on the same loop."""
    loop = make_loop()
    interview = make_interview(loop=loop, interviewer=interviewer)
    submit_scorecard(make_interview(loop=loop), evidence="COLLEAGUE-EVIDENCE", summary="COLLEAGUE-SUMMARY")
    client.force_login(interviewer)
    for name in ("interview-kit", "scorecard-edit"):
        html = client.get(reverse(f"scorecards:{name}", args=[interview.pk])).content.decode()
        assert "COLLEAGUE" not in html
    html = client.get(reverse("scorecards:my-interviews")).content.decode()
    assert "COLLEAGUE" not in html


@pytest.mark.parametrize("focus_count", [1, 7])
def test_views_kit_query_count_fixed(client, django_assert_num_queries, interviewer, focus_count):
    """The kit costs the same queries with one focus dimension and with all seven."""
    loop = make_loop(role_slug="associate-applied-ai-engineer")
    names = [d.name for d in loop.rubric.dimensions.all()][:focus_count]
    interview = make_interview(loop=loop, interviewer=interviewer, focus=names,
                               exercise=loop.role.exercises.first())
    save_draft(interview, {name: 3 for name in names})
    client.force_login(interviewer)
    with django_assert_num_queries(KIT_QUERIES):
        response = client.get(reverse("scorecards:interview-kit", args=[interview.pk]))
    assert len(response.context["focus"]) == focus_count
