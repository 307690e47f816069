"""What an import would do: the rows to create and update, what is skipped and why, what stays unmapped.

Reading the plan writes nothing, which is what ``--dry-run`` prints. New rows
refer to each other by *handles*: negative numbers ``-(n + 1)`` for the n-th
new row of a table, replaced by real ids when the rows are written. Every
record's imported values are hashed (its fingerprint); a record whose hash
is the one stored by the last run is left alone, so re-running changes
nothing and duplicates nothing.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.db.models.functions import Lower

from hiring.models import Candidate, InterviewLoop, User
from hiring.text import length_problem, limit, strip_hidden
from imports.mapping import Mapping
from imports.services.feedback import plan_interviews, plan_scorecards
from imports.services.known import imported, known_records
from imports.services.rows import CLOSED, SOURCE_NAMES, Known, Plan, fingerprint
from imports.sources.history import CandidateRecord, History, Outcome


def build_plan(history: History, mapping: Mapping, *, now: datetime) -> Plan:
    """Compare the history with what earlier runs imported and with Hireloop's people and candidates."""
    plan = Plan(source=history.source)
    known = known_records(history.source)
    plan.stale_records = known.stale
    for reason, ids in history.left_out.items():
        kind = "scorecards" if reason.startswith("feedback") else "loops"
        for record_id in ids:
            plan.skip(kind, reason, record_id)
    importable = {a.external_id for a in history.applications.values()
                  if (job := mapping.jobs.get(a.job_id)) is not None and job.role_id is not None}
    people = _plan_people(plan, history, known, importable)
    loops = _plan_loops(plan, history, mapping, known, people)
    interviews, interviewer_of = plan_interviews(plan, history, mapping, known, people, loops)
    plan_scorecards(plan, history, mapping, known, people, loops, interviews, interviewer_of)
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
    refused_candidates: set[str] = set()
    for application in history.applications.values():
        job = mapping.jobs.get(application.job_id)
        vendor_candidate = history.candidates.get(application.candidate_id)
        too_long = _too_long(vendor_candidate) if vendor_candidate is not None else None
        if job is None:
            plan.skip("loops", "the job is not in the mapping file", application.external_id)
        elif job.role_id is None or job.rubric_id is None:
            plan.skip("loops", "the job is mapped to no role (role: null)", application.external_id)
        elif too_long:
            # Refused whole rather than cut: a shortened email would match or create the wrong person.
            plan.skip("loops", too_long, application.external_id)
            if application.candidate_id not in refused_candidates:
                refused_candidates.add(application.candidate_id)
                plan.skip("candidates", too_long, application.candidate_id)
        else:
            importable.append((application, job))
    candidates = _plan_candidates(plan, history, known, {a.candidate_id for a, _ in importable})
    # Subqueries, not lists of ids: a re-run of a large import knows hundreds of thousands of rows.
    imported_loops = InterviewLoop.objects.filter(pk__in=imported(history.source, "loop"))
    # Closed by a person in Hireloop: a decision has its member, a withdrawal its reason (the import sets neither).
    closed_here = set(
        imported_loops.filter(Q(decided_by__isnull=False) | ~Q(withdrawn_reason="")).values_list("pk", flat=True)
    )
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
        elif loop_id in closed_here:
            # Decided or withdrawn in Hireloop since: what was done here stands.
            plan.skip("loops", "closed in Hireloop since the last import", application.external_id)
        else:
            plan.loops.updates.append((loop_id, status, decision, closed_at, recruiter))
            plan.touched_loops.add(loop_id)
            plan.loops.changed_records.append((record_id, print_))
            plan.counts["loops"]["updated"] += 1
    return loops


def _too_long(candidate: CandidateRecord) -> str | None:
    """Why a candidate cannot be imported as the vendor has them: a value longer than Hireloop holds."""
    for name in ("name", "email", "phone"):
        if length_problem(getattr(candidate, name) or "", f"candidate.{name}"):
            return f"the candidate's {name} is longer than {limit(f'candidate.{name}')} characters"
    return None


def _plan_candidates(plan: Plan, history: History, known: Known, used: set[str]) -> dict[str, int]:
    """Candidate id -> reference; matched by email to a candidate already in Hireloop."""
    by_email = dict(
        Candidate.objects.filter(erased_at__isnull=True).exclude(email="").annotate(folded=Lower("email"))
        .values_list("folded", "pk")
    )
    erased = set(
        Candidate.objects.filter(pk__in=imported(history.source, "candidate"), erased_at__isnull=False)
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
                plan.candidates.updates.append(
                    (object_id, strip_hidden(candidate.name), candidate.email, candidate.phone)
                )
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
            # Direction controls and zero-width characters, refused when typed in Hireloop, are dropped here.
            name = strip_hidden(candidate.name) or f"{SOURCE_NAMES[history.source]} candidate {candidate_id}"
            ref = plan.candidates.add((name, candidate.email, candidate.phone))
            plan.counts["candidates"]["created"] += 1
            if candidate.email:
                new_by_email[candidate.email] = ref
        refs[candidate_id] = ref
        plan.candidates.new_records.append((candidate_id, ref, print_))
    return refs


# --- interviews and scorecards --------------------------------------------------------------------
