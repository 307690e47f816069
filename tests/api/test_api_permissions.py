"""The permission matrix: every endpoint by every kind of user, exact statuses, refused writes change nothing.

IDs are swapped on purpose: each person probes objects that belong to others
(another interviewer's scorecard and interview, a loop they are not on).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from hiring.models import AuditEvent, Candidate, IdempotencyKey, Interview, InterviewLoop
from scorecards.models import (
    CalibrationReport,
    ObservedSignal,
    Question,
    Rating,
    Recommendation,
    RecomputeRequest,
    Rubric,
    RubricDraft,
    Scorecard,
)
from tests.api.conftest import World
from tests.scorecards.factories import fixture_spec

ACTORS = ("anonymous", "pending", "submitted", "outsider", "recruiter", "committee", "admin")


def _statuses(default: int, **overrides: int) -> dict[str, int]:
    expected = {actor: default for actor in ACTORS}
    expected["anonymous"] = 401
    expected.update(overrides)
    return expected


def _focus_content(interview: Interview) -> dict[str, Any]:
    return {
        "ratings": [
            {"dimension": d.pk, "score": 4, "evidence": "Explained the trade-offs with numbers."}
            for d in interview.focus_dimensions.all()
        ],
        "overall": "yes",
        "summary": "Good.",
    }


def _publishable_rubric() -> dict[str, Any]:
    from scorecards.rubrics.io import spec_to_document

    document = spec_to_document(fixture_spec("applied-ai-engineer"), with_normalized=False)
    document["rubric"]["thresholds"]["hire"] = 3.6
    return document


def _open_draft(world: World) -> None:
    from scorecards.rubrics.drafts import rubric_draft_open

    rubric_draft_open(actor=world.admin, role_slug=world.loop.role.slug)


def _edited_draft_saved(world: World) -> None:
    """A draft with one anchor rewritten and saved (revision 2), so that publishing it makes a new version."""
    from scorecards.rubrics.drafts import rubric_draft_save

    _open_draft(world)
    rubric_draft_save(actor=world.admin, role_slug=world.loop.role.slug, document=_edited_draft(world), revision=1)


def _a_retired_question(world: World) -> None:
    Question.objects.filter(pk=_question_id(world)).update(retired_at=timezone.now())


def _edited_draft(world: World) -> dict[str, Any]:
    document = RubricDraft.objects.get(role=world.loop.role).document
    document["rubric"]["dimensions"][0]["anchors"]["2"]["text"] = "Tests only the happy path."
    return document


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: Callable[[World], str]
    expected: dict[str, int]
    body: Callable[[World], dict[str, Any]] | None = None
    # Brings the world to the state the endpoint acts on, in the same savepoint as the request.
    prepare: Callable[[World], None] | None = None


def _a_question(world: World) -> None:
    """A question in the world's role's bank (the bank is seeded by load_rubrics, not by the test factories)."""
    _question_id(world)


def _question_id(world: World) -> int:
    """The world's question, made on first use: the schema walk asks for the URL before any case prepares it."""
    question = Question.objects.filter(role=world.loop.role).order_by("-id").first()
    if question is None:
        question = Question.objects.create(role=world.loop.role, text="Tell me about a test that caught a real bug.")
        question.dimension_links.create(dimension_key="software-engineering")
    return question.pk


def _report_failed(world: World) -> None:
    """The world's report, failed by the requeue job after its workers stopped three times."""
    CalibrationReport.objects.filter(pk=world.report.pk).update(
        status="failed", attempts=3, error="The worker computing this report stopped 3 times before finishing."
    )


