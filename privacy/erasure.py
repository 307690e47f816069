"""Erasing a candidate: every registered field replaced, free text swept, files, caches and reports cleaned.

Erasure keeps every score, choice and date, so that recommendations and
calibration statistics stay exactly as they were.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from hiring.accounts.idempotency import idempotency_answers_scrub
from hiring.audit.services import audit_record
from hiring.errors import NotFound
from hiring.models import AuditEvent, Candidate, IdempotencyKey, User
from outcomes.models import CheckIn, Hire
from privacy.export import require_privacy_officer
from privacy.registry import (
    ERASED_LINK,
    ERASED_TEXT,
    PERSONAL_DATA,
    PersonalField,
    candidate_personal_values,
    rows_of_candidate,
)
from privacy.stores import (
    MAX_SCANNED_FILE_BYTES,
    content_mentions,
    file_owners,
    redis_urls,
    rerender_report,
    scrub_local_cache,
    scrub_redis,
)

logger = logging.getLogger(__name__)

# Free text shorter than this is too generic to search for elsewhere ("ok", "good"); identity values always are.
MIN_FREE_TEXT_NEEDLE = 12
MIN_IDENTITY_NEEDLE = 3
# The people who work in Hireloop are not candidates: their own names are not swept even if they match.
SWEEP_EXCLUDED_MODELS = {"hiring.User"}
# Another candidate who happens to share the name is another person: their own record is left alone.
SWEEP_EXCLUDED_FIELDS = {("hiring.Candidate", "name"), ("hiring.Candidate", "email"), ("hiring.Candidate", "phone"),
                         # An audit event's own columns hold action names, model labels and ids, never what was
                         # said; only its before/after values can be scrubbed (it is append-only otherwise), and a
                         # short name matching inside "scorecard.read" was counted as scrubbed but left as it was.
                         ("hiring.AuditEvent", "action"), ("hiring.AuditEvent", "object_type"),
                         ("hiring.AuditEvent", "object_id"),
                         # JSON text: scrubbed value by value once parsed (_scrub_kept_answers), where a needle
                         # with a quote or a line break is found as JSON escapes it and the JSON stays valid.
                         ("hiring.IdempotencyKey", "response_body")}
# The registered fields hold, once the candidate's own are replaced, OTHER candidates' records (their
# evidence, summaries, notes, uploads): only this candidate's identity is swept there, never text that
# merely equals this candidate's free text (a templated phrase, a copy-pasted sentence).
IDENTITY_ONLY_FIELDS = frozenset((f.model, f.field) for f in PERSONAL_DATA)


@dataclass(frozen=True)
class Needles:
    """What to search for elsewhere, each list longest first (a sentence goes before a name inside it)."""

    identity: list[str]  # name, email, phone: swept everywhere
    free_text: list[str]  # the candidate's notes, evidence, summaries...: not in IDENTITY_ONLY_FIELDS

    @property
    def everything(self) -> list[str]:
        return sorted(self.identity + self.free_text, key=len, reverse=True)

    def for_field(self, model_label: str, field_name: str) -> list[str]:
        return self.identity if (model_label, field_name) in IDENTITY_ONLY_FIELDS else self.everything


@dataclass
class ErasureReport:
    candidate_id: int
    fields_replaced: int = 0
    rows_swept: dict[str, int] = field(default_factory=dict)
    audit_events_scrubbed: int = 0
    files_deleted: list[str] = field(default_factory=list)
    reports_rerendered: list[int] = field(default_factory=list)
    cache_keys_removed: int = 0
    outcome_checkins_deleted: int = 0

    def summary(self) -> dict[str, Any]:
        """Counts only: this goes to the audit trail and the logs."""
        return {
            "fields_replaced": self.fields_replaced,
            "rows_swept": self.rows_swept,
            "audit_events_scrubbed": self.audit_events_scrubbed,
            "files_deleted": len(self.files_deleted),
            "reports_rerendered": self.reports_rerendered,
            "cache_keys_removed": self.cache_keys_removed,
            "outcome_checkins_deleted": self.outcome_checkins_deleted,
        }


def _placeholder(personal: PersonalField, candidate_id: int) -> str:
    if personal.model == "hiring.Candidate":
        if personal.field == "name":
            return f"Erased candidate #{candidate_id}"
        if personal.field == "email":
            return f"erased-{candidate_id}@erased.invalid"
        return ""
    if personal.kind == "link":
        return ERASED_LINK
    return ERASED_TEXT


def _needles(values: list[str], identity: set[str], placeholders: set[str]) -> Needles:
    """What to search for elsewhere: identity values, and free text long enough to be specific."""
    found: dict[bool, list[str]] = {True: [], False: []}
    for value in values:
        if value in placeholders:
            continue
        is_identity = value in identity
        minimum = MIN_IDENTITY_NEEDLE if is_identity else MIN_FREE_TEXT_NEEDLE
        if len(value) >= minimum and value not in found[is_identity]:
            found[is_identity].append(value)
    return Needles(identity=sorted(found[True], key=len, reverse=True),
                   free_text=sorted(found[False], key=len, reverse=True))


def _needle_pattern(needles: list[str]) -> re.Pattern[str]:
    # Whole words only: erasing "Ann Lee" must not turn "Joann Leeds" into "Jo[erased]ds".
    alternatives = "|".join(re.escape(n) for n in needles)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _scrub_json(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(ERASED_TEXT, value)
    if isinstance(value, list):
        return [_scrub_json(item, pattern) for item in value]
    if isinstance(value, dict):
        return {pattern.sub(ERASED_TEXT, k): _scrub_json(v, pattern) for k, v in value.items()}
    return value


def _text_columns(model: type[models.Model]) -> Iterator[models.Field[Any, Any]]:
    for model_field in model._meta.concrete_fields:
        if isinstance(model_field, models.FileField):
            continue  # file names are random; the files themselves are scanned separately
        if isinstance(model_field, models.CharField | models.TextField | models.JSONField):
            yield model_field


def _sweep_database(all_needles: Needles, report: ErasureReport) -> set[int]:
    """Replace every occurrence of the needles in every text and JSON column of every table
    (only the identity needles in the registered personal-data fields, see IDENTITY_ONLY_FIELDS).

    Returns the ids of calibration reports whose stored result changed (their files are re-rendered).
    """
    touched_reports: set[int] = set()
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed or model._meta.label in SWEEP_EXCLUDED_MODELS:
            continue
        for column in _text_columns(model):
            if (model._meta.label, column.name) in SWEEP_EXCLUDED_FIELDS:
                continue
            needles = all_needles.for_field(model._meta.label, column.name)
            if not needles:
                continue
            pattern = _needle_pattern(needles)
            match = Q()
            for needle in needles:
                match |= Q(**{f"{column.name}__icontains": needle})
            rows = model._base_manager.filter(match).values_list("pk", column.name)
            for pk, value in rows:
                new = _scrub_json(value, pattern) if isinstance(column, models.JSONField) else (
                    pattern.sub(ERASED_TEXT, value) if isinstance(value, str) else value
                )
                if new == value:
                    continue
                if model is AuditEvent:
                    # column is before or after (the others are excluded above); the scrub writes both at once.
                    event = cast("dict[str, Any]", AuditEvent.objects.filter(pk=pk).values("before", "after").get())
                    event[column.name] = new
                    AuditEvent.objects.scrub_values(pk=pk, before=event["before"], after=event["after"])
                    report.audit_events_scrubbed += 1
                else:
                    model._base_manager.filter(pk=pk).update(**{column.name: new})
                if model._meta.label == "scorecards.CalibrationReport":
                    touched_reports.add(pk)
                table = model._meta.db_table
                report.rows_swept[table] = report.rows_swept.get(table, 0) + 1
    return touched_reports


def _scrub_kept_answers(all_needles: Needles, report: ErasureReport) -> None:
    """The API's kept answers to retried writes (config/api/idempotency.py) that quote the candidate."""
    if not all_needles.everything:
        return
    pattern = _needle_pattern(all_needles.everything)
    changed = idempotency_answers_scrub(all_needles.everything, lambda answer: _scrub_json(answer, pattern))
    if changed:
        table = IdempotencyKey._meta.db_table
        report.rows_swept[table] = report.rows_swept.get(table, 0) + changed


