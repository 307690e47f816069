"""A synthetic Greenhouse history in the Harvest API's documented shapes: the files ``import_history`` reads.

``write_greenhouse_history(directory, applications=50_000)`` writes jobs,
users, candidates, applications, scheduled_interviews and scorecards (one
file each, pages of 500 as the API returns them) and a reviewed
``mapping.yaml``: one job per Hireloop role, its scorecard attributes named
after the role's dimensions, plus one attribute no dimension takes. Each
interviewer has a leniency (``offsets``, in points on the 1-5 scale) that
their ratings carry, so a calibration report over the import can be checked
against it. The same seed gives the same files.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

WORDS = {1: "definitely_not", 2: "no", 3: "mixed", 4: "yes", 5: "strong_yes"}
OVERALL = {1: "definitely_not", 2: "no", 3: "no", 4: "yes", 5: "strong_yes"}
PAGE = 500
UNMAPPED = "Culture add"


@dataclass(frozen=True)
class JobSpec:
    job_id: int
    name: str
    role: str  # a Hireloop role slug
    dimensions: tuple[str, ...]


def _user(user_id: int, name: str, email: str) -> dict[str, Any]:
    first, _, last = name.partition(" ")
    return {"id": user_id, "name": name, "first_name": first, "last_name": last, "primary_email_address": email,
            "updated_at": "2025-01-01T00:00:00.000Z", "created_at": "2024-01-01T00:00:00.000Z", "disabled": False,
            "site_admin": False, "emails": [email], "employee_id": None, "linked_candidate_ids": [], "offices": [],
            "departments": []}


def _ref(user: dict[str, Any]) -> dict[str, Any]:
    return {"id": user["id"], "first_name": user["first_name"], "last_name": user["last_name"], "name": user["name"],
            "employee_id": None}


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _pages(path: Path, records: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        page: list[dict[str, Any]] = []
        for record in records:
            page.append(record)
            if len(page) == PAGE:
                out.write(json.dumps(page, ensure_ascii=False) + "\n")
                page = []
        if page:
            out.write(json.dumps(page, ensure_ascii=False) + "\n")


def write_greenhouse_history(
    directory: Path, *, applications: int, jobs: Sequence[JobSpec], interviewers: int = 200, panel: int = 5,
    seed: int = 1, offsets: dict[int, float] | None = None, emails: Sequence[str] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Write the files and the mapping; returns the counts and each interviewer's leniency by Greenhouse id."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    now = now or datetime.now(UTC).replace(microsecond=0)
    users = [_user(10_000 + n, f"Interviewer {n:03d}", emails[n] if emails and n < len(emails)
                   else f"interviewer-{n:03d}@ats.example.com") for n in range(interviewers)]
    leniency = offsets if offsets is not None else {u["id"]: round(rng.gauss(0, 0.4), 2) for u in users}
    _pages(directory / "users.json", users)
    _pages(directory / "jobs.json", ({"id": j.job_id, "name": j.name, "status": "open", "confidential": False,
                                      "created_at": "2024-01-01T00:00:00Z", "opened_at": "2024-01-01T00:00:00Z",
                                      "closed_at": None, "departments": [], "offices": [], "openings": []}
                                     for j in jobs))
    _pages(directory / "candidates.json", (
        {"id": 5_000_000 + n, "first_name": f"Candidate{n}", "last_name": "Ørsted", "company": None, "title": None,
         "created_at": "2025-01-01T00:00:00.000Z", "updated_at": "2025-01-01T00:00:00.000Z", "is_private": False,
         "application_ids": [7_000_000 + n], "phone_numbers": [],
         "email_addresses": [{"value": f"candidate{n}@candidates.example.com", "type": "personal"}],
         "attachments": [], "tags": []}
        for n in range(applications)
    ))
    plans = []
    for n in range(applications):
        job = jobs[n % len(jobs)]
        applied = now - timedelta(days=rng.uniform(7, 540))
        status = "active" if applied > now - timedelta(days=30) else rng.choices(["rejected", "hired"], [8, 2])[0]
        ability = rng.gauss(3.1, 0.8)
        panelists = rng.sample(users, panel)
        plans.append((n, job, applied, status, ability, panelists))
    _pages(directory / "applications.json", (
        {"id": 7_000_000 + n, "candidate_id": 5_000_000 + n, "prospect": False, "applied_at": _iso(applied),
         "rejected_at": _iso(applied + timedelta(days=20)) if status == "rejected" else None,
         "last_activity_at": _iso(applied + timedelta(days=20)), "source": None, "credited_to": None,
         "recruiter": None, "coordinator": None, "rejection_reason": None, "rejection_details": None,
         "jobs": [{"id": job.job_id, "name": job.name}], "job_post_id": None, "status": status,
         "current_stage": None, "answers": [], "custom_fields": {}, "keyed_custom_fields": {}, "attachments": []}
        for n, job, applied, status, _, _ in plans
    ))
    interviews, cards = [], []
    rated = 0
    for n, job, applied, status, ability, panelists in plans:
        for slot, person in enumerate(panelists):
            starts = applied + timedelta(days=7 + slot, hours=9)
            interview_id = 9_000_000 + n * panel + slot
            scorecard_id = 3_000_000 + n * panel + slot
            # The last interview of a loop still open is waiting for its feedback.
            written = not (status == "active" and slot == panel - 1)
            interviews.append({
                "id": interview_id, "application_id": 7_000_000 + n, "external_event_id": None,
                "start": {"date_time": _iso(starts)}, "end": {"date_time": _iso(starts + timedelta(hours=1))},
                "location": None, "video_conferencing_url": None,
                "status": "complete" if written else "awaiting_feedback",
                "interview": {"id": 100 + slot, "name": f"Interview {slot + 1}"}, "organizer": None,
                "interviewers": [{"id": person["id"], "employee_id": None, "name": person["name"],
                                  "email": person["primary_email_address"], "response_status": "accepted",
                                  "scorecard_id": scorecard_id if written else None}],
            })
            if not written:
                continue
            scores = {d: min(5, max(1, round(ability + leniency[person["id"]] + rng.gauss(0, 0.6))))
                      for d in job.dimensions}
            mean = sum(scores.values()) / len(scores)
            rated += len(scores)
            attributes = [{"name": d, "type": "Skills", "note": None, "rating": WORDS[s]} for d, s in scores.items()]
            attributes.append({"name": UNMAPPED, "type": "Personality", "note": None,
                               "rating": rng.choice(["no_decision", None, "yes"])})
            ratings: dict[str, list[str]] = {w: [] for w in WORDS.values()}
            for d, s in scores.items():
                ratings[WORDS[s]].append(d)
            cards.append({
                "id": scorecard_id, "updated_at": _iso(starts + timedelta(hours=5)),
                "created_at": _iso(starts + timedelta(hours=5)), "interview": f"Interview {slot + 1}",
                "interview_step": {"id": 100 + slot, "name": f"Interview {slot + 1}"},
                "candidate_id": 5_000_000 + n, "application_id": 7_000_000 + n, "interviewed_at": _iso(starts),
                "submitted_by": _ref(person), "interviewer": _ref(person),
                "submitted_at": _iso(starts + timedelta(hours=rng.uniform(2, 40))),
                "overall_recommendation": OVERALL[min(5, max(1, round(mean)))], "attributes": attributes,
                "ratings": ratings, "questions": [],
            })
    _pages(directory / "scheduled_interviews.json", interviews)
    _pages(directory / "scorecards.json", cards)
    (directory / "mapping.yaml").write_text(_mapping(jobs, panel), encoding="utf-8")
    return {"applications": applications, "scorecards": len(cards), "interviews": len(interviews),
            "ratings": rated,
            "leniency": leniency, "users": {u["id"]: u["primary_email_address"] for u in users}}


def _mapping(jobs: Sequence[JobSpec], panel: int) -> str:
    lines = ["source: greenhouse", "default_interview_kind: behavioural", "interview_kinds:"]
    kinds = ["phone_screen", "coding", "system_design", "ml_fundamentals", "behavioural", "hiring_manager"]
    lines += [f'  "Interview {slot + 1}": {kinds[slot % len(kinds)]}' for slot in range(panel)]
    lines.append("jobs:")
    for job in jobs:
        lines += [f'  "{job.job_id}":', f"    name: {json.dumps(job.name)}", f"    role: {job.role}",
                  "    attributes:"]
        lines += [f"      {json.dumps(d, ensure_ascii=False)}: {json.dumps(d, ensure_ascii=False)}"
                  for d in job.dimensions]
        lines.append(f'      "{UNMAPPED}": null')
    return "\n".join(lines) + "\n"


def jobs_for_roles() -> list[JobSpec]:
    """One job per Hireloop role with a published rubric, its attributes named after the current dimensions."""
    from hiring.models import Role
    from scorecards.models import Rubric

    specs = []
    for number, role in enumerate(Role.objects.order_by("slug")):
        rubric = Rubric.objects.filter(role=role).order_by("-version").first()
        if rubric is not None:
            names = tuple(rubric.dimensions.order_by("position").values_list("name", flat=True))
            specs.append(JobSpec(4000 + number, role.title, role.slug, names))
    return specs