CASES = [
    # --- reads ---------------------------------------------------------------------------
    Case("roles list", "get", lambda w: "/api/v1/roles/", _statuses(200)),
    Case("role", "get", lambda w: f"/api/v1/roles/{w.loop.role.slug}/", _statuses(200)),
    Case("rubric versions", "get", lambda w: "/api/v1/rubrics/", _statuses(200)),
    Case("rubric", "get", lambda w: f"/api/v1/rubrics/{w.loop.rubric_id}/", _statuses(200)),
    Case("rubric export", "get", lambda w: f"/api/v1/rubrics/{w.loop.rubric_id}/export/", _statuses(200)),
    Case("rubric diff", "get", lambda w: f"/api/v1/rubrics/{w.loop.rubric_id}/diff/?against={w.loop.rubric_id}",
         _statuses(200)),
    Case("rubric draft", "get", lambda w: f"/api/v1/rubric-drafts/{w.loop.role.slug}/", _statuses(403, admin=200)),
    Case("exercises", "get", lambda w: "/api/v1/exercises/", _statuses(200)),
    Case("me", "get", lambda w: "/api/v1/users/me/", _statuses(200)),
    Case("my language", "patch", lambda w: "/api/v1/users/me/", _statuses(200),
         body=lambda w: {"language": "de", "time_zone": "Europe/Berlin"}),
    Case("users", "get", lambda w: "/api/v1/users/", _statuses(200, pending=403, submitted=403, outsider=403)),
    Case("candidates", "get", lambda w: "/api/v1/candidates/",
         _statuses(200, pending=403, submitted=403, outsider=403)),
    Case("candidate", "get", lambda w: f"/api/v1/candidates/{w.loop.candidate_id}/",
         _statuses(200, pending=403, submitted=403, outsider=403)),
    Case("loops", "get", lambda w: "/api/v1/loops/", _statuses(200)),
    Case("loop", "get", lambda w: f"/api/v1/loops/{w.loop.pk}/", _statuses(200, outsider=404)),
    Case("interviews", "get", lambda w: "/api/v1/interviews/", _statuses(200)),
    Case("own interview / other's interview", "get", lambda w: f"/api/v1/interviews/{w.pending_interview.pk}/",
         _statuses(200, submitted=404, outsider=404)),
    Case("scorecards", "get", lambda w: "/api/v1/scorecards/", _statuses(200)),
    Case("submitted scorecard (independence)", "get", lambda w: f"/api/v1/scorecards/{w.submitted_card.pk}/",
         _statuses(200, pending=404, outsider=404)),
    Case("draft scorecard (owner only)", "get", lambda w: f"/api/v1/scorecards/{w.pending_draft.pk}/",
         _statuses(404, pending=200)),
    Case("recommendations", "get", lambda w: "/api/v1/recommendations/", _statuses(200)),
    Case("loop recommendation", "get", lambda w: f"/api/v1/loops/{w.loop.pk}/recommendation/",
         _statuses(200, pending=403, outsider=404)),
    Case("audit trail", "get", lambda w: "/api/v1/audit-events/?action=scorecard.submitted",
         _statuses(403, committee=200, admin=200)),
    Case("calibration reports", "get", lambda w: "/api/v1/calibration-reports/",
         _statuses(403, committee=200, admin=200)),
    Case("calibration report", "get", lambda w: f"/api/v1/calibration-reports/{w.report.pk}/",
         _statuses(403, committee=200, admin=200)),
    Case("calibration download (queued)", "get",
         lambda w: f"/api/v1/calibration-reports/{w.report.pk}/download/pdf/",
         _statuses(403, committee=409, admin=409)),
    # --- writes --------------------------------------------------------------------------
    Case("add candidate", "post", lambda w: "/api/v1/candidates/",
         _statuses(403, recruiter=201, admin=201),
         body=lambda w: {"name": "Amara Obi", "email": "amara.obi@example.org", "source": "Referral"}),
    Case("export candidate", "get", lambda w: f"/api/v1/candidates/{w.loop.candidate_id}/export/",
         _statuses(403, admin=200)),
    Case("erase candidate", "post", lambda w: f"/api/v1/candidates/{w.spare_candidate.pk}/erase/",
         _statuses(403, admin=200), body=lambda w: {}),
    Case("edit candidate", "patch", lambda w: f"/api/v1/candidates/{w.loop.candidate_id}/",
         _statuses(403, recruiter=200, admin=200), body=lambda w: {"phone": "+44 20 7946 0999"}),
    Case("open loop", "post", lambda w: "/api/v1/loops/",
         _statuses(403, recruiter=201, admin=201),
         body=lambda w: {"candidate": w.spare_candidate.pk, "role": w.loop.role.slug}),
    Case("withdraw loop", "post", lambda w: f"/api/v1/loops/{w.loop.pk}/withdraw/",
         _statuses(403, recruiter=200, admin=200), body=lambda w: {"reason": "Accepted another offer."}),
    Case("assign loop", "post", lambda w: f"/api/v1/loops/{w.loop.pk}/assign/",
         _statuses(403, recruiter=200, admin=200),
         body=lambda w: {"recruiter": w.admin.pk, "hiring_manager": w.committee.pk}),
    Case("schedule interview", "post", lambda w: "/api/v1/interviews/",
         _statuses(403, recruiter=201, admin=201),
         body=lambda w: {"loop": w.loop.pk, "kind": "behavioural", "interviewer": w.outsider.pk,
                         "starts_at": "2031-03-02T10:00:00Z", "ends_at": "2031-03-02T11:00:00Z"}),
    Case("reassign interview", "post", lambda w: f"/api/v1/interviews/{w.fresh_interview.pk}/reassign/",
         _statuses(403, recruiter=200, admin=200), body=lambda w: {"interviewer": w.outsider.pk}),
    Case("start scorecard on own / other's interview", "post", lambda w: "/api/v1/scorecards/",
         _statuses(403, pending=201, submitted=404, outsider=404),
         body=lambda w: {"interview": w.fresh_interview.pk}),
    Case("save own / other's draft", "patch", lambda w: f"/api/v1/scorecards/{w.pending_draft.pk}/",
         _statuses(404, pending=200), body=lambda w: {"summary": "Changed."}),
    Case("replace own / other's draft", "put", lambda w: f"/api/v1/scorecards/{w.pending_draft.pk}/",
         _statuses(404, pending=200), body=lambda w: {"summary": "Replaced."}),
    Case("submit own / other's draft", "post", lambda w: f"/api/v1/scorecards/{w.pending_draft.pk}/submit/",
         _statuses(404, pending=200), body=lambda w: {}),
    Case("edit a submitted scorecard", "patch", lambda w: f"/api/v1/scorecards/{w.submitted_card.pk}/",
         _statuses(403, pending=404, outsider=404, submitted=409), body=lambda w: {"summary": "Changed."}),
    Case("amend a submitted scorecard", "post", lambda w: f"/api/v1/scorecards/{w.submitted_card.pk}/amend/",
         # The panel has not all submitted yet: amendments wait for the debrief (409 debrief_pending).
         _statuses(403, pending=404, outsider=404, submitted=409),
         body=lambda w: {**_focus_content(w.submitted_interview), "reason": "Debrief: I misread the design answer."}),
    Case("request recompute", "post", lambda w: f"/api/v1/loops/{w.loop.pk}/recommendation/recompute/",
         _statuses(202, pending=403, outsider=404), body=lambda w: {}),
    # A read by POST (its question is a body); the hiring committee and admins who may see the panel.
    Case("what-if", "post", lambda w: f"/api/v1/loops/{w.loop.pk}/what-if/",
         _statuses(403, outsider=404, committee=200, admin=200),
         body=lambda w: {"leave_out": [w.submitted.pk]}),
    Case("decide", "post", lambda w: f"/api/v1/loops/{w.loop.pk}/decision/",
         _statuses(403, outsider=404, committee=200),
         body=lambda w: {"decision": "no_hire", "rationale": "Not enough depth on evaluation.",
                         "justification": "Decided without the pending interviews.", "confirm_outstanding": True}),
    Case("question bank", "get", lambda w: "/api/v1/questions/", _statuses(403, recruiter=200, admin=200),
         prepare=_a_question),
    Case("add question", "post", lambda w: "/api/v1/questions/", _statuses(403, recruiter=201, admin=201),
         body=lambda w: {"role": w.loop.role.slug, "text": "How did you test the retry logic?",
                         "dimension_keys": ["software-engineering"], "probes": ["What did the test miss?"]}),
    Case("edit question", "patch", lambda w: f"/api/v1/questions/{_question_id(w)}/",
         _statuses(403, recruiter=200, admin=200), body=lambda w: {"text": "How did you test it?"},
         prepare=_a_question),
    Case("retire question", "post", lambda w: f"/api/v1/questions/{_question_id(w)}/retire/",
         _statuses(403, recruiter=200, admin=200), body=lambda w: {}, prepare=_a_question),
    Case("restore question", "post", lambda w: f"/api/v1/questions/{_question_id(w)}/restore/",
         _statuses(403, recruiter=200, admin=200), body=lambda w: {}, prepare=_a_retired_question),
    Case("publish rubric", "post", lambda w: "/api/v1/rubrics/", _statuses(403, admin=201),
         body=lambda w: _publishable_rubric()),
    Case("save rubric draft", "put", lambda w: f"/api/v1/rubric-drafts/{w.loop.role.slug}/", _statuses(403, admin=200),
         body=lambda w: {"revision": 1, "document": _edited_draft(w)}, prepare=_open_draft),
    Case("publish rubric draft", "post", lambda w: f"/api/v1/rubric-drafts/{w.loop.role.slug}/publish/",
         # The draft changes nothing yet: the admin is let in and refused for that (400 no_change).
         _statuses(403, admin=400), body=lambda w: {"revision": 1, "change_note": "Clearer anchors."},
         prepare=_open_draft),
    Case("publish an edited rubric draft", "post", lambda w: f"/api/v1/rubric-drafts/{w.loop.role.slug}/publish/",
         _statuses(403, admin=201), body=lambda w: {"revision": 2, "change_note": "Clearer anchors."},
         prepare=_edited_draft_saved),
    Case("discard rubric draft", "delete", lambda w: f"/api/v1/rubric-drafts/{w.loop.role.slug}/",
         _statuses(403, admin=204), prepare=_open_draft),
    Case("request calibration report", "post", lambda w: "/api/v1/calibration-reports/",
         _statuses(403, committee=202, admin=202),
         body=lambda w: {"role": w.loop.role.slug, "date_from": "2026-01-01", "date_to": "2026-06-30"}),
    Case("retry failed calibration report", "post", lambda w: f"/api/v1/calibration-reports/{w.report.pk}/retry/",
         _statuses(403, committee=202, admin=202), prepare=_report_failed),
    Case("retry queued calibration report", "post", lambda w: f"/api/v1/calibration-reports/{w.report.pk}/retry/",
         _statuses(403, committee=409, admin=409)),
]


