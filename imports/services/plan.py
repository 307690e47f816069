"""What an import would do: the rows to create and update, what is skipped and why, what stays unmapped.

Reading the plan writes nothing, which is what ``--dry-run`` prints. New rows
refer to each other by *handles*: negative numbers ``-(n + 1)`` for the n-th
new row of a table, replaced by real ids when the rows are written. Every
record's imported values are hashed (its fingerprint); a record whose hash
is the one stored by the last run is left alone, so re-running changes
nothing and duplicates nothing.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower

from hiring.models import Candidate, Interview, InterviewLoop, User
from imports.mapping import Mapping
from imports.models import ExternalRecord
from imports.sources.history import History, Outcome, ScorecardRecord
from scorecards.models import Scorecard

KINDS = ("users", "candidates", "loops", "interviews", "scorecards")
CLOSED = {Outcome.HIRED: ("decided", "hire"), Outcome.REJECTED: ("decided", "no_hire"),
          Outcome.WITHDRAWN: ("withdrawn", "")}
SOURCE_NAMES = {"greenhouse": "Greenhouse", "lever": "Lever"}
EXAMPLES = 5


def fingerprint(*values: Any) -> str:
    return hashlib.sha1(repr(values).encode(), usedforsecurity=False).hexdigest()


def resolve(ref: int, ids: list[int]) -> int:
    """A row id from a reference: an existing id, or a handle of a new row."""
    return ids[-ref - 1] if ref < 0 else ref


@dataclass
class Table:
    """New rows of one table (values with references), updates of existing rows, and the external records."""

    new: list[tuple[Any, ...]] = field(default_factory=list)
    updates: list[tuple[Any, ...]] = field(default_factory=list)  # (id, values...)
    # (external id, reference to the row, fingerprint): records to add, and known records whose row changed.
    new_records: list[tuple[str, int, str]] = field(default_factory=list)
    changed_records: list[tuple[int, str]] = field(default_factory=list)  # (ExternalRecord id, fingerprint)

    def add(self, row: tuple[Any, ...]) -> int:
        self.new.append(row)
        return -len(self.new)


@dataclass
class Plan:
    source: str
    counts: dict[str, Counter[str]] = field(default_factory=lambda: {k: Counter() for k in KINDS})
    skipped: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    unmapped: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)  # (job, name, attribute, why)
    users: Table = field(default_factory=Table)
    candidates: Table = field(default_factory=Table)
    loops: Table = field(default_factory=Table)
    interviews: Table = field(default_factory=Table)
    scorecards: Table = field(default_factory=Table)
    # New scorecards' ratings, by the scorecard's handle; changed scorecards' ratings, by id.
    ratings: dict[int, list[tuple[int, int | None, bool, str]]] = field(default_factory=dict)
    open_loops: set[int] = field(default_factory=set)  # references of loops still open in the vendor's system
    touched_loops: set[int] = field(default_factory=set)  # loops with a row created or changed by this run
    erased_candidates: set[int] = field(default_factory=set)
    erased_loops: set[int] = field(default_factory=set)
    stale_records: list[int] = field(default_factory=list)

    @property
    def loops_to_refresh(self) -> set[int]:
        """Open loops whose panel or feedback this run changed: their stage and recommendation follow."""
        return self.open_loops & self.touched_loops

    def skip(self, kind: str, reason: str, record_id: str) -> None:
        self.counts[kind]["skipped"] += 1
        self.skipped.setdefault((kind, reason), []).append(record_id)

    def skipped_summary(self) -> list[dict[str, Any]]:
        return [{"kind": kind, "reason": reason, "count": len(ids), "examples": ids[:EXAMPLES]}
                for (kind, reason), ids in sorted(self.skipped.items())]

    def unmapped_summary(self) -> list[dict[str, Any]]:
        return [{"job": job, "job_name": name, "attribute": attribute, "why": why, "ratings": count}
                for (job, name, attribute, why), count in sorted(self.unmapped.items())]

    def counts_summary(self) -> dict[str, dict[str, int]]:
        return {kind: dict(sorted(counter.items())) for kind, counter in self.counts.items()}


@dataclass
class Known:
    """The records earlier runs imported from this source: external id -> (record id, row id, fingerprint)."""

    by_kind: dict[str, dict[str, tuple[int, int, str]]]
    # Records whose row was deleted since: forgotten (deleted with the run), and the record imported afresh.
    stale: list[int]

    def get(self, kind: str, external_id: str) -> tuple[int, int, str] | None:
        return self.by_kind[kind].get(external_id)


_MODELS = {"user": User, "candidate": Candidate, "loop": InterviewLoop, "interview": Interview,
           "scorecard": Scorecard}


def _known(source: str) -> Known:
    """One query per kind; a record whose row was deleted since is forgotten (it is imported again)."""
    by_kind: dict[str, dict[str, tuple[int, int, str]]] = {}
    stale: list[int] = []
    for kind, model in _MODELS.items():
        rows = (
            ExternalRecord.objects.filter(source=source, kind=kind)
            .annotate(present=Exists(model._default_manager.filter(pk=OuterRef("object_id"))))
            .values_list("external_id", "pk", "object_id", "fingerprint", "present")
        )
        by_kind[kind] = {}
        for external_id, pk, object_id, print_, present in rows:
            if present:
                by_kind[kind][external_id] = (pk, object_id, print_)
            else:
                stale.append(pk)
    return Known(by_kind, stale)


def _imported(source: str, kind: str) -> Any:
    return ExternalRecord.objects.filter(source=source, kind=kind).values("object_id")


def build_plan(history: History, mapping: Mapping, *, now: datetime) -> Plan:
    """Compare the history with what earlier runs imported and with Hireloop's people and candidates."""
    plan = Plan(source=history.source)
    known = _known(history.source)
    plan.stale_records = known.stale
    for reason, ids in history.left_out.items():
        kind = "scorecards" if reason.startswith("feedback") else "loops"
        for record_id in ids:
            plan.skip(kind, reason, record_id)
    importable = {a.external_id for a in history.applications.values()
                  if (job := mapping.jobs.get(a.job_id)) is not None and job.role_id is not None}
    people = _plan_people(plan, history, known, importable)
    loops = _plan_loops(plan, history, mapping, known, people)
    interviews, interviewer_of = _plan_interviews(plan, history, mapping, known, people, loops)
    _plan_scorecards(plan, history, mapping, known, people, loops, interviews, interviewer_of)
    return plan


