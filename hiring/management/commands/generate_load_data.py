"""Fill the database with a realistic synthetic hiring history, for benchmarks and load tests.

``generate_load_data --loops 50000 --seed 7`` makes a company of 200
interviewers (``--interviewers``), a few recruiters and a hiring committee,
and ``--loops`` interview loops spread over the last ``--months`` months and
across the five roles: 4-6 interviews a loop with their focus dimensions,
scorecards whose scores follow the candidate's ability, the dimension, the
interviewer's leniency and some noise (so panels agree the way real panels
do), signals and the odd red flag, the committee's decisions, withdrawals,
amendments, the computed recommendations and the audit trail. Loops opened in
the last few weeks are still in progress: interviews to come, feedback
pending, drafts half written.

On PostgreSQL every table is written with ``COPY`` (psycopg 3), in chunks of
loops, inside one transaction: an interrupted run leaves nothing behind.
Elsewhere (SQLite) it falls back to ``bulk_create``, which is correct but
slow: use it only for small data sets.

The same seed on the same day gives the same history. Run it again to append
more loops with the same people. Generated users are named ``load-...`` and
share one password (``--password``): this is for benchmark and staging
databases, never for production.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone

from exercises.models import Exercise
from hiring.models import AuditEvent, Candidate, Interview, InterviewLoop, Role, User
from scorecards.models import Dimension, ObservedSignal, Rating, Recommendation, Rubric, Scorecard, Signal
from scorecards.recommendation import DimensionSpec, RubricSpec, recommend, weight_label
from scorecards.recommendation import ScorecardInput as PanelScorecard
from scorecards.recommendation_text import to_decimal
from scorecards.services.leniency import leniency_residuals_rebuild

DEFAULT_PASSWORD = "hireloop-load"  # noqa: S105 - a documented password for generated benchmark users only.
USER_PREFIX = "load-"

# Share of loops per role: the senior role hires most.
ROLE_SHARES = {
    "applied-ai-engineer": 0.30,
    "junior-applied-ai-engineer": 0.25,
    "associate-applied-ai-engineer": 0.20,
    "junior-ai-engineer": 0.15,
    "associate-responsible-ai-engineer": 0.10,
}
MIDDLE_KINDS = {
    "applied-ai-engineer": ["coding", "system_design", "ml_fundamentals", "practical", "take_home_review"],
    "default": ["coding", "ml_fundamentals", "practical", "take_home_review", "coding"],
}
EXERCISE_KINDS = {"practical", "take_home_review"}

FIRST_NAMES = (
    "Aisha Ben Carla Deniz Elif Farah Gabriel Hugo Ines Jonas Kira Liam Maya Noor Oscar Priya Quinn Rosa "
    "Sven Tara Umar Vera Wen Xavier Yara Zoe Amir Bianca Chen Dara Emeka Freya Goran Hana Ivan Jana Kofi Lina"
).split()
LAST_NAMES = (
    "Abadi Berg Costa Dubois Eriksen Fischer Garcia Haddad Ito Jensen Kowalski Larsen Moreau Nakamura Okafor "
    "Petrov Quinn Rossi Silva Tanaka Ueda Varga Wagner Xu Yilmaz Zhou Andersen Bauer Cohen Diallo Evans Ferreira"
).split()
SOURCES = ["Referral", "LinkedIn", "Careers page", "Agency", "Conference", "University fair", "Re-applied"]
EVIDENCE = {
    "low": [
        "Struggled to explain why the evaluation split leaked information; needed two hints.",
        "The solution worked only for the happy path; no tests, and errors were swallowed.",
        "Could not name a metric that would tell the feature was failing in production.",
        "Jumped to a model before asking what the data looked like or how much of it there was.",
        "Answers stayed generic; no concrete example from their own work when asked twice.",
    ],
    "mid": [
        "Solid, idiomatic Python; wrote a test for the empty input once prompted.",
        "Chose a sensible baseline and explained the precision/recall trade-off for this case.",
        "Designed a workable pipeline; the rollback story was thin but reasonable when asked.",
        "Explained the incident clearly and what they would change; some gaps on monitoring.",
        "Asked clarifying questions about the API before starting and kept the scope small.",
    ],
    "high": [
        "Wrote tests for the timeout and empty-input cases unprompted and refactored as they went.",
        "Compared three evaluation designs, picked one with the latency budget in mind and said why.",
        "Proposed a staged rollout with named guardrail metrics and an automatic rollback trigger.",
        "Caught the data leakage in the exercise on their own and quantified its effect.",
        "Explained a complex trade-off to a non-specialist clearly and checked understanding.",
    ],
}
SUMMARIES = {
    "strong_no": "Well below the bar on the core dimensions; would not proceed.",
    "no": "Some strengths, but below the bar on what this role needs day to day.",
    "yes": "Meets the bar on the dimensions I assessed; happy to proceed.",
    "strong_yes": "Clearly above the bar; one of the stronger candidates I have interviewed.",
}
RED_FLAG_NOTES = [
    "Dismissed the privacy question as someone else's problem, twice.",
    "Presented a colleague's project as their own; details did not hold up.",
    "Suggested shipping without any evaluation to hit the deadline.",
]
WITHDRAWN_REASONS = ["Accepted another offer.", "Relocation fell through.", "Salary expectations did not match."]
RATIONALES = {
    "hire": "Panel is consistently at or above the bar; no open concerns after the debrief.",
    "no_hire": "Below the bar on critical dimensions; the debrief confirmed the panel's concerns.",
}


# --- what exists before generating ------------------------------------------------------------------


@dataclass
class RubricInfo:
    role_id: int
    slug: str
    rubric_id: int
    dimension_ids: list[int]
    dimension_names: dict[int, str]
    spec: RubricSpec
    weights: dict[int, float]
    strong_signals: list[int]
    weak_signals: list[int]
    red_flags: list[tuple[int, str]]
    exercises: list[int]


@dataclass
class Staff:
    interviewers: list[int]
    leniency: dict[int, float]
    lateness: dict[int, float]
    pools: dict[str, list[int]]
    managers: list[int]
    recruiters: list[int]
    committee: list[int]


@dataclass
class Rows:
    """The rows of one chunk of loops, per table, in the column order of ``COLUMNS``."""

    tables: dict[type[models.Model] | str, list[tuple[Any, ...]]] = field(default_factory=dict)

    def add(self, table: type[models.Model] | str, row: tuple[Any, ...]) -> None:
        self.tables.setdefault(table, []).append(row)

    def count(self, table: type[models.Model] | str) -> int:
        return len(self.tables.get(table, ()))


FOCUS_TABLE = "focus"  # Interview.focus_dimensions.through, resolved at run time
COLUMNS: dict[type[models.Model] | str, tuple[str, ...]] = {
    Candidate: ("id", "name", "email", "phone", "source", "notes", "created_by_id", "created_at", "updated_at"),
    InterviewLoop: (
        "id", "candidate_id", "role_id", "rubric_id", "recruiter_id", "hiring_manager_id", "status",
        "withdrawn_reason", "decision", "decision_rationale", "decision_justification", "decision_recommendation",
        "decided_by_id", "decided_at", "opened_at", "closed_at",
    ),
    Interview: (
        "id", "loop_id", "kind", "exercise_id", "interviewer_id", "starts_at", "ends_at", "feedback_due_at",
        "created_at",
    ),
    FOCUS_TABLE: ("interview_id", "dimension_id"),
    Scorecard: (
        "id", "interview_id", "interviewer_id", "status", "overall", "summary", "revision", "amends_id",
        "amendment_reason", "is_current", "version", "created_at", "updated_at", "submitted_at",
    ),
    Rating: ("scorecard_id", "dimension_id", "score", "not_assessed", "evidence"),
    ObservedSignal: ("scorecard_id", "signal_id", "note"),
    Recommendation: (
        "loop_id", "rubric_id", "outcome", "weighted_score", "coverage", "details", "fingerprint",
        "scorecard_count", "computed_at",
    ),
    AuditEvent: ("actor_id", "action", "object_type", "object_id", "loop_id", "before", "after", "created_at"),
}
# Parents before children, so foreign keys hold at every step.
TABLE_ORDER: tuple[type[models.Model] | str, ...] = (
    Candidate, InterviewLoop, Interview, FOCUS_TABLE, Scorecard, Rating, ObservedSignal, Recommendation, AuditEvent,
)
# Tables whose ids the generator assigns itself (children refer to them).
ID_TABLES: tuple[type[models.Model], ...] = (Candidate, InterviewLoop, Interview, Scorecard)


def _model(table: type[models.Model] | str) -> type[models.Model]:
    return Interview.focus_dimensions.through if table == FOCUS_TABLE else table  # type: ignore[return-value]


# --- writers -----------------------------------------------------------------------------------


class CopyWriter:
    """PostgreSQL: one ``COPY ... FROM STDIN`` per table and chunk.

    Foreign keys are PostgreSQL triggers, checked row by row and deferred to
    the commit: for millions of rows that is most of the load time. When the
    connection may (superuser), they are switched off for this transaction
    only and every new row's references are then checked set-wise, one
    anti-join per foreign key, before the commit, as a restore does; a
    dangling reference aborts the whole run.
    """

    def __init__(self) -> None:
        self.cursor = connection.cursor()
        self.bulk_checked = False
        self.first_new_id: dict[str, int] = {}

    def lock(self) -> None:
        quote = connection.ops.quote_name
        names = [_model(t)._meta.db_table for t in TABLE_ORDER]
        # Nobody else may take ids from under us while we assign them ourselves.
        self.cursor.execute(f"LOCK TABLE {', '.join(quote(n) for n in names)} IN SHARE ROW EXCLUSIVE MODE")
        for name in names:
            self.cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {quote(name)}")  # noqa: S608
            self.first_new_id[name] = self.cursor.fetchone()[0]
        self.cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        if self.cursor.fetchone()[0]:
            self.cursor.execute("SET LOCAL session_replication_role = replica")
            self.bulk_checked = True

    def write(self, table: type[models.Model] | str, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        model = _model(table)
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in COLUMNS[table])
        with self.cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _check_references(self) -> None:
        quote = connection.ops.quote_name
        dangling = []
        for table in TABLE_ORDER:
            model = _model(table)
            name = model._meta.db_table
            for fk in model._meta.concrete_fields:
                # The concrete relation fields are the foreign keys (one-to-one included).
                if not isinstance(fk, models.ForeignKey):
                    continue
                target = fk.related_model._meta
                column = quote(fk.column)
                self.cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(name)} c WHERE c.id >= %s AND c.{column} IS NOT NULL "  # noqa: S608
                    f"AND NOT EXISTS (SELECT 1 FROM {quote(target.db_table)} p "
                    f"WHERE p.{quote(cast(str, target.pk.column))} = c.{column})",  # a primary key has a column
                    [self.first_new_id[name]],
                )
                count = self.cursor.fetchone()[0]
                if count:
                    dangling.append(f"{name}.{fk.column}: {count} row(s)")
        if dangling:
            raise CommandError("Generated rows refer to missing rows; nothing was saved: " + "; ".join(dangling))

    def finish(self) -> None:
        quote = connection.ops.quote_name
        if self.bulk_checked:
            self.cursor.execute("SET LOCAL session_replication_role = origin")
            self._check_references()
        for table in TABLE_ORDER:
            name = _model(table)._meta.db_table
            # Ids were assigned here, not by the sequence: move it past them.
            self.cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608 - table names from models.
                f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {quote(name)}), 1))",
                [name],
            )
            # Fresh statistics, or the first queries plan as if the tables were empty.
            self.cursor.execute(f"ANALYZE {quote(name)}")


class OrmWriter:
    """Any other database: ``bulk_create``. Correct, and fine for a few hundred loops."""

    def lock(self) -> None:
        pass

    def write(self, table: type[models.Model] | str, rows: Sequence[tuple[Any, ...]]) -> None:
        model = _model(table)
        columns = COLUMNS[table]
        json_columns = {"decision_recommendation", "details", "before", "after"}
        objects = []
        for row in rows:
            values = dict(zip(columns, row, strict=True))
            for column in json_columns & values.keys():
                if values[column] is not None:
                    values[column] = json.loads(values[column])
            objects.append(model(**values))
        model._default_manager.bulk_create(objects, batch_size=500)

    def finish(self) -> None:
        pass


# --- the generator ------------------------------------------------------------------------------


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
                                 opened_at))
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
            opened_at, closed_at,
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


# --- setup: rubrics and people ----------------------------------------------------------------------


def load_rubrics_info() -> dict[str, RubricInfo]:
    """The newest rubric version of every role, with what the generator needs of it."""
    result = {}
    for role in Role.objects.order_by("slug"):
        rubric = Rubric.objects.filter(role=role).order_by("-version").first()
        if rubric is None:
            continue
        dimensions = list(Dimension.objects.filter(rubric=rubric).order_by("position"))
        signals = list(Signal.objects.filter(rubric=rubric).order_by("position"))
        total = float(sum(d.weight_value for d in dimensions))
        result[role.slug] = RubricInfo(
            role_id=role.pk,
            slug=role.slug,
            rubric_id=rubric.pk,
            dimension_ids=[d.pk for d in dimensions],
            dimension_names={d.pk: d.name for d in dimensions},
            spec=RubricSpec(
                dimensions=tuple(
                    DimensionSpec(name=d.name, weight=d.weight_value, critical=d.critical,
                                  weight_label=weight_label(d.weight_given, d.weight_kind))
                    for d in dimensions
                ),
                hire_threshold=rubric.hire_threshold,
                discuss_threshold=rubric.discuss_threshold,
                critical_floor=rubric.critical_floor,
                min_coverage=rubric.min_coverage,
            ),
            weights={d.pk: float(d.weight_value) / total for d in dimensions},
            strong_signals=[s.pk for s in signals if s.kind == Signal.Kind.STRONG],
            weak_signals=[s.pk for s in signals if s.kind == Signal.Kind.WEAK],
            red_flags=[(s.pk, s.text) for s in signals if s.kind == Signal.Kind.RED_FLAG],
            exercises=list(Exercise.objects.filter(role=role, is_active=True).order_by("position")
                           .values_list("pk", flat=True)),
        )
    return result


def ensure_staff(*, interviewers: int, recruiters: int, committee: int, password: str, role_slugs: list[str]) -> Staff:
    """The generated people (``load-...``), created once and reused by later runs."""
    password_hash = make_password(password)
    wanted = (
        [(f"{USER_PREFIX}iv-{n:03d}", User.Kind.INTERVIEWER) for n in range(1, interviewers + 1)]
        + [(f"{USER_PREFIX}rec-{n:02d}", User.Kind.RECRUITER) for n in range(1, recruiters + 1)]
        + [(f"{USER_PREFIX}com-{n:02d}", User.Kind.COMMITTEE) for n in range(1, committee + 1)]
    )
    existing = set(User.objects.filter(username__startswith=USER_PREFIX).values_list("username", flat=True))
    names = random.Random(0)  # people's names do not depend on the seed: reruns reuse them
    User.objects.bulk_create(
        [
            User(username=username, kind=kind, password=password_hash, email=f"{username}@load.example.com",
                 first_name=names.choice(FIRST_NAMES), last_name=names.choice(LAST_NAMES))
            for username, kind in wanted
            if username not in existing
        ]
    )
    ids = dict(User.objects.filter(username__in=[u for u, _ in wanted]).values_list("username", "pk"))
    interviewer_ids = [ids[u] for u, k in wanted if k == User.Kind.INTERVIEWER]
    traits = random.Random(1)  # leniency is a trait of the person, the same on every run
    leniency = {}
    for person in interviewer_ids:
        roll = traits.random()
        # Most are close to the panel; a few are markedly lenient or severe.
        leniency[person] = traits.gauss(0.7, 0.15) if roll < 0.04 else traits.gauss(-0.7, 0.15) if roll < 0.08 \
            else traits.gauss(0.0, 0.15)
    lateness = {person: traits.lognormvariate(0.0, 0.5) for person in interviewer_ids}
    pools: dict[str, list[int]] = {slug: [] for slug in role_slugs}
    for index, person in enumerate(interviewer_ids):
        pools[role_slugs[index % len(role_slugs)]].append(person)
        if traits.random() < 0.5:
            pools[traits.choice(role_slugs)].append(person)
    pools = {slug: sorted(set(members)) for slug, members in pools.items()}
    return Staff(
        interviewers=interviewer_ids,
        leniency=leniency,
        lateness=lateness,
        pools=pools,
        managers=interviewer_ids[: max(1, len(interviewer_ids) // 10)],
        recruiters=[ids[u] for u, k in wanted if k == User.Kind.RECRUITER],
        committee=[ids[u] for u, k in wanted if k == User.Kind.COMMITTEE],
    )


def next_free_ids() -> dict[type[models.Model], int]:
    return {model: (model._default_manager.aggregate(top=models.Max("id"))["top"] or 0) + 1 for model in ID_TABLES}


def opening_times(count: int, *, rng: random.Random, now: datetime, span: timedelta) -> list[datetime]:
    """When each loop opened: spread over the span, on working hours, oldest first (ids follow time)."""
    seconds = span.total_seconds()
    times = sorted(now - timedelta(seconds=rng.random() * seconds) for _ in range(count))
    return [t.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59), second=0, microsecond=0) for t in times]


MAX_LOOPS_WITHOUT_COPY = 2000


def require_copy_for(vendor: str, loops: int) -> None:
    """Refuse a data set too large to write without PostgreSQL's COPY."""
    if vendor != "postgresql" and loops > MAX_LOOPS_WITHOUT_COPY:
        raise CommandError(
            f"{loops} loops on {vendor} would take very long (no COPY there): use PostgreSQL "
            f"(set DATABASE_URL) for large data sets, or at most {MAX_LOOPS_WITHOUT_COPY} loops."
        )