def state() -> dict[str, Any]:
    """Everything a refused request must leave untouched."""
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (Candidate, InterviewLoop, Interview, Scorecard, Rating, ObservedSignal, Rubric,
                          Recommendation, RecomputeRequest, AuditEvent, IdempotencyKey, CalibrationReport, RubricDraft,
                          Question)
        },
        "drafts": list(RubricDraft.objects.order_by("pk").values_list("revision", "document")),
        "candidates": list(Candidate.objects.order_by("pk").values_list("name", "email", "phone", "updated_at")),
        "loops": list(InterviewLoop.objects.order_by("pk").values_list(
            "status", "decision", "recruiter_id", "hiring_manager_id", "withdrawn_reason")),
        "interviews": list(Interview.objects.order_by("pk").values_list("interviewer_id", "starts_at")),
        "scorecards": list(Scorecard.objects.order_by("pk").values_list(
            "status", "version", "overall", "summary", "is_current", "updated_at")),
        "reports": list(CalibrationReport.objects.order_by("pk").values_list(
            "status", "attempts", "error", "queued_at")),
        "questions": list(Question.objects.order_by("pk").values_list("text", "retired_at", "updated_at")),
    }


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_api_permission_matrix(case: Case, world: World, api) -> None:
    """Each kind of user gets exactly the expected status; a refused write changes nothing.

    Every actor's request runs in a savepoint that is rolled back afterwards, so
    each one meets the same world (and the world is built once per endpoint).
    """
    clients = {actor: api(world.person(actor)) for actor in ACTORS}
    got: dict[str, int] = {}
    problems: list[str] = []
    for actor in ACTORS:
        with transaction.atomic():
            if case.prepare is not None:
                case.prepare(world)
            before = state()
            kwargs: dict[str, Any] = {"format": "json"}
            if case.body is not None:
                kwargs["data"] = case.body(world)
            response = getattr(clients[actor], case.method)(case.url(world), **kwargs)
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