# --- people ---------------------------------------------------------------------------------------


def _plan_people(plan: Plan, history: History, known: Known, importable: set[str]) -> dict[str, int]:
    """The user of every person an imported application names: matched by email, or a new inactive user, or a
    deleted user's placeholder."""
    referenced = {a.recruiter_id for a in history.applications.values()
                  if a.recruiter_id and a.external_id in importable}
    referenced |= {i.interviewer_id for i in history.interviews if i.application_id in importable}
    referenced |= {c.interviewer_id for c in history.scorecards if c.application_id in importable}
    by_email = dict(
        User.objects.exclude(email="").annotate(folded=Lower("email")).values_list("folded", "pk")
    )
    vendor = SOURCE_NAMES[history.source]
    refs: dict[str, int] = {}
    new_by_email: dict[str, int] = {}
    for person_id in sorted(referenced):
        record = known.get("user", person_id)
        if record is not None:
            refs[person_id] = record[1]
            plan.counts["users"]["unchanged"] += 1
            continue
        person = history.people.get(person_id)
        if person is None:
            # A deleted user: their scorecards still count, under one placeholder per deleted id.
            first, last, email = f"Deleted {vendor} user", person_id[:150], ""
            username = f"{history.source}-deleted-{person_id}"
        else:
            first, _, last = person.name.partition(" ")
            email, username = person.email, f"{history.source}-{person_id}"
        if email and email in by_email:
            ref = by_email[email]
            plan.counts["users"]["matched by email"] += 1
        elif email and email in new_by_email:
            ref = new_by_email[email]
            plan.counts["users"]["matched by email"] += 1
        else:
            ref = plan.users.add((username[:150], first[:150], last[:150], email))
            plan.counts["users"]["created"] += 1
            if email:
                new_by_email[email] = ref
        refs[person_id] = ref
        plan.users.new_records.append((person_id, ref, fingerprint(first, last, email)))
    return refs


