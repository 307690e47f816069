"""Lever's API files: users, opportunities, interviews, feedback (and, optionally, postings for their titles).

Shapes as documented in Lever's API reference (hire.lever.co/developer/documentation).
A list page is ``{"data": [...], "hasNext": ..., "next": ...}``. Lever lists
interviews and feedback per opportunity (``/opportunities/:id/feedback``) and
their objects do not name it, so each such page carries the opportunity it
was asked for as ``"opportunity"`` beside ``data`` (``import_history --fetch``
writes it so; a record may also carry its own ``opportunity``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from imports.ratings import LEVER_DEFAULT_SCALE, LEVER_SCALES, lever_overall, lever_score
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
    epoch_ms,
    get_email,
    get_id,
    get_list,
    get_object,
    get_text,
    label,
    read_pages,
)

FILES = ("users", "opportunities", "interviews", "feedback")
OPTIONAL_FILES = ("postings",)


def records(directory: Path, name: str, problems: Problems, *, required: bool = True
            ) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(label, record, the page's opportunity) for each record of a file of Lever list pages."""
    number = 0
    singular = {"opportunities": "opportunity", "feedback": "feedback", "postings": "posting"}.get(name, name[:-1])
    for page in read_pages(directory / f"{name}.json", problems, required=required):
        opportunity = ""
        if isinstance(page, dict) and isinstance(page.get("data"), list):
            rows = page["data"]
            if isinstance(page.get("opportunity"), str):
                opportunity = page["opportunity"]
        elif isinstance(page, list):
            rows = page
        else:
            problems.add(f"{name}.json", "", 'a page must be {"data": [...]} as the API returns it, or a JSON array')
            return
        for record in rows:
            number += 1
            if not isinstance(record, dict):
                problems.add(f"{name}.json", f"record #{number}", "must be a JSON object")
                continue
            yield label(singular, record, number), record, opportunity


def _each(directory: Path, name: str, problems: Problems, parse: Callable[[dict[str, Any], str], None],
          *, required: bool = True) -> None:
    for where, record, opportunity in records(directory, name, problems, required=required):
        try:
            parse(record, opportunity)
        except RecordError as exc:
            problems.add(f"{name}.json", where, str(exc))


def read_history(directory: Path, problems: Problems, progress: Callable[[str, int, int], None]) -> History:
    """Every file read and checked; problems are collected (the caller refuses the run if there are any)."""
    history = History(source="lever")
    steps: list[tuple[str, Callable[[dict[str, Any], str], None]]] = [
        ("postings", lambda r, _: _posting(history, r)),
        ("users", lambda r, _: _user(history, r)),
        ("opportunities", lambda r, _: _opportunity(history, r)),
        ("interviews", lambda r, o: _interview(history, r, o)),
        ("feedback", lambda r, o: _feedback(history, r, o)),
    ]
    for number, (name, parse) in enumerate(steps):
        _each(directory, name, problems, parse, required=name != "postings")
        progress("reading files", number + 1, len(steps))
    return history


