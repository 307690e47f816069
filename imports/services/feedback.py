"""Planning interviews and scorecards: each interviewer's part of a scheduled interview, each scorecard on its
interview (or one of its own), its ratings through the mapping."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from hiring.text import length_problem, limit
from imports.mapping import Mapping
from imports.services.known import imported
from imports.services.rows import Known, Plan, fingerprint
from imports.sources.history import History, ScorecardRecord
from scorecards.models import Scorecard


def _due(ends: datetime) -> datetime:
    return ends + timedelta(hours=settings.HIRELOOP_FEEDBACK_DUE_HOURS)


def plan_interviews(
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


def plan_scorecards(
    plan: Plan, history: History, mapping: Mapping, known: Known, people: dict[str, int], loops: dict[str, int],
    interviews: dict[str, int], interviewer_of: dict[str, str],
) -> None:
    job_of = {a.external_id: a.job_id for a in history.applications.values()}
    names = {j.external_id: j.name for j in history.jobs.values()}
    # Feedback written in Hireloop on an imported interview (a loop finished here) is never overwritten.
    written_here = set(
        Scorecard.objects.filter(source="", is_current=True, interview_id__in=imported(history.source, "interview"))
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
        if too_long := _too_long(card):
            plan.skip("scorecards", too_long, card.external_id)
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


def _too_long(card: ScorecardRecord) -> str | None:
    """Why a scorecard cannot be imported whole: its summary or a rating's note is longer than Hireloop holds."""
    if length_problem(card.summary or "", "scorecard.summary"):
        return f"its summary is longer than {limit('scorecard.summary')} characters"
    if any(length_problem(rating.note or "", "rating.evidence") for rating in card.ratings):
        return f"a rating's note is longer than {limit('rating.evidence')} characters"
    return None


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
