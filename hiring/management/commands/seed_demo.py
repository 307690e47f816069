"""Idempotent demo data: users of every kind and a dozen candidates in loops at every stage."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from exercises.models import Exercise
from exercises.services.assignments import take_home_assign
from hiring.models import Candidate, Interview, InterviewLoop, Role, User
from hiring.services.interviews import InterviewPlan, interview_schedule
from hiring.services.loops import loop_open
from scorecards.calibration.services import calibration_report_request
from scorecards.decisions import DecisionInput, decision_requirements, loop_decide
from scorecards.models import CalibrationReport, Dimension, Signal
from scorecards.recommendations.services import recommendation_compute
from scorecards.services.scorecards import (
    RatingInput,
    ScorecardInput,
    SignalInput,
    scorecard_save_draft,
    scorecard_submit,
)

DEMO_PASSWORD = "hireloop-demo"  # noqa: S105 - the published password of the local demo users

USERS = [
    # username, first, last, kind
    ("admin", "Ada", "Admin", User.Kind.ADMIN),
    ("committee", "Cora", "Chen", User.Kind.COMMITTEE),
    ("recruiter", "Rita", "Ramos", User.Kind.RECRUITER),
    ("ivy", "Ivy", "Ito", User.Kind.INTERVIEWER),
    ("omar", "Omar", "Okafor", User.Kind.INTERVIEWER),
    ("lena", "Lena", "Larsen", User.Kind.INTERVIEWER),
    ("sam", "Sam", "Silva", User.Kind.INTERVIEWER),
    ("priya", "Priya", "Patel", User.Kind.INTERVIEWER),
]

# name, email, role slug, stage; stages: scheduled, awaiting, drafts, review, decided
CANDIDATES = [
    ("Alex Morgan", "alex.morgan@example.org", "applied-ai-engineer", "decided"),
    ("Bea Novak", "bea.novak@example.org", "applied-ai-engineer", "review"),
    ("Chidi Obi", "chidi.obi@example.org", "applied-ai-engineer", "awaiting"),
    ("Dana Kim", "dana.kim@example.org", "junior-applied-ai-engineer", "review"),
    ("Eli Cohen", "eli.cohen@example.org", "junior-applied-ai-engineer", "drafts"),
    ("Fatima Zahra", "fatima.zahra@example.org", "junior-applied-ai-engineer", "scheduled"),
    ("Gus Lind", "gus.lind@example.org", "associate-applied-ai-engineer", "decided"),
    ("Hana Sato", "hana.sato@example.org", "associate-applied-ai-engineer", "awaiting"),
    ("Ines Duarte", "ines.duarte@example.org", "junior-ai-engineer", "review"),
    ("Jon Berg", "jon.berg@example.org", "junior-ai-engineer", "scheduled"),
    ("Kemi Adeyemi", "kemi.adeyemi@example.org", "associate-responsible-ai-engineer", "drafts"),
    ("Luca Ricci", "luca.ricci@example.org", "associate-responsible-ai-engineer", "review"),
]

KINDS = [
    Interview.Kind.CODING,
    Interview.Kind.SYSTEM_DESIGN,
    Interview.Kind.ML_FUNDAMENTALS,
    Interview.Kind.BEHAVIOURAL,
]
EVIDENCE = [
    "Explained the trade-off between batch and online inference and chose with the latency budget in mind.",
    "Wrote tests for the empty-input and timeout cases before being asked.",
    "Needed prompting to consider data leakage between the training and evaluation splits.",
    "Proposed a rollback plan and named the metrics that would trigger it.",
    "Struggled to explain why precision mattered more than recall for this use case.",
    "Asked clarifying questions about the API schema before starting to code.",
]


class Command(BaseCommand):
    help = "Create demo users and candidates (idempotent). Demo password: " + DEMO_PASSWORD

    def handle(self, *args: Any, **options: Any) -> None:
        if not Role.objects.exists():
            call_command("load_rubrics", verbosity=0)
        users = self._users()
        created = 0
        for index, (name, email, slug, stage) in enumerate(CANDIDATES):
            if Candidate.objects.filter(email=email).exists():
                continue
            with transaction.atomic():
                self._candidate(index, name, email, slug, stage, users)
            created += 1
        self._calibration_report(users["committee"])
        self.stdout.write(f"Demo data ready ({created} new candidates).")
        # The logins come last, with the address the demo's emails link to: `make run` prints them right
        # before the server starts, and a wrong HIRELOOP_SITE_URL shows here rather than in a dead link.
        self.stdout.write(f"Sign in at {settings.SITE_URL}/ with any of these (password {DEMO_PASSWORD}):")
        for username, first, last, kind in USERS:
            self.stdout.write(f"  {username:<10} {kind.label:<17} {first} {last}")

    def _calibration_report(self, committee: User) -> None:
        """One report over the demo's scorecards, so the committee's calibration page has something to read.

        Without a broker it is computed right here; with one, a worker picks it up.
        """
        if CalibrationReport.objects.exists():
            return
        today = timezone.localdate()
        # The demo panel is small: three scorecards are enough to show an interviewer's figures.
        report = calibration_report_request(actor=committee, role=None, date_from=today - timedelta(days=90),
                                            date_to=today, min_sample=3)
        report.refresh_from_db()
        self.stdout.write(f"Calibration report #{report.pk} over the last 90 days: {report.get_status_display()}.")

    def _users(self) -> dict[str, User]:
        users = {}
        for username, first, last, kind in USERS:
            user, made = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "kind": kind,
                    "email": f"{username}@hireloop.example",
                },
            )
            if made:
                user.set_password(DEMO_PASSWORD)
                if kind == User.Kind.ADMIN:
                    user.is_staff = True
                    user.is_superuser = True
                user.save()
            users[username] = user
        return users

    def _candidate(self, index: int, name: str, email: str, slug: str, stage: str, users: dict[str, User]) -> None:
        rng = random.Random(index)  # noqa: S311 - demo data, not security
        recruiter = users["recruiter"]
        candidate = Candidate.objects.create(
            name=name,
            email=email,
            phone=f"+44 20 7946 0{index:03d}",
            source=rng.choice(["Referral", "LinkedIn", "Careers page", "Agency"]),
            created_by=recruiter,
        )
        role = Role.objects.get(slug=slug)
        loop = loop_open(
            actor=recruiter, candidate=candidate, role=role, recruiter=recruiter, hiring_manager=users["committee"]
        )
        dimensions = list(Dimension.objects.filter(rubric=loop.rubric).order_by("position"))
        panel = rng.sample(["ivy", "omar", "lena", "sam", "priya"], 3)
        now = timezone.now()
        past = stage in ("awaiting", "drafts", "review", "decided")
        ability = rng.choice([2.4, 3.0, 3.4, 3.8, 4.2])
        exercises = list(role.exercises.all())
        interviews = []
        for n, username in enumerate(panel):
            starts = now - timedelta(days=3 - n, hours=2) if past else now + timedelta(days=1 + n, hours=2)
            # Every interview covers part of the rubric and the panel covers all of it.
            focus = [d.pk for i, d in enumerate(dimensions) if i % 3 == n or (n == 0 and d.critical)]
            interviews.append(
                interview_schedule(
                    actor=recruiter,
                    loop=loop,
                    plan=InterviewPlan(
                        kind=KINDS[(index + n) % len(KINDS)],
                        interviewer=users[username],
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=1),
                        focus_dimension_ids=focus,
                        exercise=exercises[n % len(exercises)] if exercises and n == 1 else None,
                    ),
                )
            )
        signals = list(Signal.objects.filter(rubric=loop.rubric))
        for n, interview in enumerate(interviews):
            if stage == "scheduled" or (stage == "awaiting" and n > 0):
                continue
            data = self._scorecard(rng, interview, ability, signals)
            if stage == "drafts" and n > 0:
                data.overall = "" if n == 2 else data.overall
                scorecard_save_draft(
                    actor=interview.interviewer, interview_id=interview.pk, data=data, expected_version=None
                )
            else:
                scorecard_submit(
                    actor=interview.interviewer, interview_id=interview.pk, data=data, expected_version=None
                )
        if stage == "scheduled":
            take_home = next((e for e in exercises if e.format == Exercise.Format.TAKE_HOME), None)
            if take_home is not None:
                take_home_assign(
                    actor=recruiter,
                    loop=loop,
                    exercise=take_home,
                    due_at=now + timedelta(days=5),
                    reviewer=users[panel[0]],
                )
        if stage == "decided":
            # Decided after this transaction, as a committee member would: on the computed recommendation.
            transaction.on_commit(lambda: self._decide(loop.pk, users["committee"]))

    def _decide(self, loop_id: int, member: User) -> None:
        recommendation = recommendation_compute(loop_id=loop_id).recommendation
        outcome = recommendation.outcome if recommendation else ""
        decision = InterviewLoop.Decision.HIRE if outcome == "hire" else InterviewLoop.Decision.NO_HIRE
        needs = decision_requirements(decision=decision, recommendation=recommendation)
        loop_decide(
            actor=member,
            loop_id=loop_id,
            data=DecisionInput(
                decision=decision,
                rationale="The panel's evidence was consistent; decided in the debrief.",
                justification="Discussed in the debrief: the concerns were weighed against the evidence."
                if needs
                else "",
            ),
        )

    def _scorecard(
        self, rng: random.Random, interview: Interview, ability: float, signals: list[Signal]
    ) -> ScorecardInput:
        leniency = {"ivy": 0.4, "omar": -0.4}.get(interview.interviewer.username, 0.0)
        ratings = []
        for dimension in interview.focus_dimensions.all():
            raw = round(ability + leniency + rng.gauss(0, 0.6))
            score = max(1, min(5, raw))
            ratings.append(RatingInput(dimension_id=dimension.pk, score=score, evidence=rng.choice(EVIDENCE)))
        mean = sum(r.score or 0 for r in ratings) / max(1, len(ratings))
        overall = "strong_yes" if mean >= 4.3 else "yes" if mean >= 3.3 else "no" if mean >= 2.3 else "strong_no"
        picked = []
        strong = [s for s in signals if s.kind == Signal.Kind.STRONG]
        weak = [s for s in signals if s.kind == Signal.Kind.WEAK]
        if strong and mean >= 3.3:
            picked.append(SignalInput(signal_id=rng.choice(strong).pk))
        if weak and mean < 3.3:
            picked.append(SignalInput(signal_id=rng.choice(weak).pk))
        return ScorecardInput(
            ratings=ratings,
            signals=picked,
            overall=overall,
            summary="Summary of the interview against the focus dimensions.",
        )