def _erase_registered_fields(candidate_id: int, report: ErasureReport) -> list[tuple[str, str]]:
    """Replace each registered field of the candidate's rows; returns the files to delete after commit."""
    files: list[tuple[str, str]] = []
    # Links before files: a submission must keep a repository link or a file.
    for personal in sorted(PERSONAL_DATA, key=lambda f: f.kind == "file"):
        rows = rows_of_candidate(personal, candidate_id)
        if personal.kind == "file":
            for pk, name in rows.exclude(**{personal.field: ""}).values_list("pk", personal.field):
                files.append((personal.model, name))
                personal.model_class._base_manager.filter(pk=pk).update(**{personal.field: ""})
                report.fields_replaced += 1
            continue
        placeholder = _placeholder(personal, candidate_id)
        changed = rows.exclude(**{personal.field: placeholder})
        if personal.model != "hiring.Candidate":
            changed = changed.exclude(**{personal.field: ""})
        report.fields_replaced += changed.update(**{personal.field: placeholder})
    return files


def _scrub_files(all_needles: Needles, own_files: list[tuple[str, str]], touched_reports: set[int],
                 report: ErasureReport) -> None:
    for _, name in own_files:
        if default_storage.exists(name):
            default_storage.delete(name)
        report.files_deleted.append(name)
    for report_id in sorted(touched_reports):
        if rerender_report(report_id):
            report.reports_rerendered.append(report_id)
    root = Path(settings.MEDIA_ROOT)
    if not all_needles.everything or not root.is_dir():
        return
    owners = file_owners()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.stat().st_size > MAX_SCANNED_FILE_BYTES:
            continue
        name = path.relative_to(root).as_posix()
        owner = owners.get(name)
        # Another candidate's upload is their record: deleted only if it names this candidate.
        needles = all_needles.everything if owner is None else all_needles.for_field(owner[0]._meta.label, owner[2])
        if not needles or not content_mentions(path.read_bytes(), needles):
            continue
        if owner is not None and owner[0]._meta.label == "scorecards.CalibrationReport":
            # Rendered from the stored result, which no longer names the candidate.
            if owner[1] not in report.reports_rerendered and rerender_report(owner[1]):
                report.reports_rerendered.append(owner[1])
            if default_storage.exists(name) and content_mentions(default_storage.open(name).read(), needles):
                default_storage.delete(name)
                report.files_deleted.append(name)
            continue
        default_storage.delete(name)
        report.files_deleted.append(name)
        if owner is not None:
            model, pk, field_name = owner
            model._base_manager.filter(pk=pk).update(**{field_name: ""})


