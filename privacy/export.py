"""A candidate's rights: export everything held about them.

Erasure is in ``privacy.erasure`` and retention in ``privacy.retention``;
the registry in ``privacy.registry`` says where personal data lives.

A subject access request must be complete, and the export holds every
loop's scorecards, recommendation and decision. So a privacy officer who
interviews on one of the candidate's loops and has not submitted all their
feedback there is refused (409, naming the loops), rather than given an
export with that loop's feedback left out: they submit first, or another
officer exports. The command (run by the operator, no actor) is never refused.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from hiring.access import loops_with_feedback_owed_by
from hiring.audit.services import audit_record
from hiring.errors import Conflict, NotFound, PermissionRefused
from hiring.models import AuditEvent, Candidate, InterviewLoop, User
from outcomes.models import Hire
from privacy.registry import (
    PERSONAL_DATA,
)
from scorecards.models import Recommendation, Scorecard

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "hireloop.candidate-export/1"


def require_privacy_officer(actor: Any) -> None:
    """Exports and erasures are for admins (or a command run by the operator: actor None)."""
    if actor is not None and not getattr(actor, "is_hireloop_admin", False):
        raise PermissionRefused(gettext("Only admins export or erase a candidate's data."))


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _person(user: User | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "name": user.display_name}


def _scorecard_data(scorecard: Any) -> dict[str, Any]:
    return {
        "id": scorecard.pk,
        "interviewer": _person(scorecard.interviewer),
        "revision": scorecard.revision,
        "status": scorecard.status,
        "current": scorecard.is_current,
        "overall": scorecard.overall,
        "summary": scorecard.summary,
        "amendment_reason": scorecard.amendment_reason,
        "submitted_at": _iso(scorecard.submitted_at),
        # Where an imported scorecard was written: the subject learns which other system holds it too.
        "imported_from": scorecard.source or None,
        "imported_id": scorecard.source_id or None,
        "ratings": [
            {
                "dimension": rating.dimension.name,
                "score": rating.score,
                "not_assessed": rating.not_assessed,
                "evidence": rating.evidence,
            }
            for rating in scorecard.ratings.all()
        ],
        "signals": [
            {"kind": observed.signal.kind, "signal": observed.signal.text, "note": observed.note}
            for observed in scorecard.observed_signals.all()
        ],
    }


def _take_home_data(loop: InterviewLoop) -> list[dict[str, Any]]:
    assignments = (
        apps.get_model("exercises", "ExerciseAssignment")
        .objects.filter(loop=loop)
        .prefetch_related("submissions", "extensions")
        .order_by("created_at", "id")
    )
    return [
        {
            "id": assignment.pk,
            "exercise": assignment.title,
            "due_at": _iso(assignment.due_at),
            "extensions": [
                {"previous_due_at": _iso(e.previous_due_at), "new_due_at": _iso(e.new_due_at), "reason": e.reason}
                for e in assignment.extensions.all()
            ],
            "submissions": [
                {
                    "number": s.number,
                    "submitted_at": _iso(s.submitted_at),
                    "repository_url": s.repository_url,
                    "file_name": s.original_filename,
                    "file_size": s.size,
                    "file_sha256": s.sha256,
                    "note": s.note,
                }
                for s in assignment.submissions.all()
            ],
        }
        for assignment in assignments
    ]


def _hire_data(hire: Hire | None) -> dict[str, Any] | None:
    """The start date and every check-in on the person, with the manager's ratings (docs/quality-of-hire.md)."""
    if hire is None:
        return None
    return {
        "start_date": _iso(hire.start_date),
        "manager": _person(hire.manager),
        "checkins": [
            {"label": checkin.label, "due_on": _iso(checkin.due_on), "status": checkin.status,
             "submitted_at": _iso(checkin.submitted_at), "performance": checkin.performance,
             "would_hire_again": checkin.would_hire_again, "still_in_role": checkin.still_in_role,
             "comment": checkin.comment,
             "outcome_areas": [{"area": rating.area.title, "score": rating.score}
                               for rating in checkin.area_ratings.all()]}
            for checkin in sorted(hire.checkins.all(), key=lambda c: (c.due_on, c.pk))
        ],
    }


