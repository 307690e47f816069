"""``HistoryGenerator``: the rows of a chunk of interview loops, drawn from a seeded ``random.Random``.

Scores follow the candidate's ability, the dimension, the interviewer's
leniency and some noise, so panels agree the way real panels do; loops opened
in the last few weeks are still in progress. Recommendations are computed by
the product's own pure ``recommend``.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import models

from bench.loadgen.staff import RubricInfo, Staff
from bench.loadgen.vocabulary import (
    EVIDENCE,
    EXERCISE_KINDS,
    FIRST_NAMES,
    LAST_NAMES,
    MIDDLE_KINDS,
    RATIONALES,
    RED_FLAG_NOTES,
    ROLE_SHARES,
    SOURCES,
    SUMMARIES,
    WITHDRAWN_REASONS,
)
from bench.loadgen.writers import FOCUS_TABLE, Rows, interview_calendar_columns
from hiring.models import AuditEvent, Candidate, Interview, InterviewLoop
from scorecards.models import ObservedSignal, Rating, Recommendation, Scorecard
from scorecards.recommendations.rules import ScorecardInput as PanelScorecard
from scorecards.recommendations.rules import recommend
from scorecards.recommendations.text import to_decimal


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True)


def _clamp_score(value: float) -> int:
    return max(1, min(5, int(math.floor(value + 0.5))))


def _overall(mean: float) -> str:
    if mean >= 4.1:
        return "strong_yes"
    if mean >= 3.3:
        return "yes"
    if mean >= 2.4:
        return "no"
    return "strong_no"


class HistoryGenerator:
    """Makes the rows of a chunk of loops; pure Python over a seeded ``random.Random``."""

    def __init__(self, *, rng: random.Random, rubrics: dict[str, RubricInfo], staff: Staff, now: datetime,
                 span: timedelta, next_ids: dict[type[models.Model], int], recommendations: bool) -> None:
        self.rng = rng
        self.rubrics = rubrics
        self.staff = staff
        self.now = now
        self.span = span
        self.next_ids = next_ids
        self.recommendations = recommendations
        self.role_slugs = [slug for slug in ROLE_SHARES if slug in rubrics]
        self.role_weights = [ROLE_SHARES[slug] for slug in self.role_slugs]
        self.previous_candidates: list[tuple[int, str]] = []

    def _id(self, model: type[models.Model]) -> int:
        value = self.next_ids[model]
        self.next_ids[model] = value + 1
        return value

    def chunk(self, opened: Iterable[datetime]) -> Rows:
        rows = Rows()
        for opened_at in opened:
            self._loop(rows, opened_at)
        return rows

    def _candidate(self, rows: Rows, slug: str, opened_at: datetime, recruiter: int) -> int:
        rng = self.rng
        # Some people apply again, for another role.
        if self.previous_candidates and rng.random() < 0.05:
            candidate_id, their_slug = rng.choice(self.previous_candidates)
            if their_slug != slug:
                return candidate_id
        candidate_id = self._id(Candidate)
        created = opened_at - timedelta(days=rng.randint(1, 10), minutes=rng.randint(0, 600))
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        rows.add(Candidate, (candidate_id, name, f"candidate{candidate_id}@load.example.org", "",
                             rng.choice(SOURCES), "", recruiter, created, created))
        if len(self.previous_candidates) < 5000:
            self.previous_candidates.append((candidate_id, slug))
        else:
            self.previous_candidates[rng.randrange(5000)] = (candidate_id, slug)
        return candidate_id

    def _loop(self, rows: Rows, opened_at: datetime) -> None:
        rng = self.rng
        staff = self.staff
        slug = rng.choices(self.role_slugs, self.role_weights)[0]
        rubric = self.rubrics[slug]
        recruiter = rng.choice(staff.recruiters)
        manager = rng.choice(staff.managers)
        candidate_id = self._candidate(rows, slug, opened_at, recruiter)
        loop_id = self._id(InterviewLoop)
        ability = rng.gauss(3.05, 0.75)
        dimension_effect = {d: rng.gauss(0.0, 0.55) for d in rubric.dimension_ids}

        planned = rng.choice((4, 5, 5, 5, 6))
        withdrawn_after = rng.randint(1, planned - 1) if rng.random() < 0.07 else None
        # A withdrawn candidate's later interviews stay on the schedule, never held.
        held = withdrawn_after or planned
        kinds = self._kinds(slug, planned)
        panel = self._panel(slug, manager, kinds)
        focus = self._focus(rubric, planned)

        events: list[tuple[Any, ...]] = [
            (recruiter, "loop.opened", "hiring.interviewloop", str(loop_id), loop_id, None,
             _json({"role": slug, "candidate_id": candidate_id, "recruiter_id": recruiter}), opened_at)
        ]
        start = opened_at + timedelta(days=rng.randint(2, 6))
        cards: list[PanelScorecard] = []
        submitted_times: list[datetime] = []
        pending_ended = False
        all_submitted = True
        for index, (kind, interviewer) in enumerate(zip(kinds, panel, strict=True)):
            starts_at = start.replace(hour=rng.choice((9, 10, 11, 13, 14, 15, 16)), minute=rng.choice((0, 30)))
            ends_at = starts_at + timedelta(minutes=rng.choice((45, 60, 60, 90)))
            due = ends_at + timedelta(hours=24)
            interview_id = self._id(Interview)
            exercise = rng.choice(rubric.exercises) if kind in EXERCISE_KINDS and rubric.exercises else None
            rows.add(Interview, (interview_id, loop_id, kind, exercise, interviewer, starts_at, ends_at, due,
                                 opened_at, *interview_calendar_columns(interview_id, opened_at)))
            for dimension_id in focus[index]:
                rows.add(FOCUS_TABLE, (interview_id, dimension_id))
            start = starts_at + timedelta(days=rng.choice((0, 1, 1, 2, 3)))
            if index >= held:
                all_submitted = False
                pending_ended = pending_ended or ends_at <= self.now
                continue

            delay = timedelta(hours=rng.lognormvariate(math.log(14), 0.8) * staff.lateness[interviewer])
            submitted_at = ends_at + delay
            if ends_at > self.now:
                all_submitted = False  # still to come
                continue
            if submitted_at > self.now:
                all_submitted = False
                pending_ended = True
                if rng.random() < 0.4:
                    self._draft(rows, rubric, interview_id, interviewer, focus[index], ends_at)
                continue
            card = self._scorecard(rows, events, rubric, loop_id, interview_id, interviewer, focus[index],
                                   ability, dimension_effect, ends_at, submitted_at)
            cards.append(card)
            submitted_times.append(submitted_at)

        status, decision, closed_at, reason = "open", "", None, ""
        last = max(submitted_times) if submitted_times else opened_at
        if withdrawn_after is not None:
            withdrawn_at = last + timedelta(days=rng.randint(1, 5))
            if withdrawn_at <= self.now:
                status, closed_at, reason = "withdrawn", withdrawn_at, rng.choice(WITHDRAWN_REASONS)
        if not status == "withdrawn":
            if all_submitted and cards:
                decided_at = last + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 8))
                status = "decided" if decided_at <= self.now else "in_review"
                closed_at = decided_at if status == "decided" else None
            elif pending_ended:
                status = "awaiting_feedback"

        result = recommend(rubric.spec, cards) if cards and self.recommendations else None
        snapshot = None
        if result is not None:
            computed_at = min(last + timedelta(minutes=1), self.now)
            details = result.as_dict()
            fingerprint = f"load-{loop_id}-{len(cards)}"
            rows.add(Recommendation, (
                loop_id, rubric.rubric_id, result.outcome, to_decimal(result.weighted_score),
                to_decimal(result.coverage, 4), _json(details), fingerprint, len(cards), computed_at,
            ))
            snapshot = {
                "outcome": result.outcome, "weighted_score": details["weighted_score"],
                "coverage": details["coverage"], "reasons": details["reasons"], "red_flags": details["red_flags"],
                "scorecard_count": len(cards), "rubric_id": rubric.rubric_id, "fingerprint": fingerprint,
                "computed_at": computed_at.isoformat(),
            }
        decided_by = rationale = decided_at_value = None
        if status == "decided":
            decision = self._decision(result)
            decided_by = rng.choice(staff.committee)
            rationale = RATIONALES[decision]
            decided_at_value = closed_at
            events.append((decided_by, "loop.decided", "hiring.interviewloop", str(loop_id), loop_id,
                           _json({"status": "in_review", "decision": ""}),
                           _json({"status": "decided", "decision": decision}), closed_at))
        elif status == "withdrawn":
            events.append((recruiter, "loop.withdrawn", "hiring.interviewloop", str(loop_id), loop_id,
                           None, _json({"status": "withdrawn"}), closed_at))
        rows.add(InterviewLoop, (
            loop_id, candidate_id, rubric.role_id, rubric.rubric_id, recruiter, manager, status, reason, decision,
            rationale or "", "", _json(snapshot) if status == "decided" else None, decided_by, decided_at_value,
            opened_at, closed_at, False,
        ))
        for event in events:
            rows.add(AuditEvent, event)

    def _decision(self, result: Any) -> str:
        outcome = result.outcome if result is not None else "no_hire"
        hire_chance = {"hire": 0.9, "needs_discussion": 0.35, "insufficient_evidence": 0.2, "no_hire": 0.04}[outcome]
        return "hire" if self.rng.random() < hire_chance else "no_hire"

    def _kinds(self, slug: str, count: int) -> list[str]:
        middle = list(MIDDLE_KINDS.get(slug, MIDDLE_KINDS["default"]))
        self.rng.shuffle(middle)
        closing = "hiring_manager" if self.rng.random() < 0.6 else "behavioural"
        return ["phone_screen", *middle[: count - 2], closing]

    def _panel(self, slug: str, manager: int, kinds: list[str]) -> list[int]:
        pool = self.staff.pools[slug]
        if len(pool) <= len(kinds):
            pool = self.staff.interviewers  # a tiny company: everyone interviews for every role
        others = [i for i in self.rng.sample(pool, len(kinds) + 1) if i != manager][: len(kinds)]
        return [manager if kind == "hiring_manager" else others[index] for index, kind in enumerate(kinds)]

    def _focus(self, rubric: RubricInfo, interviews: int) -> list[list[int]]:
        """3-4 focus dimensions an interview, dealt from the shuffled rubric so that all are covered."""
        deck = list(rubric.dimension_ids)
        self.rng.shuffle(deck)
        position = 0
        result = []
        for _ in range(interviews):
            size = min(len(deck), self.rng.choice((3, 4)))
            chosen: list[int] = []
            while len(chosen) < size:
                dimension = deck[position % len(deck)]
                position += 1
                if dimension not in chosen:
                    chosen.append(dimension)
            result.append(chosen)
        return result

    def _evidence(self, score: int) -> str:
        band = "low" if score <= 2 else "mid" if score == 3 else "high"
        return self.rng.choice(EVIDENCE[band])

    def _draft(self, rows: Rows, rubric: RubricInfo, interview_id: int, interviewer: int, focus: list[int],
               ended: datetime) -> None:
        """Feedback being written: a draft with some of the focus dimensions scored."""
        card_id = self._id(Scorecard)
        touched = ended + timedelta(hours=self.rng.randint(1, 20))
        touched = min(touched, self.now)
        rows.add(Scorecard, (card_id, interview_id, interviewer, "draft", "", "", 1, None, "", True,
                             self.rng.randint(2, 4), touched, touched, None))
        for dimension_id in focus[: self.rng.randint(1, len(focus))]:
            score = self.rng.randint(2, 4)
            rows.add(Rating, (card_id, dimension_id, score, False, self._evidence(score)))

    def _scorecard(self, rows: Rows, events: list[tuple[Any, ...]], rubric: RubricInfo, loop_id: int,
                   interview_id: int, interviewer: int, focus: list[int], ability: float,
                   dimension_effect: dict[int, float], ended: datetime, submitted_at: datetime) -> PanelScorecard:
        rng = self.rng
        rated = list(focus)
        if rng.random() < 0.5:
            extra = [d for d in rubric.dimension_ids if d not in rated]
            if extra:
                rated.append(rng.choice(extra))
        leniency = self.staff.leniency[interviewer]
        scores: dict[int, int | None] = {}
        for dimension_id in rated:
            if rng.random() < 0.04:
                scores[dimension_id] = None
            else:
                scores[dimension_id] = _clamp_score(
                    ability + dimension_effect[dimension_id] + leniency + rng.gauss(0.0, 0.3)
                )
        given = [s for s in scores.values() if s is not None]
        overall = _overall((sum(given) / len(given) if given else 3.0) + rng.gauss(0.0, 0.3))
        mean = sum(given) / len(given) if given else 3.0
        signals: list[tuple[int, str]] = []
        if mean >= 3.8 and rubric.strong_signals and rng.random() < 0.5:
            signals.append((rng.choice(rubric.strong_signals), ""))
        if mean <= 2.7 and rubric.weak_signals and rng.random() < 0.5:
            signals.append((rng.choice(rubric.weak_signals), ""))
        red_flag_chance = 0.02 if ability < 2.5 else 0.002
        red_flags: list[str] = []
        if rubric.red_flags and rng.random() < red_flag_chance:
            signal_id, text = rng.choice(rubric.red_flags)
            signals.append((signal_id, rng.choice(RED_FLAG_NOTES)))
            red_flags.append(text)
            overall = "strong_no" if rng.random() < 0.7 else "no"

        def write(card_id: int, revision: int, values: dict[int, int | None], *, current: bool,
                  amends: int | None, reason: str, at: datetime, choice: str) -> None:
            rows.add(Scorecard, (card_id, interview_id, interviewer, "submitted", choice, SUMMARIES[choice],
                                 revision, amends, reason, current, 3, ended + timedelta(minutes=5), at, at))
            for dimension_id, score in values.items():
                rows.add(Rating, (card_id, dimension_id, score, score is None,
                                  self._evidence(score) if score is not None else ""))
            for signal_id, note in signals:
                rows.add(ObservedSignal, (card_id, signal_id, note))
            events.append((interviewer, "scorecard.submitted" if revision == 1 else "scorecard.amended",
                           "scorecards.scorecard", str(card_id), loop_id, None,
                           _json({"scores": {str(d): ("not assessed" if s is None else s) for d, s in values.items()},
                                  "overall": choice, "revision": revision}), at))

        card_id = self._id(Scorecard)
        final_scores = scores
        if given and rng.random() < 0.01 and submitted_at + timedelta(days=2) <= self.now:
            # Amended after the debrief: the original stays, the amendment is current.
            amended = dict(scores)
            dimension_id = rng.choice([d for d, s in scores.items() if s is not None])
            amended[dimension_id] = _clamp_score((scores[dimension_id] or 3) + rng.choice((-1, 1)))
            write(card_id, 1, scores, current=False, amends=None, reason="", at=submitted_at, choice=overall)
            amendment_id = self._id(Scorecard)
            write(amendment_id, 2, amended, current=True, amends=card_id,
                  reason="Corrected after the debrief: I had mis-scored one dimension.",
                  at=submitted_at + timedelta(days=1), choice=overall)
            final_scores = amended
        else:
            write(card_id, 1, scores, current=True, amends=None, reason="", at=submitted_at, choice=overall)
        return PanelScorecard(
            interviewer=str(interviewer),
            scores={rubric.dimension_names[d]: s for d, s in final_scores.items() if s is not None},
            overall=overall,
            red_flags=tuple(red_flags),
        )
