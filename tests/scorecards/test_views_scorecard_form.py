"""The scorecard web form: drafts come back as left, submit shows every problem beside its field,
stale and refused saves change nothing and keep what was typed."""

from __future__ import annotations

import copy
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import reverse

from hiring.models import AuditEvent, Interview, InterviewLoop
from hiring.services.interviews import interview_reassign
from scorecards.forms import ScorecardForm
from scorecards.models import Scorecard
from scorecards.selectors.scorecards import own_interview_rubric
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import save_draft, submit_scorecard
from tests.scorecards.interviewer_helpers import (
    ML,
    OPS,
    RED_FLAG,
    SE,
    STRONG,
    close_loop,
    dimension,
    scorecard_state,
    signal,
)

pytestmark = pytest.mark.django_db

# Session, user, the interview (loop, candidate, role, rubric, exercise), its focus dimensions, the rubric's
# dimensions and signals, the interviewer's scorecards with their ratings and signals, their notes on the kit's
# questions (to pre-fill the evidence).
FORM_QUERIES = 10
# Submitting a first scorecard: session, user, the interview's rubric (its dimensions and signals are read once
# per process: a published rubric never changes); then one transaction (savepoint and release here, inside the
# test's transaction): the interview and loop locked, the current scorecard (none), the focus under the lock;
# the scorecard, its ratings, its signals and both audit events (created, submitted) inserted; the loop's stage
# in one aggregate, its update and audit event (the panel's only interview moves it to review); the
# recommendation's outbox row; the "scorecard submitted" and "ready for review" events (hiring.events).
# The evidence hints of "Clear." (too short, no behaviour) in one insert.
SUBMIT_QUERIES = 19
# Over a saved draft (here with ratings and a signal): its ratings and signals are read (the audit's
# before-values) and deleted first; a kind of row the draft does not hold is not deleted.
SUBMIT_OVER_DRAFT_QUERIES = 23
# A card answering every dimension of the rubric covers any focus: the focus is not read.
SUBMIT_WHOLE_RUBRIC_QUERIES = 17


@pytest.fixture
def interview(interviewer):
    return make_interview(loop=make_loop(), interviewer=interviewer)


@pytest.fixture
def signed_in(client, interviewer):
    client.force_login(interviewer)
    return client