# --- candidates and loops ------------------------------------------------------------------------


def _plan_loops(plan: Plan, history: History, mapping: Mapping, known: Known, people: dict[str, int]
                ) -> dict[str, int]:
    """The loop of every imported application, and its candidate; returns application id -> loop reference."""
    importable = []
    for application in history.applications.values():
        job = mapping.jobs.get(application.job_id)
        if job is None:
            plan.skip("loops", "the job is not in the mapping file", application.external_id)
        elif job.role_id is None or job.rubric_id is None:
            plan.skip("loops", "the job is mapped to no role (role: null)", application.external_id)
        else:
            importable.append((application, job))
    candidates = _plan_candidates(plan, history, known, {a.candidate_id for a, _ in importable})
    # Subqueries, not lists of ids: a re-run of a large import knows hundreds of thousands of rows.
    imported_loops = InterviewLoop.objects.filter(pk__in=_imported(history.source, "loop"))
    loop_state = dict(imported_loops.values_list("pk", "status"))
    decided_here = set(imported_loops.filter(decided_by__isnull=False).values_list("pk", flat=True))
    loops: dict[str, int] = {}
    for application, job in importable:
        outcome = application.outcome
        if outcome == Outcome.ARCHIVED:
            outcome = mapping.archive_reasons.get(application.archive_reason, Outcome.WITHDRAWN)
        status, decision = CLOSED.get(outcome, ("open", ""))
        closed_at = application.closed_at if status != "open" else None
        recruiter = people.get(application.recruiter_id) if application.recruiter_id else None
        candidate = candidates[application.candidate_id]
        print_ = fingerprint(application.candidate_id, job.role_id, status, decision, application.opened_at,
                             closed_at, application.recruiter_id)
        record = known.get("loop", application.external_id)
        if status == "open":
            plan.open_loops.add(record[1] if record else -len(plan.loops.new) - 1)
        if record is None:
            ref = plan.loops.add((candidate, job.role_id, job.rubric_id, recruiter, status, decision,
                                  application.opened_at, closed_at))
            plan.loops.new_records.append((application.external_id, ref, print_))
            plan.counts["loops"]["created"] += 1
            plan.touched_loops.add(ref)
            loops[application.external_id] = ref
            continue
        record_id, loop_id, stored = record
        loops[application.external_id] = loop_id
        if candidate in plan.erased_candidates:
            plan.erased_loops.add(loop_id)
        if stored == print_:
            plan.counts["loops"]["unchanged"] += 1
        elif loop_id in decided_here or (status == "open" and loop_state.get(loop_id) in ("decided", "withdrawn")):
            # Closed in Hireloop since: what the committee did here stands.
            plan.skip("loops", "closed in Hireloop since the last import", application.external_id)
        else:
            plan.loops.updates.append((loop_id, status, decision, closed_at, recruiter))
            plan.touched_loops.add(loop_id)
            plan.loops.changed_records.append((record_id, print_))
            plan.counts["loops"]["updated"] += 1
    return loops