def _ref(value: Any, where: str) -> str:
    """An id given as a string, or expanded into an object with an id."""
    if isinstance(value, dict):
        return get_id(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise RecordError(f"{where} must be an id or an object with an id")


def _posting(history: History, record: dict[str, Any]) -> None:
    posting_id = get_id(record)
    history.jobs[posting_id] = Job(posting_id, get_text(record, "text", limit=500))


def _user(history: History, record: dict[str, Any]) -> None:
    user_id = get_id(record)
    history.people[user_id] = Person(user_id, get_text(record, "name", limit=150),
                                     get_email(record.get("email"), "email"))


def _opportunity(history: History, record: dict[str, Any]) -> None:
    opportunity_id = get_id(record)
    # One person's opportunities share a contact: they are one Hireloop candidate.
    contact = record.get("contact")
    candidate_id = _ref(contact, "contact") if contact else opportunity_id
    emails = get_list(record, "emails")
    email = ""
    for number, value in enumerate(emails):
        email = email or get_email(value, f"emails[{number}]")
    phone = ""
    for number, entry in enumerate(get_list(record, "phones")):
        if not isinstance(entry, dict):
            raise RecordError(f"phones[{number}] must be an object with a value")
        phone = phone or get_text(entry, "value", limit=50)
    history.candidates.setdefault(
        candidate_id, CandidateRecord(candidate_id, get_text(record, "name", limit=200), email, phone)
    )
    posting = ""
    for number, application in enumerate(get_list(record, "applications")):
        if isinstance(application, dict) and application.get("posting"):
            posting = _ref(application["posting"], f"applications[{number}].posting")
            if isinstance(application["posting"], dict) and posting not in history.jobs:
                history.jobs[posting] = Job(posting, get_text(application["posting"], "text", limit=500))
            break
        if not isinstance(application, dict | str):
            raise RecordError(f"applications[{number}] must be an id or an object")
    if not posting:
        history.leave_out("an opportunity with no posting (expand=applications names it)", opportunity_id)
        return
    history.jobs.setdefault(posting, Job(posting, ""))
    opened = epoch_ms(record.get("createdAt"), "createdAt")
    assert opened is not None  # required
    archived = get_object(record, "archived")
    outcome, closed, reason = Outcome.OPEN, None, ""
    if archived is not None and archived.get("archivedAt") is not None:
        outcome, closed = Outcome.ARCHIVED, epoch_ms(archived.get("archivedAt"), "archived.archivedAt")
        reason = get_id(archived, "reason", required=False)
    owner = record.get("owner")
    history.applications[opportunity_id] = Application(
        external_id=opportunity_id, candidate_id=candidate_id, job_id=posting, outcome=outcome, opened_at=opened,
        closed_at=closed, recruiter_id=_ref(owner, "owner") if owner else "", archive_reason=reason,
    )


def _opportunity_of(record: dict[str, Any], page_opportunity: str) -> str:
    own = record.get("opportunity")
    opportunity = _ref(own, "opportunity") if own else page_opportunity
    if not opportunity:
        raise RecordError('names no opportunity (the page\'s "opportunity", or the record\'s own)')
    return opportunity


def _interview(history: History, record: dict[str, Any], page_opportunity: str) -> None:
    interview_id = get_id(record)
    opportunity = _opportunity_of(record, page_opportunity)
    if opportunity not in history.applications:
        if opportunity not in history.left_out_ids:
            raise RecordError(f"opportunity {opportunity} is not in opportunities.json")
        return
    if record.get("canceledAt") is not None:
        return
    starts = epoch_ms(record.get("date"), "date")
    duration = record.get("duration")
    if isinstance(duration, bool) or not isinstance(duration, int | float) or duration < 0:
        raise RecordError("duration must be a number of minutes")
    assert starts is not None  # required
    ends = starts + timedelta(minutes=duration)
    name = get_text(record, "subject", limit=200)
    for number, interviewer in enumerate(get_list(record, "interviewers")):
        if not isinstance(interviewer, dict):
            raise RecordError(f"interviewers[{number}] must be an object")
        user_id = get_id(interviewer)
        if user_id not in history.people:
            history.missing_people.setdefault(user_id, get_text(interviewer, "name", limit=150))
        history.interviews.append(
            ScheduledInterview(f"{interview_id}:{user_id}", opportunity, name, user_id, starts, ends)
        )


def _feedback(history: History, record: dict[str, Any], page_opportunity: str) -> None:
    feedback_id = get_id(record)
    opportunity = _opportunity_of(record, page_opportunity)
    if opportunity not in history.applications:
        if opportunity not in history.left_out_ids:
            raise RecordError(f"opportunity {opportunity} is not in opportunities.json")
        return
    if record.get("deletedAt") is not None:
        return
    completed = epoch_ms(record.get("completedAt"), "completedAt", required=False)
    if completed is None:
        history.leave_out("feedback not completed", feedback_id)
        return
    user = record.get("user")
    if not user:
        raise RecordError("user is missing")
    user_id = _ref(user, "user")
    if user_id not in history.people:
        history.missing_people.setdefault(user_id, "")
    interview = record.get("interview")
    interview_key = f"{_ref(interview, 'interview')}:{user_id}" if interview else ""
    overall, ratings, summary = "", [], []
    for number, field in enumerate(get_list(record, "fields")):
        if not isinstance(field, dict):
            raise RecordError(f"fields[{number}] must be an object")
        kind = get_text(field, "type")
        text = get_text(field, "text", limit=200)
        where = f"fields[{number}] ({kind})"
        try:
            if kind == "score-system":
                overall = lever_overall(field.get("value"))
            elif kind == "score":
                ratings.append(AttributeRating(text, lever_score(field.get("value"), points=_points(field)), ""))
            elif kind == "scorecard":
                ratings.extend(_scorecard_field(field, where))
            elif kind == "textarea" and isinstance(field.get("value"), str) and field["value"].strip():
                summary.append(f"{text}: {field['value'].strip()}" if text else field["value"].strip())
        except RecordError:
            raise
        except ValueError as exc:
            raise RecordError(f"{where}.value {exc}") from None
    history.scorecards.append(ScorecardRecord(
        external_id=feedback_id, application_id=opportunity, interview_id=interview_key,
        interview_name=get_text(record, "text", limit=200), interviewer_id=user_id,
        interviewed_at=epoch_ms(record.get("createdAt"), "createdAt", required=False) or completed,
        submitted_at=completed, overall=overall, summary="\n\n".join(summary), ratings=ratings,
    ))


def _points(field: dict[str, Any]) -> int:
    """The length of a score field's scale: its options when it lists them, else Lever's four points."""
    options = field.get("options")
    if isinstance(options, list) and options:
        if len(options) not in LEVER_SCALES:
            raise ValueError(f"has a {len(options)}-point scale; Hireloop maps 4- and 5-point scales")
        return len(options)
    return LEVER_DEFAULT_SCALE


def _scorecard_field(field: dict[str, Any], where: str) -> list[AttributeRating]:
    """A "scorecard" field: skills in ``scores`` and their ratings, in the same order, in ``value``."""
    skills = get_list(field, "scores")
    values = field.get("value") or []
    if not isinstance(values, list) or len(values) > len(skills):
        raise RecordError(f"{where}.value must list one rating per entry of scores")
    ratings = []
    for number, skill in enumerate(skills):
        if not isinstance(skill, dict):
            raise RecordError(f"{where}.scores[{number}] must be an object with a text")
        name = get_text(skill, "text", required=True, limit=200)
        entry = values[number] if number < len(values) else None
        raw = entry.get("score") if isinstance(entry, dict) else entry
        try:
            score = lever_score(raw, points=_points(field))
        except ValueError as exc:
            raise RecordError(f"{where}.value[{number}] {exc}") from None
        ratings.append(AttributeRating(name, score, ""))
    return ratings
