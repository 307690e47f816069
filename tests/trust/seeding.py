"""A candidate with distinctive personal data in every place Hireloop keeps it, built through the services."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from exercises.services.assignments import take_home_extend_deadline
from hiring.audit.services import audit_record
from hiring.models import Candidate, InterviewLoop, User
from hiring.services.candidates import candidate_create
from hiring.services.loops import loop_withdraw
from scorecards.decisions import DecisionInput, loop_decide
from tests.exercises.factories import make_take_home, submit, zip_upload
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import submit_scorecard


@dataclass
class SeededCandidate:
    candidate: Candidate
    loop: InterviewLoop
    values: dict[str, str]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def needles(self) -> list[str]:
        return list(self.values.values())


def distinctive_values() -> dict[str, str]:
    """Values that occur nowhere else, different on every run (Redis outlives test databases)."""
    tag = secrets.token_hex(3)
    surname = f"Zebrowski{tag}"
    return {
        "name": f"Quentin {surname}-Okonkwo",
        "email": f"quentin.{surname.lower()}@distinctive-mail.example",
        "phone": f"+44 7700 9{secrets.randbelow(10**5):05d}",
        "notes": f"Prefers calls on Tuesdays; relocating from Valparaiso-{tag}.",
        "evidence": f"Quentin {surname} designed the Valparaiso-{tag} ranking service and tested the edges.",
        "summary": f"Strong systems thinking from Quentin {surname}; would hire for Valparaiso-{tag}.",
        "signal_note": f"Quentin {surname} instrumented the Valparaiso-{tag} pipeline unprompted.",
        "withdraw_reason": f"Quentin {surname} accepted an offer elsewhere (Valparaiso-{tag}).",
        "rationale": f"Hire: Quentin {surname} met the bar on every dimension (Valparaiso-{tag}).",
        "repository": f"https://git.example.org/qz-{tag}/valparaiso-ranking",
        "upload_name": f"quentin-{surname.lower()}-solution.zip",
        "submission_note": f"Thanks! Quentin {surname}, Valparaiso-{tag}",
        "extension_reason": f"Quentin {surname} was moving house to Valparaiso-{tag}.",
    }


def seed_candidate(*, committee: User, values: dict[str, str] | None = None) -> SeededCandidate:
    """A decided loop with two submitted scorecards, a take-home with an upload, a withdrawn second loop."""
    values = values or distinctive_values()
    recruiter = UserFactory(recruiter=True, username=f"rec-{secrets.token_hex(2)}")
    candidate = candidate_create(actor=recruiter, name=values["name"], email=values["email"],
                                 phone=values["phone"], source="Referral", notes=values["notes"])
    loop = make_loop(candidate=candidate, recruiter=recruiter)
    strong = loop.rubric.signals.filter(kind="strong").order_by("position").first()
    assert strong is not None
    assignment, token = make_take_home(loop=loop)
    take_home_extend_deadline(actor=recruiter, assignment_id=assignment.pk,
                              new_due_at=assignment.due_at + timedelta(days=2), reason=values["extension_reason"])
    submit(token, repository_url=values["repository"],
           upload=zip_upload(values["upload_name"], {"README.md": f"By {values['name']} <{values['email']}>\n"}),
           note=values["submission_note"])
    interviews = [make_interview(loop=loop), make_interview(loop=loop, starts_in=timedelta(hours=-5))]
    scorecards = [
        submit_scorecard(interview, {d.name: 4 for d in interview.focus_dimensions.all()},
                         evidence=values["evidence"], summary=values["summary"],
                         signals={strong.text: values["signal_note"]})
        for interview in interviews
    ]
    loop_decide(actor=committee, loop_id=loop.pk, data=DecisionInput(
        decision=InterviewLoop.Decision.HIRE, rationale=values["rationale"], confirm_outstanding=True,
    ))
    second = make_loop(candidate=candidate, recruiter=recruiter, role_slug="junior-ai-engineer")
    loop_withdraw(actor=recruiter, loop=second, reason=values["withdraw_reason"])
    # An event written by a careless integration: free text in audit values (erasure must scrub it).
    audit_record(actor=recruiter, action="candidate.phoned", obj=candidate, loop_id=loop.pk,
                 before={"note": ""}, after={"note": f"Phoned {values['name']} on {values['phone']}"})
    loop.refresh_from_db()
    return SeededCandidate(candidate=candidate, loop=loop, values=values,
                           extra={"scorecards": scorecards, "assignment": assignment, "second_loop": second,
                                  "decided_at": timezone.now()})