def candidate_export_data(candidate: Candidate) -> dict[str, Any]:
    """Everything Hireloop holds about one candidate, as plain JSON-ready data (no audit, no checks)."""

    loops = (
        InterviewLoop.objects.filter(candidate=candidate)
        .select_related("role", "rubric", "recruiter", "hiring_manager", "decided_by")
        .prefetch_related("interviews__interviewer", "interviews__exercise")
        .order_by("opened_at", "id")
    )
    scorecards = (
        Scorecard.objects.filter(interview__loop__candidate=candidate)
        .select_related("interviewer")
        .prefetch_related("ratings__dimension", "observed_signals__signal")
        .order_by("interview_id", "revision")
    )
    by_interview: dict[int, list[dict[str, Any]]] = {}
    for scorecard in scorecards:
        by_interview.setdefault(scorecard.interview_id, []).append(_scorecard_data(scorecard))
    recommendations = {r.loop_id: r for r in Recommendation.objects.filter(loop__candidate=candidate)}
    hires = {hire.loop_id: hire for hire in Hire.objects.filter(loop__candidate=candidate).select_related("manager")
             .prefetch_related("checkins__area_ratings__area")}
    loop_data = []
    for loop in loops:
        recommendation = recommendations.get(loop.pk)
        loop_data.append(
            {
                "id": loop.pk,
                "role": loop.role.title,
                "rubric_version": loop.rubric.version,
                "status": loop.status,
                "opened_at": _iso(loop.opened_at),
                "closed_at": _iso(loop.closed_at),
                "recruiter": _person(loop.recruiter),
                "hiring_manager": _person(loop.hiring_manager),
                "withdrawn_reason": loop.withdrawn_reason,
                "decision": loop.decision,
                "decision_rationale": loop.decision_rationale,
                "decision_justification": loop.decision_justification,
                "decided_by": _person(loop.decided_by),
                "decided_at": _iso(loop.decided_at),
                "recommendation": None if recommendation is None else {
                    "outcome": recommendation.outcome,
                    "weighted_score": str(recommendation.weighted_score)
                    if recommendation.weighted_score is not None else None,
                    "coverage": str(recommendation.coverage),
                    "computed_at": _iso(recommendation.computed_at),
                },
                "interviews": [
                    {
                        "id": interview.pk,
                        "kind": interview.kind,
                        "interviewer": _person(interview.interviewer),
                        "starts_at": _iso(interview.starts_at),
                        "ends_at": _iso(interview.ends_at),
                        "exercise": interview.exercise.title if interview.exercise else None,
                        "scorecards": by_interview.get(interview.pk, []),
                    }
                    for interview in loop.interviews.all()
                ],
                "take_home_exercises": _take_home_data(loop),
                "hire": _hire_data(hires.get(loop.pk)),
            }
        )
    loop_ids = [loop["id"] for loop in loop_data]
    events = (
        AuditEvent.objects.filter(
            Q(loop_id__in=loop_ids) | Q(object_type="hiring.candidate", object_id=str(candidate.pk))
        )
        .select_related("actor")
        .order_by("created_at", "id")
    )
    return {
        "format": EXPORT_FORMAT,
        "generated_at": timezone.now().isoformat(),
        "personal_data_fields": [f"{f.model}.{f.field}" for f in PERSONAL_DATA],
        "candidate": {
            "id": candidate.pk,
            "name": candidate.name,
            "email": candidate.email,
            "phone": candidate.phone,
            "source": candidate.source,
            "notes": candidate.notes,
            "created_at": _iso(candidate.created_at),
            "updated_at": _iso(candidate.updated_at),
            "erased_at": _iso(candidate.erased_at),
        },
        "loops": loop_data,
        "audit_trail": [
            {
                "at": _iso(event.created_at),
                "action": event.action,
                "object": f"{event.object_type}#{event.object_id}",
                "loop_id": event.loop_id,
                "actor": _person(event.actor),
                "before": event.before,
                "after": event.after,
            }
            for event in events
        ],
    }


def _require_no_feedback_owed(actor: User, candidate: Candidate) -> None:
    """The independence rule: the export would show the officer a panel they may not see yet."""
    owed = list(
        loops_with_feedback_owed_by(actor).filter(candidate=candidate).order_by("pk").values_list("pk", flat=True)
    )
    if owed:
        loops = ("loops " if len(owed) > 1 else "loop ") + ", ".join(f"#{pk}" for pk in owed)
        raise Conflict(
            gettext(
                "You interview on %(loops)s of this candidate and have not submitted all your feedback there; the "
                "export holds the panel's scorecards and recommendation, which you may not read before. Submit your "
                "feedback first, or ask another admin to export."
            )
            % {"loops": loops},
            code="independence",
        )


@transaction.atomic
def candidate_export(*, actor: User | None, candidate_id: int, via: str) -> dict[str, Any]:
    """Export everything held about a candidate, recording who asked for it (``via``: "command", "admin")."""
    require_privacy_officer(actor)
    candidate = Candidate.objects.filter(pk=candidate_id).first()
    if candidate is None:
        raise NotFound(gettext("No candidate #%(candidate_id)s.") % {"candidate_id": candidate_id})
    if actor is not None:
        _require_no_feedback_owed(actor, candidate)
    data = candidate_export_data(candidate)
    audit_record(actor=actor, action="candidate.exported", obj=candidate,
                 after={"via": via, "loops": len(data["loops"]), "format": EXPORT_FORMAT})
    return data