def _plan_candidates(plan: Plan, history: History, known: Known, used: set[str]) -> dict[str, int]:
    """Candidate id -> reference; matched by email to a candidate already in Hireloop."""
    by_email = dict(
        Candidate.objects.filter(erased_at__isnull=True).exclude(email="").annotate(folded=Lower("email"))
        .values_list("folded", "pk")
    )
    erased = set(
        Candidate.objects.filter(pk__in=_imported(history.source, "candidate"), erased_at__isnull=False)
        .values_list("pk", flat=True)
    )
    refs: dict[str, int] = {}
    new_by_email: dict[str, int] = {}
    for candidate_id in sorted(used):
        candidate = history.candidates[candidate_id]
        print_ = fingerprint(candidate.name, candidate.email, candidate.phone)
        record = known.get("candidate", candidate_id)
        if record is not None:
            record_id, object_id, stored = record
            refs[candidate_id] = object_id
            if object_id in erased:
                # Erased (by request or retention): an import never brings the personal data back.
                plan.skip("candidates", "erased in Hireloop", candidate_id)
                plan.erased_candidates.add(object_id)
            elif stored == print_:
                plan.counts["candidates"]["unchanged"] += 1
            elif candidate.email and by_email.get(candidate.email, object_id) != object_id:
                plan.skip("candidates", "the new email belongs to another Hireloop candidate", candidate_id)
            else:
                plan.candidates.updates.append((object_id, candidate.name, candidate.email, candidate.phone))
                plan.candidates.changed_records.append((record_id, print_))
                plan.counts["candidates"]["updated"] += 1
            continue
        if candidate.email and candidate.email in by_email:
            ref = by_email[candidate.email]
            plan.counts["candidates"]["matched by email"] += 1
        elif candidate.email and candidate.email in new_by_email:
            ref = new_by_email[candidate.email]
            plan.counts["candidates"]["matched by email"] += 1
        else:
            name = candidate.name or f"{SOURCE_NAMES[history.source]} candidate {candidate_id}"
            ref = plan.candidates.add((name[:200], candidate.email, candidate.phone))
            plan.counts["candidates"]["created"] += 1
            if candidate.email:
                new_by_email[candidate.email] = ref
        refs[candidate_id] = ref
        plan.candidates.new_records.append((candidate_id, ref, print_))
    return refs


# --- interviews and scorecards --------------------------------------------------------------------


def _due(ends: datetime) -> datetime:
    return ends + timedelta(hours=settings.HIRELOOP_FEEDBACK_DUE_HOURS)


def _plan_interviews(
    plan: Plan, history: History, mapping: Mapping, known: Known, people: dict[str, int], loops: dict[str, int]
) -> tuple[dict[str, int], dict[str, str]]:
    refs: dict[str, int] = {}
    interviewer_of: dict[str, str] = {}
    for interview in history.interviews:
        loop = loops.get(interview.application_id)
        if loop is None:
            continue
        kind = mapping.kind_of(interview.name)
        print_ = fingerprint(interview.application_id, kind, interview.interviewer_id, interview.starts_at,
                             interview.ends_at)
        interviewer_of[interview.external_id] = interview.interviewer_id
        refs[interview.external_id] = _interview_row(
            plan, known, interview.external_id, print_,
            (loop, kind, people[interview.interviewer_id], interview.starts_at, interview.ends_at,
             _due(interview.ends_at)),
        )
    return refs, interviewer_of


def _interview_row(plan: Plan, known: Known, external_id: str, print_: str, row: tuple[Any, ...]) -> int:
    record = known.get("interview", external_id)
    if record is None:
        ref = plan.interviews.add(row)
        plan.interviews.new_records.append((external_id, ref, print_))
        plan.counts["interviews"]["created"] += 1
        plan.touched_loops.add(row[0])
        return ref
    record_id, interview_id, stored = record
    if stored == print_:
        plan.counts["interviews"]["unchanged"] += 1
    else:
        # The interviewer stays: the interview may have been reassigned in Hireloop.
        _, kind, _, starts, ends, due = row
        plan.interviews.updates.append((interview_id, kind, starts, ends, due))
        plan.interviews.changed_records.append((record_id, print_))
        plan.counts["interviews"]["updated"] += 1
        plan.touched_loops.add(row[0])
    return interview_id