class Command(BaseCommand):
    help = (
        "Fill the database with a synthetic hiring history (candidates, loops, interviews, scorecards, "
        "decisions) for benchmarks. Uses COPY on PostgreSQL. Generated users are named load-... and share "
        f"the password given with --password (default {DEFAULT_PASSWORD!r}): never run it on production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loops", type=int, required=True, help="How many interview loops to add.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same history.")
        parser.add_argument("--interviewers", type=int, default=200)
        parser.add_argument("--recruiters", type=int, default=8)
        parser.add_argument("--committee", type=int, default=4)
        parser.add_argument("--months", type=int, default=18, help="How far back the history goes.")
        parser.add_argument("--chunk", type=int, default=2000, help="Loops written per COPY batch.")
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="Password of the generated users.")
        parser.add_argument("--no-recommendations", action="store_true",
                            help="Leave recommendations to be computed later (faster).")

    def handle(self, *args: Any, **options: Any) -> None:
        loops = options["loops"]
        if loops < 1:
            raise CommandError("--loops must be at least 1.")
        if options["interviewers"] < 7:
            raise CommandError("--interviewers must be at least 7 (a panel has up to six people).")
        if options["recruiters"] < 1 or options["committee"] < 1:
            raise CommandError("--recruiters and --committee must be at least 1.")
        postgres = connection.vendor == "postgresql"
        require_copy_for(connection.vendor, loops)
        if not Role.objects.exists():
            call_command("load_rubrics", verbosity=0)
        rubrics = load_rubrics_info()
        if not rubrics:
            raise CommandError("No role has a published rubric; run load_rubrics first.")

        rng = random.Random(options["seed"])
        # Anchored to midnight so that the same seed on the same day gives the same history.
        now = timezone.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        span = timedelta(days=int(options["months"] * 30.4))
        started = time.monotonic()
        writer: CopyWriter | OrmWriter = CopyWriter() if postgres else OrmWriter()
        totals: dict[type[models.Model] | str, int] = {}
        with transaction.atomic():
            writer.lock()
            staff = ensure_staff(interviewers=options["interviewers"], recruiters=options["recruiters"],
                                 committee=options["committee"], password=options["password"],
                                 role_slugs=list(rubrics))
            generator = HistoryGenerator(rng=rng, rubrics=rubrics, staff=staff, now=now, span=span,
                                         next_ids=next_free_ids(),
                                         recommendations=not options["no_recommendations"])
            opened = opening_times(loops, rng=rng, now=now, span=span)
            for first in range(0, loops, options["chunk"]):
                rows = generator.chunk(opened[first : first + options["chunk"]])
                for table in TABLE_ORDER:
                    writer.write(table, rows.tables.get(table, []))
                    totals[table] = totals.get(table, 0) + rows.count(table)
                done = min(first + options["chunk"], loops)
                if options["verbosity"] >= 2 or (options["verbosity"] >= 1 and done == loops):
                    self.stdout.write(f"{done}/{loops} loops ({time.monotonic() - started:.1f}s)")
            writer.finish()
            # The rows above bypassed the services: store the leniency residuals a recompute would have.
            leniency_residuals_rebuild()
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Generated {totals[InterviewLoop]} loops, {totals[Candidate]} candidates, {totals[Interview]} "
            f"interviews, {totals[Scorecard]} scorecards, {totals[Rating]} ratings, "
            f"{totals[Recommendation]} recommendations and {totals[AuditEvent]} audit events "
            f"in {elapsed:.1f}s ({'COPY' if postgres else 'bulk_create'})."
        )
