"""Writes of quality of hire: a hire's start date and manager, the check-ins they schedule, the manager's
rating, the role's outcome areas and check-in schedule. Each is atomic and audited with ids and choices only:
an outcome's scores are personal data and stay out of the audit trail."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from hiring.audit.services import audit_record
from hiring.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from hiring.models import InterviewLoop, Role, User
from outcomes.blueprint import areas_from_document, document_text
from outcomes.models import DEFAULT_CHECKINS, AreaRating, CheckIn, Hire, OutcomeArea, OutcomePlan

LABEL = re.compile(r"^[0-9]{1,3}[dmy]$")
MAX_CHECKIN_DAYS = 3 * 365


def can_record_hires(user: Any) -> bool:
    return bool(user.is_authenticated and (user.manages_hiring or user.is_committee))


def can_read_outcomes(user: Any) -> bool:
    """Outcome ratings are personal data: the committee and admins read them (the manager reads their own)."""
    return bool(user.is_authenticated and (user.is_committee or user.is_hireloop_admin))


def checkin_plan(role: Role) -> list[dict[str, Any]]:
    plan = OutcomePlan.objects.filter(role=role).values_list("checkins", flat=True).first()
    return list(plan) if plan else [dict(item) for item in DEFAULT_CHECKINS]


@transaction.atomic
def outcome_areas_ensure(*, role: Role) -> list[OutcomeArea]:
    """The role's outcome areas, taken from its blueprint document the first time they are needed."""
    areas = list(OutcomeArea.objects.filter(role=role).order_by("position"))
    if areas:
        return [area for area in areas if area.active]
    made = [
        OutcomeArea(role=role, position=position, title=item.title, description=item.description,
                    source=item.source, document_text=item.document_text)
        for position, item in enumerate(areas_from_document(document_text(role)), start=1)
    ]
    return OutcomeArea.objects.bulk_create(made)


@transaction.atomic
def hire_record(*, actor: User, loop_id: int, start_date: date | None, manager_id: int | None) -> Hire:
    """Record a hire's start date and manager, and schedule the role's check-ins from the start date."""
    if not can_record_hires(actor):
        raise PermissionRefused(gettext("Only recruiters, the hiring committee and admins record start dates."),
                                code="not_allowed")
    loop = InterviewLoop.objects.select_for_update().select_related("role").filter(pk=loop_id).first()
    if loop is None:
        raise NotFound(gettext("No such loop."))
    if loop.decision != InterviewLoop.Decision.HIRE:
        raise Conflict(gettext("Only a loop decided “hire” has a start date."), code="not_hired")
    if Hire.objects.filter(loop=loop).exists():
        raise Conflict(gettext("This hire's start date is already recorded."), code="already_recorded")
    errors: dict[str, list[str]] = {}
    if start_date is None:
        errors["start_date"] = [gettext("Give the start date (YYYY-MM-DD).")]
    elif loop.decided_at and start_date < timezone.localdate(loop.decided_at) - timedelta(days=365):
        errors["start_date"] = [gettext("The start date is more than a year before the decision.")]
    manager = User.objects.filter(pk=manager_id, is_active=True).first() if manager_id else None
    if manager is None:
        errors["manager"] = [gettext("Choose the new hire's manager (an active user).")]
    if errors:
        raise ValidationFailed(gettext("The start date cannot be recorded."), field_errors=errors)
    assert start_date is not None and manager is not None
    hire = Hire.objects.create(loop=loop, start_date=start_date, manager=manager, recorded_by=actor)
    checkins = CheckIn.objects.bulk_create([
        CheckIn(hire=hire, label=item["label"], due_on=start_date + timedelta(days=int(item["days"])))
        for item in checkin_plan(loop.role)
    ])
    outcome_areas_ensure(role=loop.role)
    audit_record(actor=actor, action="outcome.hire_recorded", obj=hire, loop_id=loop.pk,
                 after={"start_date": start_date.isoformat(), "manager_id": manager.pk,
                        "checkins": [{"label": c.label, "due_on": c.due_on.isoformat()} for c in checkins]})
    return hire


@dataclass(frozen=True)
class CheckInInput:
    performance: str = ""
    would_hire_again: str = ""
    still_in_role: str = ""
    comment: str = ""
    # area id (as text) -> "1".."5" or "" (not observed)
    areas: dict[str, str] = field(default_factory=dict)


def _yes_no(value: str, field_name: str, errors: dict[str, list[str]]) -> bool | None:
    if value in ("yes", "no"):
        return value == "yes"
    errors[field_name] = [gettext("Answer yes or no.")]
    return None


def _score(value: str, field_name: str, errors: dict[str, list[str]], *, required: bool) -> int | None:
    text = value.strip()
    if not text and not required:
        return None
    if text in {"1", "2", "3", "4", "5"}:
        return int(text)
    errors[field_name] = [gettext("Choose a rating from 1 to 5.") if required or text else gettext("Choose a rating.")]
    return None