def _plan_scorecards(
    plan: Plan, history: History, mapping: Mapping, known: Known, people: dict[str, int], loops: dict[str, int],
    interviews: dict[str, int], interviewer_of: dict[str, str],
) -> None:
    job_of = {a.external_id: a.job_id for a in history.applications.values()}
    names = {j.external_id: j.name for j in history.jobs.values()}
    # Feedback written in Hireloop on an imported interview (a loop finished here) is never overwritten.
    written_here = set(
        Scorecard.objects.filter(source="", is_current=True, interview_id__in=_imported(history.source, "interview"))
        .values_list("interview_id", "interviewer_id")
    )
    taken: set[str] = set()
    for card in history.scorecards:
        loop = loops.get(card.application_id)
        if loop is None:
            plan.skip("scorecards", "its application is not imported", card.external_id)
            continue
        job = mapping.jobs[job_of[card.application_id]]
        interviewer = people[card.interviewer_id]
        interview_key = card.interview_id
        if not interview_key or interviewer_of.get(interview_key) != card.interviewer_id or interview_key in taken:
            # Written without a scheduled interview (an application review), or for someone else's: an interview
            # of its own, so each interviewer's feedback stays on their own interview.
            interview_key = f"scorecard:{card.external_id}"
            kind = mapping.kind_of(card.interview_name)
            interviews[interview_key] = _interview_row(
                plan, known, interview_key,
                fingerprint(card.application_id, kind, card.interviewer_id, card.interviewed_at),
                (loop, kind, interviewer, card.interviewed_at, card.interviewed_at, _due(card.interviewed_at)),
            )
        taken.add(interview_key)
        interview = interviews[interview_key]
        if interview > 0 and (interview, interviewer) in written_here:
            plan.skip("scorecards", "the interviewer already wrote feedback for it in Hireloop", card.external_id)
            continue
        ratings = _ratings(plan, card, job.dimensions, job.job_id, names.get(job.job_id, ""))
        record = known.get("scorecard", card.external_id)
        if loop in plan.erased_loops and (record is None or record[2] != _scorecard_print(card, interview_key,
                                                                                          ratings)):
            # Summaries and evidence are written about the candidate: none come back after an erasure.
            plan.skip("scorecards", "its candidate was erased in Hireloop", card.external_id)
            continue
        print_ = _scorecard_print(card, interview_key, ratings)
        if record is None:
            ref = plan.scorecards.add((interview, interviewer, card.overall, card.summary, card.submitted_at,
                                       card.external_id))
            plan.ratings[ref] = ratings
            plan.scorecards.new_records.append((card.external_id, ref, print_))
            plan.counts["scorecards"]["created"] += 1
            plan.touched_loops.add(loop)
            continue
        record_id, scorecard_id, stored = record
        if stored == print_:
            plan.counts["scorecards"]["unchanged"] += 1
            continue
        plan.scorecards.updates.append((scorecard_id, card.overall, card.summary, card.submitted_at))
        plan.ratings[scorecard_id] = ratings
        plan.scorecards.changed_records.append((record_id, print_))
        plan.counts["scorecards"]["updated"] += 1
        plan.touched_loops.add(loop)


def _scorecard_print(card: ScorecardRecord, interview_key: str, ratings: list[Any]) -> str:
    return fingerprint(card.application_id, interview_key, card.interviewer_id, card.overall, card.summary,
                       card.submitted_at, ratings)


def _ratings(plan: Plan, card: ScorecardRecord, dimensions: dict[str, int | None], job_id: str, job_name: str
             ) -> list[tuple[int, int | None, bool, str]]:
    rows: list[tuple[int, int | None, bool, str]] = []
    seen: set[int] = set()
    for rating in card.ratings:
        folded = " ".join(rating.name.split()).casefold()
        if folded not in dimensions:
            plan.unmapped[(job_id, job_name, rating.name, "not in the mapping file")] += 1
            continue
        dimension = dimensions[folded]
        if dimension is None:
            plan.unmapped[(job_id, job_name, rating.name, "left out by the mapping file")] += 1
            continue
        if dimension in seen:
            continue
        seen.add(dimension)
        rows.append((dimension, rating.score, rating.score is None, rating.note))
    return rows