def _delete_outcomes(candidate_id: int) -> int:
    """A hire's check-ins rate the person at work, not an interview: nothing in Hireloop's figures needs them
    after erasure that it may keep, so the hire, its check-ins and their area ratings go (docs/quality-of-hire.md)."""
    checkins = CheckIn.objects.filter(hire__loop__candidate_id=candidate_id).count()
    Hire.objects.filter(loop__candidate_id=candidate_id).delete()
    return checkins


def candidate_erase(*, actor: User | None, candidate_id: int, via: str) -> ErasureReport:
    """Replace a candidate's personal data everywhere with anonymous placeholders, keeping the scores.

    In one transaction:
    1. the registered fields of the candidate's rows (name, email, phone,
       notes, evidence, summaries, signal notes, reasons, links, uploads);
    2. every other text and JSON column of every table where the candidate's
       values still occur, the audit trail's before/after values and the
       API's kept answers to retried writes included;
       in other candidates' registered fields only the identity (name,
       email, phone) is swept: equal free text there is their own record;
    3. the files: the candidate's uploads, calibration report files
       re-rendered from their erased results, any other file under
       MEDIA_ROOT that mentions them (another candidate's upload only if
       it names them);
    4. cached values in Redis (cache and broker) or the in-process cache;
    5. an audit event with the counts (never the values).
    Files and Redis are not transactional, so they are handled before the
    commit: if any step fails (Redis unreachable, say) the database is left
    untouched and the erasure can simply be run again, still knowing what to
    look for.
    """
    require_privacy_officer(actor)
    report = ErasureReport(candidate_id=candidate_id)
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().filter(pk=candidate_id).first()
        if candidate is None:
            raise NotFound(gettext("No candidate #%(candidate_id)s.") % {"candidate_id": candidate_id})
        identity = {candidate.name.strip(), candidate.email.strip(), candidate.phone.strip()}
        placeholders = {ERASED_TEXT, ERASED_LINK, f"Erased candidate #{candidate_id}",
                        f"erased-{candidate_id}@erased.invalid"}
        needles = _needles(candidate_personal_values(candidate_id), identity, placeholders)
        own_files = _erase_registered_fields(candidate_id, report)
        report.outcome_checkins_deleted = _delete_outcomes(candidate_id)
        touched_reports = _sweep_database(needles, report) if needles.everything else set()
        _scrub_kept_answers(needles, report)
        Candidate.objects.filter(pk=candidate_id).update(erased_at=candidate.erased_at or timezone.now())
        _scrub_files(needles, own_files, touched_reports, report)
        if needles.everything:
            for url in redis_urls():
                report.cache_keys_removed += scrub_redis(url, needles.everything)
            report.cache_keys_removed += scrub_local_cache(needles.everything)
        audit_record(actor=actor, action="candidate.erased", obj=candidate,
                     after={"via": via, **report.summary()})
    logger.info("Erased candidate %s: %s", candidate_id, report.summary())
    return report

