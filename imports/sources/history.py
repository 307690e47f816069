"""A vendor's interview history in one shape, whatever the vendor: what the import maps onto Hireloop.

Scores are already on Hireloop's 1-5 scale here (``imports.ratings``): the
vendor parsers translate their scales, so nothing after them knows a vendor.
Ids are the vendor's, as strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class Person:
    """A user of the vendor's: an interviewer or a recruiter (not a candidate)."""

    external_id: str
    name: str
    email: str  # lower-cased; "" when the vendor has none


@dataclass(slots=True)
class Job:
    external_id: str
    name: str


@dataclass(slots=True)
class CandidateRecord:
    external_id: str
    name: str
    email: str  # "" when none
    phone: str


class Outcome:
    """What became of an application in the vendor's system."""

    OPEN = "open"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # closed without a hiring decision
    ARCHIVED = "archived"  # Lever: closed for a reason the mapping file turns into one of the above


@dataclass(slots=True)
class Application:
    external_id: str
    candidate_id: str
    job_id: str
    outcome: str
    opened_at: datetime
    closed_at: datetime | None
    recruiter_id: str  # "" when none
    archive_reason: str = ""


@dataclass(slots=True)
class ScheduledInterview:
    """One interviewer's part in a scheduled interview (Hireloop's interview has one interviewer)."""

    external_id: str
    application_id: str
    name: str
    interviewer_id: str
    starts_at: datetime
    ends_at: datetime


@dataclass(slots=True)
class AttributeRating:
    name: str
    score: int | None  # 1-5; None: not assessed
    note: str


@dataclass(slots=True)
class ScorecardRecord:
    external_id: str
    application_id: str
    interview_id: str  # a ScheduledInterview's external_id, or "" when the scorecard names none
    interview_name: str
    interviewer_id: str
    interviewed_at: datetime
    submitted_at: datetime
    overall: str  # a scorecards.models.Overall value, or "" for no overall recommendation
    summary: str
    ratings: list[AttributeRating]


@dataclass
class History:
    source: str
    people: dict[str, Person] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    candidates: dict[str, CandidateRecord] = field(default_factory=dict)
    applications: dict[str, Application] = field(default_factory=dict)
    interviews: list[ScheduledInterview] = field(default_factory=list)
    scorecards: list[ScorecardRecord] = field(default_factory=list)
    # Applications left out while reading, by reason: {"prospect (no job)": [ids]}.
    left_out: dict[str, list[str]] = field(default_factory=dict)
    # Person ids that scorecards or interviews name but the users file does not (deleted users).
    missing_people: dict[str, str] = field(default_factory=dict)
    left_out_ids: set[str] = field(default_factory=set)

    def leave_out(self, reason: str, record_id: str) -> None:
        self.left_out.setdefault(reason, []).append(record_id)
        self.left_out_ids.add(record_id)
