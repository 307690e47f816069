"""Greenhouse's Harvest API files: jobs, users, candidates, applications, scheduled_interviews, scorecards.

Shapes as documented in Greenhouse's Harvest API documentation (the
grnhse/greenhouse-api-docs repository: source/includes/harvest/_*.md). Each
file holds the pages of one "List" endpoint, each page a JSON array.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.utils.html import strip_tags

from imports.ratings import (
    GREENHOUSE_ATTRIBUTE,
    GREENHOUSE_NO_OVERALL,
    GREENHOUSE_NOT_ASSESSED,
    GREENHOUSE_OVERALL,
)
from imports.sources.history import (
    Application,
    AttributeRating,
    CandidateRecord,
    History,
    Job,
    Outcome,
    Person,
    ScheduledInterview,
    ScorecardRecord,
)
from imports.sources.reading import (
    Problems,
    RecordError,
    get_email,
    get_id,
    get_list,
    get_object,
    get_text,
    iso_date_start,
    iso_datetime,
    label,
    read_pages,
)

FILES = ("jobs", "users", "candidates", "applications", "scheduled_interviews", "scorecards")
# The scorecard question whose answer is the interviewer's summary; "Private Notes" stay in Greenhouse.
SUMMARY_QUESTION = "key take-aways"
APPLICATION_OUTCOMES = {"active": Outcome.OPEN, "hired": Outcome.HIRED, "rejected": Outcome.REJECTED,
                        "converted": Outcome.WITHDRAWN}


def records(directory: Path, name: str, problems: Problems) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, record) for each record of a file; a page or record of the wrong shape is a problem."""
    number = 0
    for page in read_pages(directory / f"{name}.json", problems):
        if not isinstance(page, list):
            problems.add(f"{name}.json", "", "a page must be a JSON array of records, as the API returns it")
            return
        for record in page:
            number += 1
            if not isinstance(record, dict):
                problems.add(f"{name}.json", f"record #{number}", "must be a JSON object")
                continue
            yield label(name.rstrip("s").replace("_", " "), record, number), record


def _each(directory: Path, name: str, problems: Problems, parse: Callable[[dict[str, Any]], None]) -> None:
    for where, record in records(directory, name, problems):
        try:
            parse(record)
        except RecordError as exc:
            problems.add(f"{name}.json", where, str(exc))


def read_history(directory: Path, problems: Problems, progress: Callable[[str, int, int], None]) -> History:
    """Every file read and checked; problems are collected (the caller refuses the run if there are any)."""
    history = History(source="greenhouse")
    scorecard_interviews: dict[str, str] = {}
    steps: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
        ("users", lambda r: _user(history, r)),
        ("jobs", lambda r: _job(history, r)),
        ("candidates", lambda r: _candidate(history, r)),
        ("applications", lambda r: _application(history, r)),
        ("scheduled_interviews", lambda r: _interview(history, r, scorecard_interviews)),
        ("scorecards", lambda r: _scorecard(history, r, scorecard_interviews)),
    ]
    for number, (name, parse) in enumerate(steps):
        _each(directory, name, problems, parse)
        progress("reading files", number + 1, len(steps))
    return history


def _name(record: dict[str, Any]) -> str:
    full = get_text(record, "name", limit=300)
    if full:
        return full
    return " ".join(p for p in (get_text(record, "first_name"), get_text(record, "last_name")) if p)


def _user(history: History, record: dict[str, Any]) -> None:
    user_id = get_id(record)
    email = get_email(record.get("primary_email_address"), "primary_email_address")
    if not email:
        emails = get_list(record, "emails")
        email = get_email(emails[0], "emails[0]") if emails else ""
    history.people[user_id] = Person(user_id, _name(record)[:150], email)


def _job(history: History, record: dict[str, Any]) -> None:
    job_id = get_id(record)
    history.jobs[job_id] = Job(job_id, get_text(record, "name", limit=500))


def _candidate(history: History, record: dict[str, Any]) -> None:
    candidate_id = get_id(record)
    email = ""
    for number, entry in enumerate(get_list(record, "email_addresses")):
        if not isinstance(entry, dict):
            raise RecordError(f"email_addresses[{number}] must be an object with a value")
        email = email or get_email(entry.get("value"), f"email_addresses[{number}].value")
    phone = ""
    for number, entry in enumerate(get_list(record, "phone_numbers")):
        if not isinstance(entry, dict):
            raise RecordError(f"phone_numbers[{number}] must be an object with a value")
        phone = phone or get_text(entry, "value", limit=50)
    name = " ".join(p for p in (get_text(record, "first_name"), get_text(record, "last_name")) if p)
    if len(name) > 200:
        raise RecordError("first_name and last_name are longer than 200 characters together")
    history.candidates[candidate_id] = CandidateRecord(candidate_id, name, email, phone)


def _application(history: History, record: dict[str, Any]) -> None:
    application_id = get_id(record)
    candidate_id = get_id(record, "candidate_id")
    if candidate_id not in history.candidates:
        raise RecordError(f"candidate_id {candidate_id} is not in candidates.json")
    jobs = get_list(record, "jobs")
    if record.get("prospect") is True and not jobs:
        history.leave_out("a prospect with no job", application_id)
        return
    if not jobs:
        raise RecordError("jobs is empty: a candidate's application has exactly one job")
    if len(jobs) > 1 and record.get("prospect") is not True:
        raise RecordError("jobs has more than one job: a candidate's application has exactly one")
    if not isinstance(jobs[0], dict):
        raise RecordError("jobs[0] must be an object with an id")
    job_id = get_id(jobs[0])
    if job_id not in history.jobs:
        raise RecordError(f"jobs[0].id {job_id} is not in jobs.json")
    status = get_text(record, "status", required=True)
    if status not in APPLICATION_OUTCOMES:
        raise RecordError("status must be one of active, rejected, hired, converted")
    outcome = APPLICATION_OUTCOMES[status]
    opened = iso_datetime(record.get("applied_at"), "applied_at")
    assert opened is not None  # required
    closed = None
    if outcome == Outcome.REJECTED:
        closed = iso_datetime(record.get("rejected_at"), "rejected_at")
    elif outcome != Outcome.OPEN:
        closed = iso_datetime(record.get("last_activity_at"), "last_activity_at")
    recruiter = get_object(record, "recruiter")
    history.applications[application_id] = Application(
        external_id=application_id, candidate_id=candidate_id, job_id=job_id, outcome=outcome, opened_at=opened,
        closed_at=closed, recruiter_id=get_id(recruiter) if recruiter else "",
    )