def form_data(
    interview: Interview,
    scores: dict[str, str] | None = None,
    evidence: dict[str, str] | None = None,
    *,
    version: int | str | None = 1,
    action: str = "save",
    overall: str = "",
    summary: str = "",
    signals: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """What the browser posts: scores by dimension name ('1'..'5' or 'na'), evidence, ticked signals with notes."""
    data: dict[str, Any] = {"action": action, "overall": overall, "summary": summary}
    if version is not None:
        data["version"] = str(version)
    for name, score in (scores or {}).items():
        data[f"dimension-{dimension(interview, name).pk}-score"] = score
    for name, text in (evidence or {}).items():
        data[f"dimension-{dimension(interview, name).pk}-evidence"] = text
    for text, note in (signals or {}).items():
        found = signal(interview, text)
        data[f"signal-{found.pk}"] = "on"
        if note is not None:
            data[f"signal-{found.pk}-note"] = note
    return data


def edit_url(interview: Interview) -> str:
    return reverse("scorecards:scorecard-edit", args=[interview.pk])


def test_views_scorecard_form_empty_for_new_interview(signed_in, interview):
    """A first visit shows the focus dimensions with the anchor beside the scale, version 1, and creates nothing."""
    response = signed_in.get(edit_url(interview))

    assert response.status_code == 200
    assert [row.dimension.name for row in response.context["focus_rows"]] == [SE, ML]
    assert len(response.context["other_rows"]) == 5
    assert response.context["open_others"] is False
    html = response.content.decode()
    assert 'name="version" value="1"' in html
    assert "Writes clean, testable code; solid API/service fundamentals" in html
    se = dimension(interview, SE)
    assert f'id="id_dimension-{se.pk}-score_3" value="3" aria-describedby="anchor-{se.pk}-3"' in html
    assert (
        f'<label for="id_dimension-{se.pk}-evidence">Evidence<span class="visually-hidden"> for <bdi>{SE}</bdi></span>'
        in html
    )
    assert "Not assessed" in html
    for choice in ("Strong no", "No", "Yes", "Strong yes"):
        assert f"<span>{choice}</span>" in html
    # Opening the form is not starting a scorecard: the interview can still be handed to someone else.
    assert Scorecard.objects.count() == 0
    interview_reassign(actor=interview.loop.recruiter, interview=interview, interviewer=UserFactory())


def test_views_scorecard_save_draft_comes_back_as_left(signed_in, interview):
    """Save draft keeps an incomplete card; the page then shows every value exactly as typed."""
    data = form_data(
        interview,
        scores={SE: "4", OPS: "na"},
        evidence={SE: "Refactored the handler and added tests.", ML: "Half a thought about recall"},
        signals={STRONG: None, RED_FLAG: ""},
        summary="Finish after lunch.",
    )

    response = signed_in.post(edit_url(interview), data)

    assert response.status_code == 302
    assert response["Location"] == edit_url(interview)
    [state] = scorecard_state(interview)
    assert state["status"] == "draft"
    assert state["version"] == 2
    assert state["summary"] == "Finish after lunch."
    se, ml, ops = dimension(interview, SE), dimension(interview, ML), dimension(interview, OPS)
    assert state["ratings"] == sorted([
        (se.pk, 4, False, "Refactored the handler and added tests."),
        (ml.pk, None, False, "Half a thought about recall"),
        (ops.pk, None, True, ""),
    ])

    page = signed_in.get(edit_url(interview))
    html = page.content.decode()
    assert "Draft saved at" in html
    assert f'id="id_dimension-{se.pk}-score_4" value="4" checked' in html
    assert f'id="id_dimension-{ops.pk}-score_na" value="na" checked' in html
    assert ">Refactored the handler and added tests.</textarea>" in html
    assert ">Half a thought about recall</textarea>" in html
    assert f'id="id_signal-{signal(interview, STRONG).pk}" checked' in html
    assert f'id="id_signal-{signal(interview, RED_FLAG).pk}" aria-controls' in html
    assert ">Finish after lunch.</textarea>" in html
    assert 'name="version" value="2"' in html
    # A scored dimension outside the focus opens the "other dimensions" section by itself.
    assert page.context["open_others"] is True


def test_views_scorecard_submit_shows_every_problem_beside_its_field(signed_in, interview):
    """Submitting an incomplete card lists every problem, puts each beside its field, keeps what was typed
    and changes nothing."""
    save_draft(interview, {SE: 2}, overall="")
    before = scorecard_state(interview)
    red = signal(interview, RED_FLAG)
    se, ml = dimension(interview, SE), dimension(interview, ML)

    response = signed_in.post(edit_url(interview), form_data(
        interview, scores={SE: "5"}, evidence={SE: ""}, version=2, action="submit", signals={RED_FLAG: ""},
        summary="Typed but not saved",
    ))

    assert response.status_code == 400
    assert scorecard_state(interview) == before
    summary = [(target, message) for target, _, message in response.context["error_summary"]]
    assert summary == [
        (f"id_dimension-{se.pk}-evidence", "Give the evidence for this score: what the candidate said or did."),
        (f"id_dimension-{ml.pk}-score_fieldset", "Score this focus dimension or mark it not assessed."),
        (f"id_signal-{red.pk}-note", "Say what you observed for this red flag."),
        ("id_overall_fieldset", "Choose an overall recommendation."),
    ]
    html = response.content.decode()
    assert "4 problems to fix before this can be submitted" in html
    assert (f'<ul class="errorlist" id="id_dimension-{se.pk}-evidence_errors"><li>Give the evidence for this score: '
            "what the candidate said or did.</li></ul>") in html
    assert f'id="id_dimension-{ml.pk}-score_fieldset" aria-describedby="id_dimension-{ml.pk}-score_errors"' in html
    assert f'id="id_dimension-{se.pk}-score_5" value="5" checked' in html
    assert ">Typed but not saved</textarea>" in html


def test_views_scorecard_submit_complete_is_read_only_and_timestamped(signed_in, interview):
    """A complete card is submitted; its page is read-only with the submission time and no form."""
    response = signed_in.post(edit_url(interview), form_data(
        interview, scores={SE: "4", ML: "na"}, evidence={SE: "Clear API design."}, action="submit", overall="yes",
    ))

    assert response.status_code == 302
    card = Scorecard.objects.get(interview=interview)
    assert card.status == "submitted"
    page = signed_in.get(edit_url(interview))
    html = page.content.decode()
    assert "Submitted — read-only" in html
    assert f"Scorecard submitted on {card.submitted_at:%-d %b %Y, %H:%M}" in html
    assert "<textarea" not in html
    assert "<form method=\"post\" action=\"/interviews/" not in html
    assert "Clear API design." in html


def test_views_scorecard_submit_before_the_interview_starts_refused_with_text_kept(signed_in, interviewer):
    """Submitting a scorecard for an interview that is still to come is refused with the reason; what was typed
    stays on the page, and nothing is submitted."""
    future = make_interview(loop=make_loop(), interviewer=interviewer, starts_in=timedelta(days=2))
    response = signed_in.post(edit_url(future), form_data(
        future, scores={SE: "4", ML: "na"}, evidence={SE: "Written ahead of time"}, action="submit", overall="yes",
    ))
    assert response.status_code == 409
    html = response.content.decode()
    assert "you can submit its scorecard once it has started. Save a draft until then." in html
    assert ">Written ahead of time</textarea>" in html
    assert not Scorecard.objects.filter(interview=future, status="submitted").exists()


def test_views_scorecard_form_says_before_submit_why_it_cannot_be_submitted_yet(signed_in, interviewer, interview):
    """An interview still to come: the form says so beside a disabled Submit, and drafts stay open; once it has
    started the button is there as usual."""
    future = make_interview(loop=make_loop(), interviewer=interviewer, starts_in=timedelta(days=2))

    waiting = signed_in.get(edit_url(future)).content.decode()
    started = signed_in.get(edit_url(interview)).content.decode()

    assert 'value="submit" class="primary" disabled aria-describedby="submit-blocked"' in waiting
    assert "you can submit its scorecard once it has started. Save a draft until then.</span>" in waiting
    assert '<button type="submit" name="action" value="save">Save draft</button>' in waiting
    assert '<button type="submit" name="action" value="submit" class="primary">Submit scorecard</button>' in started
    assert "submit-blocked" not in started


def test_views_scorecard_post_after_submit_refused(signed_in, interview):
    """Posting to a submitted card (a second tab) changes nothing and keeps the typed text to copy."""
    card = submit_scorecard(interview)
    before = scorecard_state(interview)
    response = signed_in.post(edit_url(interview), form_data(
        interview, scores={SE: "1"}, evidence={SE: "Second tab text"}, version=card.version, action="save",
    ))
    assert response.status_code == 409
    assert scorecard_state(interview) == before
    html = response.content.decode()
    assert "This scorecard is submitted and read-only; amend it instead." in html
    assert ">Second tab text</textarea>" in html
    assert "Save draft" not in html


def _audit_actions(interview: Interview) -> list[str]:
    return list(AuditEvent.objects.filter(object_type="scorecards.scorecard", loop_id=interview.loop_id)
                .order_by("id").values_list("action", flat=True))


def test_views_scorecard_submit_pressed_twice_lands_on_the_same_page(signed_in, interview):
    """A double click on Submit (the same form posted twice) submits once: both posts land on the read-only page
    with the same message, with one audit event each for creating and submitting, and no 409 page."""
    data = form_data(interview, scores={SE: "4", ML: "na"}, evidence={SE: "Clear API design."}, action="submit",
                     overall="yes", summary="Strong on fundamentals.")

    first = signed_in.post(edit_url(interview), data)
    second = signed_in.post(edit_url(interview), data, follow=True)

    assert first.status_code == 302 and first["Location"] == edit_url(interview)
    assert second.redirect_chain == [(edit_url(interview), 302)]
    card = Scorecard.objects.get(interview=interview)
    assert (card.status, card.version) == ("submitted", 2)
    assert _audit_actions(interview) == ["scorecard.created", "scorecard.submitted"]
    html = second.content.decode()
    assert "Submitted — read-only" in html
    assert f"Scorecard submitted on {card.submitted_at:%-d %b %Y, %H:%M}" in html


def test_views_scorecard_save_pressed_twice_saves_once(signed_in, interview):
    """Save draft pressed twice keeps one save: version 2, one audit event, the same "Draft saved" page."""
    data = form_data(interview, scores={SE: "3"}, evidence={SE: "Halfway through."})

    first = signed_in.post(edit_url(interview), data)
    second = signed_in.post(edit_url(interview), data, follow=True)

    assert first.status_code == 302
    assert second.redirect_chain == [(edit_url(interview), 302)]
    [state] = scorecard_state(interview)
    assert (state["status"], state["version"]) == ("draft", 2)
    assert _audit_actions(interview) == ["scorecard.created", "scorecard.saved"]
    assert "Draft saved at" in second.content.decode()


def test_views_scorecard_second_post_with_other_content_is_still_a_conflict(signed_in, interview):
    """Only a post identical to the one that made the current version counts as a repeat: the same version with
    other text (a second tab) is refused as before, and changes nothing."""
    signed_in.post(edit_url(interview), form_data(interview, scores={SE: "4", ML: "na"}, evidence={SE: "First."},
                                                  action="submit", overall="yes"))
    before = scorecard_state(interview)

    response = signed_in.post(edit_url(interview), form_data(
        interview, scores={SE: "4", ML: "na"}, evidence={SE: "Second tab."}, action="submit", overall="yes",
    ))

    assert response.status_code == 409
    assert scorecard_state(interview) == before
    assert _audit_actions(interview) == ["scorecard.created", "scorecard.submitted"]


def test_views_scorecard_stale_save_refused_with_typed_text_kept(signed_in, interview):
    """A save from a tab opened before another save is refused with a clear message; nothing is overwritten,
    the typed text stays, and the form now carries the latest version so saving again is a choice."""
    save_draft(interview, {SE: 3})  # the other tab: version 2
    before = scorecard_state(interview)

    response = signed_in.post(edit_url(interview), form_data(
        interview, scores={SE: "5"}, evidence={SE: "From the stale tab"}, version=1,
    ))

    assert response.status_code == 409
    assert scorecard_state(interview) == before
    html = response.content.decode()
    assert "Not saved: this scorecard changed since you opened it" in html
    assert ">From the stale tab</textarea>" in html
    assert 'name="version" value="2"' in html
    assert "Save draft" in html


@pytest.mark.parametrize("version", [None, "", "abc", "0"])
def test_views_scorecard_post_without_valid_version_refused(signed_in, interview, version):
    """A post that does not say which version it edits saves nothing and asks for a reload."""
    response = signed_in.post(edit_url(interview), form_data(interview, scores={SE: "3"}, version=version))
    assert response.status_code == 400
    assert Scorecard.objects.count() == 0
    assert "This form lost track of which version it edits. Reload the page and try again." in (
        response.content.decode())


@pytest.mark.parametrize("field,value", [("score", "7"), ("score", "3.5"), ("overall", "maybe")])
def test_views_scorecard_impossible_values_refused(signed_in, interview, field, value):
    """A score off the scale or a neutral overall is refused beside the field; nothing is saved."""
    data = form_data(interview, overall=value if field == "overall" else "")
    if field == "score":
        data[f"dimension-{dimension(interview, SE).pk}-score"] = value
    response = signed_in.post(edit_url(interview), data)
    assert response.status_code == 400
    assert Scorecard.objects.count() == 0
    assert "Select a valid choice." in response.content.decode()


def test_views_scorecard_evidence_too_long_refused(signed_in, interview):
    """A runaway paste is refused beside the field, not truncated silently."""
    response = signed_in.post(edit_url(interview), form_data(interview, evidence={SE: "x" * 10_001}))
    assert response.status_code == 400
    assert Scorecard.objects.count() == 0


@pytest.mark.parametrize("kind", ["interviewer", "recruiter", "committee", "admin"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_views_scorecard_someone_elses_interview_not_found(client, interview, kind, method):
    """Whoever asks, another person's scorecard page answers 404 and reveals nothing; nothing is created."""
    submit_scorecard(interview, evidence="PRIVATE-EVIDENCE")
    before = scorecard_state(interview)
    client.force_login(UserFactory(kind=kind))
    url = edit_url(interview)
    response = client.get(url) if method == "get" else client.post(url, form_data(interview, scores={SE: "1"}))
    assert response.status_code == 404
    assert "PRIVATE-EVIDENCE" not in response.content.decode()
    assert scorecard_state(interview) == before


def test_views_scorecard_closed_loop_read_only(signed_in, interview):
    """On a withdrawn loop the draft is shown read-only and a post is refused without change."""
    draft = save_draft(interview, {SE: 2}, evidence="Draft words")
    close_loop(interview.loop, InterviewLoop.Status.WITHDRAWN)
    before = scorecard_state(interview)

    page = signed_in.get(edit_url(interview))
    assert "This loop is withdrawn; its feedback can no longer be changed." in page.content.decode()
    assert "<textarea" not in page.content.decode()
    response = signed_in.post(edit_url(interview), form_data(interview, scores={SE: "5"}, version=draft.version))
    assert response.status_code == 409
    assert "This loop is closed" in response.content.decode()
    assert scorecard_state(interview) == before


def _field_state(form: ScorecardForm) -> dict[str, Any]:
    """Everything a form's rubric fields hold, widgets included, to compare before and after."""
    return {
        name: copy.deepcopy({**vars(field), "widget": vars(field.widget)})
        for name, field in form.fields.items()
        if name.startswith(("dimension-", "signal-"))
    }


def test_views_scorecard_shared_fields_unchanged_by_posts_and_pages(signed_in, interview):
    """The rubric's form fields are shared between forms: refused posts, error pages and forms leave them as built."""
    rubric = own_interview_rubric(user=interview.interviewer, interview_id=interview.pk)
    first = ScorecardForm(dimensions=rubric.dimensions, signals=rubric.signals)
    before = _field_state(first)

    refused = signed_in.post(edit_url(interview), form_data(
        interview, scores={SE: "7", ML: "4"}, evidence={SE: "x" * 10_001}, signals={RED_FLAG: ""}, action="submit",
    ))
    incomplete = signed_in.post(edit_url(interview), form_data(interview, scores={SE: "4"}, signals={RED_FLAG: ""},
                                                                action="submit"))
    page = signed_in.get(edit_url(interview))
    second = ScorecardForm(data={"version": "1"}, dimensions=rubric.dimensions, signals=rubric.signals)
    second.is_valid()
    second.add_error(None, "A problem on top.")

    assert (refused.status_code, incomplete.status_code, page.status_code) == (400, 400, 200)
    assert "Give the evidence for this score" in incomplete.content.decode()
    assert _field_state(first) == before
    assert first.fields is not second.fields
    assert all(first.fields[name] is second.fields[name] for name in before)


@pytest.mark.parametrize("draft_dimensions", [1, 7])
def test_views_scorecard_form_query_count_fixed(client, django_assert_num_queries, interviewer, draft_dimensions):
    """The form costs the same queries with one focus dimension scored and with the whole rubric focused and scored."""
    loop = make_loop()
    names = [d.name for d in loop.rubric.dimensions.all()][:draft_dimensions]
    interview = make_interview(loop=loop, interviewer=interviewer, focus=names)
    save_draft(interview, {name: 3 for name in names}, signals={STRONG: "", RED_FLAG: "Noted"})
    client.force_login(interviewer)
    with django_assert_num_queries(FORM_QUERIES):
        response = client.get(edit_url(interview))
    assert len(response.context["focus_rows"]) == draft_dimensions


@pytest.mark.parametrize("focus_count", [1, 6])
@pytest.mark.parametrize("with_draft", [False, True])
def test_views_scorecard_submit_query_count_fixed(
    client, django_assert_num_queries, interviewer, focus_count, with_draft
):
    """Submitting costs the same queries with one focus dimension scored and with six (all but one) scored."""
    loop = make_loop()
    names = [d.name for d in loop.rubric.dimensions.all()][:focus_count]
    interview = make_interview(loop=loop, interviewer=interviewer, focus=names)
    version = save_draft(interview, {names[0]: 2}, signals={STRONG: ""}).version if with_draft else 1
    data = form_data(interview, scores={name: "3" for name in names}, evidence={name: "Clear." for name in names},
                     signals={STRONG: ""}, action="submit", overall="yes", version=version)
    client.force_login(interviewer)
    own_interview_rubric(user=interviewer, interview_id=interview.pk)  # as after the process's first post
    with django_assert_num_queries(SUBMIT_OVER_DRAFT_QUERIES if with_draft else SUBMIT_QUERIES):
        response = client.post(edit_url(interview), data)
    assert response.status_code == 302
    [state] = scorecard_state(interview)
    assert (state["status"], len(state["ratings"]), state["version"]) == ("submitted", focus_count, version + 1)


def test_views_scorecard_submit_whole_rubric_skips_the_focus(client, django_assert_num_queries, interviewer):
    """A card that answers every dimension is complete whatever the focus, so the focus is not read."""
    loop = make_loop()
    names = [d.name for d in loop.rubric.dimensions.all()]
    interview = make_interview(loop=loop, interviewer=interviewer, focus=names[:2])
    data = form_data(interview, scores={name: "na" for name in names}, signals={STRONG: ""}, action="submit",
                     overall="no")
    client.force_login(interviewer)
    own_interview_rubric(user=interviewer, interview_id=interview.pk)
    with django_assert_num_queries(SUBMIT_WHOLE_RUBRIC_QUERIES):
        response = client.post(edit_url(interview), data)
    assert response.status_code == 302
    [state] = scorecard_state(interview)
    assert (state["status"], len(state["ratings"])) == ("submitted", len(names))


class _Controls(HTMLParser):
    """Collects form controls and label targets of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str]] = []
        self.label_targets: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "label" and values.get("for"):
            self.label_targets.add(values["for"])
        if tag in ("input", "textarea", "select") and values.get("type") != "hidden":
            self.controls.append(values)


@pytest.mark.parametrize("page", ["form", "amend"])
def test_views_scorecard_every_control_labelled(client, interviewer, page):
    """Every control of the form and of the amendment page has a label of its own."""
    loop = make_loop()
    interview = make_interview(loop=loop, interviewer=interviewer)
    if page == "amend":
        submit_scorecard(interview)
        submit_scorecard(make_interview(loop=loop))
    client.force_login(interviewer)
    url = edit_url(interview) if page == "form" else reverse("scorecards:scorecard-amend", args=[interview.pk])
    parser = _Controls()
    parser.feed(client.get(url).content.decode())
    # 7 dimensions x (6 score choices + evidence) + 10 signals + 5 red flag notes + 4 overall choices + summary.
    expected = 7 * 7 + 15 + 5 + 4 + 1 + (1 if page == "amend" else 0)
    assert len(parser.controls) == expected
    unlabelled = [c for c in parser.controls if c.get("id") not in parser.label_targets]
    assert unlabelled == []