@transaction.atomic
def checkin_submit(*, actor: User, checkin_id: int, data: CheckInInput) -> CheckIn:
    """The manager's rating of their report: once, by the manager only, every field checked."""
    checkin = CheckIn.objects.select_for_update().select_related("hire__loop").filter(pk=checkin_id).first()
    if checkin is None or checkin.hire.manager_id != actor.pk:
        # Not "refused": whose reports someone has is not for others to learn.
        raise NotFound(gettext("No such check-in."))
    if checkin.status == CheckIn.Status.SUBMITTED:
        raise Conflict(gettext("This check-in was already submitted."), code="already_submitted")
    if checkin.due_on > timezone.localdate() + timedelta(days=30):
        raise Conflict(
            gettext("This check-in opens on %(day)s.") % {"day": date_format(checkin.due_on - timedelta(days=30))},
            code="not_open",
        )
    errors: dict[str, list[str]] = {}
    performance = _score(data.performance, "performance", errors, required=True)
    again = _yes_no(data.would_hire_again, "would_hire_again", errors)
    still = _yes_no(data.still_in_role, "still_in_role", errors)
    areas = list(OutcomeArea.objects.filter(role_id=checkin.hire.loop.role_id, active=True).order_by("position"))
    known = {str(area.pk) for area in areas}
    for key in data.areas:
        if key not in known:
            errors[f"area_{key}"] = [gettext("This outcome area is not one of the role's.")]
    scores = {area.pk: _score(data.areas.get(str(area.pk), ""), f"area_{area.pk}", errors, required=False)
              for area in areas}
    if len(data.comment) > 5000:
        errors["comment"] = [gettext("Keep the comment under 5,000 characters.")]
    if errors:
        raise ValidationFailed(gettext("The check-in is not complete."), field_errors=errors)
    checkin.performance = performance
    checkin.would_hire_again = again
    checkin.still_in_role = still
    checkin.comment = data.comment.strip()
    checkin.status = CheckIn.Status.SUBMITTED
    checkin.submitted_at = timezone.now()
    checkin.submitted_by = actor
    checkin.save()
    AreaRating.objects.bulk_create([AreaRating(checkin=checkin, area_id=pk, score=score)
                                    for pk, score in scores.items()])
    audit_record(actor=actor, action="outcome.checkin_submitted", obj=checkin, loop_id=checkin.hire.loop_id,
                 after={"label": checkin.label, "status": checkin.status})
    return checkin


@dataclass(frozen=True)
class AreaInput:
    id: int | None
    title: str
    description: str
    active: bool


def _parse_plan(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """ "90d=90, 12m=365" -> the check-ins, or the problems in words."""
    plan: list[dict[str, Any]] = []
    problems = []
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        label, _, days = part.partition("=")
        label, days = label.strip(), days.strip()
        if not LABEL.match(label):
            problems.append(
                gettext("%(part)r: the label is a number and d, m or y, such as 90d or 12m.") % {"part": part}
            )
        elif not days.isdigit() or not 1 <= int(days) <= MAX_CHECKIN_DAYS:
            problems.append(
                gettext("%(part)r: the days after the start date are a whole number from 1 to %(max)d.")
                % {"part": part, "max": MAX_CHECKIN_DAYS}
            )
        elif any(item["label"] == label for item in plan):
            problems.append(
                gettext("%(part)r: the label %(label)s appears twice.") % {"part": part, "label": label}
            )
        else:
            plan.append({"label": label, "days": int(days)})
    if not plan and not problems:
        problems.append(gettext("Give at least one check-in, such as 90d=90, 12m=365."))
    return sorted(plan, key=lambda item: item["days"]), problems


@transaction.atomic
def outcome_setup_save(*, actor: User, role_id: int, plan_text: str, areas: list[AreaInput],
                       new_title: str = "", new_description: str = "") -> Role:
    """The committee edits a role's check-in schedule and outcome areas (like the rubric: the document's words
    are the start, and an area edited says so). Future check-ins only: scheduled ones keep their dates."""
    if not (actor.is_committee or actor.is_hireloop_admin):
        raise PermissionRefused(
            gettext("Only the hiring committee and admins edit outcome areas."), code="not_committee"
        )
    role = Role.objects.select_for_update().filter(pk=role_id).first()
    if role is None:
        raise NotFound(gettext("No such role."))
    errors: dict[str, list[str]] = {}
    plan, problems = _parse_plan(plan_text)
    if problems:
        errors["plan"] = problems
    existing = {area.pk: area for area in OutcomeArea.objects.filter(role=role)}
    for item in areas:
        if item.id not in existing:
            errors[f"area_{item.id}"] = [gettext("This outcome area is not one of the role's.")]
        elif not item.title.strip():
            errors[f"area_{item.id}"] = [gettext("An outcome area needs a title.")]
    if new_description.strip() and not new_title.strip():
        errors["new_title"] = [gettext("Give the new outcome area a title.")]
    if errors:
        raise ValidationFailed(gettext("The outcome set-up was not saved."), field_errors=errors)
    OutcomePlan.objects.update_or_create(role=role, defaults={"checkins": plan})
    changed = []
    for item in areas:
        area = existing[item.id or 0]
        title, description = item.title.strip()[:300], item.description.strip()
        if (area.title, area.description, area.active) != (title, description, item.active):
            area.edited = area.edited or (area.title, area.description) != (title, description)
            area.title, area.description, area.active = title, description, item.active
            area.save(update_fields=["title", "description", "active", "edited"])
            changed.append(area.pk)
    if new_title.strip():
        position = max((a.position for a in existing.values()), default=0) + 1
        added = OutcomeArea.objects.create(role=role, position=position, title=new_title.strip()[:300],
                                           description=new_description.strip(),
                                           source=OutcomeArea.Source.COMMITTEE)
        changed.append(added.pk)
    audit_record(actor=actor, action="outcome.setup_changed", obj=role,
                 after={"checkins": plan, "areas_changed": changed})
    return role