def _interview(history: History, record: dict[str, Any], scorecard_interviews: dict[str, str]) -> None:
    interview_id = get_id(record)
    application_id = get_id(record, "application_id")
    if application_id not in history.applications:
        if not _left_out(history, application_id):
            raise RecordError(f"application_id {application_id} is not in applications.json")
        return
    starts, ends = _when(get_object(record, "start"), "start"), _when(get_object(record, "end"), "end")
    if ends < starts:
        raise RecordError("end is before start")
    interview = get_object(record, "interview")
    name = get_text(interview, "name", limit=200) if interview else ""
    for number, interviewer in enumerate(get_list(record, "interviewers")):
        if not isinstance(interviewer, dict):
            raise RecordError(f"interviewers[{number}] must be an object")
        user_id = get_id(interviewer)
        if user_id not in history.people:
            history.missing_people.setdefault(user_id, get_text(interviewer, "name", limit=150))
        key = f"{interview_id}:{user_id}"
        history.interviews.append(ScheduledInterview(key, application_id, name, user_id, starts, ends))
        scorecard_id = get_id(interviewer, "scorecard_id", required=False)
        if scorecard_id:
            scorecard_interviews[scorecard_id] = key


def _when(value: dict[str, Any] | None, where: str) -> Any:
    if value is None:
        raise RecordError(f"{where} is missing")
    if value.get("date_time") is not None:
        return iso_datetime(value["date_time"], f"{where}.date_time")
    if value.get("date") is not None:
        return iso_date_start(value["date"], f"{where}.date")
    raise RecordError(f"{where} has neither date_time nor date")


def _left_out(history: History, application_id: str) -> bool:
    return application_id in history.left_out_ids


def _plain(text: str) -> str:
    """Greenhouse allows basic HTML in notes and answers; Hireloop shows plain text (most notes have none)."""
    return strip_tags(text).strip() if "<" in text else text


def _scorecard(history: History, record: dict[str, Any], scorecard_interviews: dict[str, str]) -> None:
    scorecard_id = get_id(record)
    application_id = get_id(record, "application_id")
    if application_id not in history.applications:
        if not _left_out(history, application_id):
            raise RecordError(f"application_id {application_id} is not in applications.json")
        return
    # Scorecards written before Greenhouse named the interviewer have only the user who submitted them.
    person = get_object(record, "interviewer") or get_object(record, "submitted_by")
    if person is None:
        raise RecordError("has neither interviewer nor submitted_by")
    interviewer_id = get_id(person)
    if interviewer_id not in history.people:
        history.missing_people.setdefault(interviewer_id, _name(person)[:150])
    submitted = iso_datetime(record.get("submitted_at"), "submitted_at")
    interviewed = iso_datetime(record.get("interviewed_at"), "interviewed_at", required=False) or submitted
    overall_value = record.get("overall_recommendation")
    if overall_value is None or overall_value in GREENHOUSE_NO_OVERALL:
        overall = ""
    elif overall_value in GREENHOUSE_OVERALL:
        overall = GREENHOUSE_OVERALL[overall_value]
    else:
        raise RecordError("overall_recommendation must be one of definitely_not, no, yes, strong_yes, no_decision")
    ratings = []
    for number, attribute in enumerate(get_list(record, "attributes")):
        if not isinstance(attribute, dict):
            raise RecordError(f"attributes[{number}] must be an object")
        name = get_text(attribute, "name", required=True, limit=200)
        rating = attribute.get("rating")
        if rating is None or rating in GREENHOUSE_NOT_ASSESSED:
            score = None
        elif rating in GREENHOUSE_ATTRIBUTE:
            score = GREENHOUSE_ATTRIBUTE[rating]
        else:
            raise RecordError(
                f"attributes[{number}].rating must be one of definitely_not, no, mixed, yes, strong_yes, no_decision"
            )
        ratings.append(AttributeRating(name, score, _plain(get_text(attribute, "note"))))
    summary = ""
    for number, question in enumerate(get_list(record, "questions")):
        if not isinstance(question, dict):
            raise RecordError(f"questions[{number}] must be an object")
        if get_text(question, "question").lower() == SUMMARY_QUESTION:
            summary = _plain(get_text(question, "answer"))
    interview_step = get_object(record, "interview_step")
    interview_name = get_text(record, "interview", limit=200) or (
        get_text(interview_step, "name", limit=200) if interview_step else ""
    )
    history.scorecards.append(ScorecardRecord(
        external_id=scorecard_id, application_id=application_id,
        interview_id=scorecard_interviews.get(scorecard_id, ""), interview_name=interview_name,
        interviewer_id=interviewer_id, interviewed_at=interviewed or submitted,  # type: ignore[arg-type]
        submitted_at=submitted,  # type: ignore[arg-type]
        overall=overall, summary=summary, ratings=ratings,
    ))
