"""Interviews waiting for feedback, for the submit benchmark to submit (once each).

Written with the load generator's writers: loops of the Junior Applied
AI Engineer role (eight dimensions, so a full scorecard has eight ratings),
each with one interview per benchmark interviewer, over and due tomorrow.
Two separate pools: one for the product's form, one for the floor view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.db import connection, transaction
from django.utils import timezone

from bench.client import Session
from bench.load import PreparedRequest
from bench.loadgen.staff import load_rubrics_info, next_free_ids
from bench.loadgen.writers import (
    FOCUS_TABLE,
    TABLE_ORDER,
    CopyWriter,
    OrmWriter,
    Rows,
    interview_calendar_columns,
)
from hiring.models import Candidate, Interview, InterviewLoop, User
from scorecards.models import Scorecard

ROLE = "junior-applied-ai-engineer"
SCORES = (4, 3, 4, 3, 5, 3, 4, 2)
EVIDENCE = (
    "Explained the trade-off between batch and online inference and chose with the latency budget in mind; "
    "wrote tests for the empty-input and timeout cases before being asked."
)


@dataclass(frozen=True)
class Target:
    interview_id: int
    username: str


def make_targets(*, loops: int, usernames: list[str]) -> list[Target]:
    """``loops`` loops with one pending interview per user, in an order that spreads requests over loops."""
    rubric = load_rubrics_info()[ROLE]
    users = dict(User.objects.filter(username__in=usernames).values_list("username", "pk"))
    now = timezone.now()
    rows = Rows()
    ids = next_free_ids()
    recruiter = User.objects.filter(kind="recruiter").order_by("pk").values_list("pk", flat=True).first()
    by_slot: list[list[int]] = [[] for _ in usernames]
    for number in range(loops):
        candidate_id, loop_id = ids[Candidate], ids[InterviewLoop]
        ids[Candidate] += 1
        ids[InterviewLoop] += 1
        opened = now - timedelta(days=3)
        rows.add(Candidate, (candidate_id, f"Bench Candidate {candidate_id}", f"bench{candidate_id}@load.example.org",
                             "", "Referral", "", recruiter, opened, opened))
        rows.add(InterviewLoop, (loop_id, candidate_id, rubric.role_id, rubric.rubric_id, recruiter, None,
                                 "awaiting_feedback", "", "", "", "", None, None, None, opened, None, False))
        for slot, username in enumerate(usernames):
            interview_id = ids[Interview]
            ids[Interview] += 1
            starts = now - timedelta(hours=3 + slot)
            rows.add(Interview, (interview_id, loop_id, "coding", None, users[username], starts,
                                 starts + timedelta(hours=1), starts + timedelta(hours=25), opened,
                                 *interview_calendar_columns(interview_id, opened)))
            for position in range(3):
                dimension = rubric.dimension_ids[(number + slot * 3 + position) % len(rubric.dimension_ids)]
                rows.add(FOCUS_TABLE, (interview_id, dimension))
            by_slot[slot].append(interview_id)
    # COPY on PostgreSQL (the benchmark); bulk_create elsewhere, so that the tests run on SQLite too.
    writer = CopyWriter() if connection.vendor == "postgresql" else OrmWriter()
    with transaction.atomic():
        writer.lock()
        for table in TABLE_ORDER:
            writer.write(table, rows.tables.get(table, []))
        writer.finish()
    return [Target(interview_id, usernames[slot]) for slot, column in enumerate(by_slot) for interview_id in column]


def submitted(interview_ids: list[int]) -> set[int]:
    """Which of these interviews have a scorecard already (taken by an earlier run, finished or not)."""
    found: set[int] = set()
    for start in range(0, len(interview_ids), 10_000):
        found.update(Scorecard.objects.filter(interview_id__in=interview_ids[start : start + 10_000])
                     .values_list("interview_id", flat=True))
    return found


def form_body(session: Session) -> str:
    """The scorecard form exactly as the page posts it: eight scores with evidence, overall, summary, submit."""
    rubric = load_rubrics_info()[ROLE]
    fields: list[tuple[str, str]] = [("csrfmiddlewaretoken", session.csrf_token), ("version", "1")]
    for dimension_id, score in zip(rubric.dimension_ids, SCORES, strict=True):
        fields += [(f"dimension-{dimension_id}-score", str(score)), (f"dimension-{dimension_id}-evidence", EVIDENCE)]
    fields += [("overall", "yes"), ("summary", "Meets the bar on everything I assessed."), ("action", "submit")]
    return urlencode(fields)


def prepared_requests(targets: list[Target], sessions: dict[str, Session], *, floor: bool) -> list[PreparedRequest]:
    bodies = {username: form_body(session) for username, session in sessions.items()}
    path = "/bench/floor/submit/{}/" if floor else "/interviews/{}/scorecard/"
    return [
        PreparedRequest("POST", path.format(t.interview_id), sessions[t.username].cookie_header, bodies[t.username])
        for t in targets
    ]

