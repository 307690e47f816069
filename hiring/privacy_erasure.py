"""Erasing a candidate: every registered field replaced, free text swept, files, caches and reports cleaned.

Erasure keeps every score, choice and date, so that recommendations and
calibration statistics stay exactly as they were.
"""

from __future__ import annotations

import io
import logging
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard, cast

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from hiring.audit import audit_record
from hiring.errors import NotFound
from hiring.models import AuditEvent, Candidate, User
from hiring.privacy import (
    ERASED_LINK,
    ERASED_TEXT,
    PERSONAL_DATA,
    PersonalField,
    candidate_personal_values,
    rows_of_candidate,
)
from hiring.privacy_services import require_privacy_officer

logger = logging.getLogger(__name__)

# Free text shorter than this is too generic to search for elsewhere ("ok", "good"); identity values always are.
MIN_FREE_TEXT_NEEDLE = 12
MIN_IDENTITY_NEEDLE = 3
# Files larger than this are not opened by the erasure's scan (uploads are capped far below).
MAX_SCANNED_FILE_BYTES = 200 * 1024 * 1024
# The people who work in Hireloop are not candidates: their own names are not swept even if they match.
SWEEP_EXCLUDED_MODELS = {"hiring.User"}
# Another candidate who happens to share the name is another person: their own record is left alone.
SWEEP_EXCLUDED_FIELDS = {("hiring.Candidate", "name"), ("hiring.Candidate", "email"), ("hiring.Candidate", "phone")}



@dataclass
class ErasureReport:
    candidate_id: int
    fields_replaced: int = 0
    rows_swept: dict[str, int] = field(default_factory=dict)
    audit_events_scrubbed: int = 0
    files_deleted: list[str] = field(default_factory=list)
    reports_rerendered: list[int] = field(default_factory=list)
    cache_keys_removed: int = 0

    def summary(self) -> dict[str, Any]:
        """Counts only: this goes to the audit trail and the logs."""
        return {
            "fields_replaced": self.fields_replaced,
            "rows_swept": self.rows_swept,
            "audit_events_scrubbed": self.audit_events_scrubbed,
            "files_deleted": len(self.files_deleted),
            "reports_rerendered": self.reports_rerendered,
            "cache_keys_removed": self.cache_keys_removed,
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


def _needles(values: list[str], identity: set[str], placeholders: set[str]) -> list[str]:
    """What to search for elsewhere: identity values, and free text long enough to be specific."""
    needles = []
    for value in values:
        if value in placeholders:
            continue
        minimum = MIN_IDENTITY_NEEDLE if value in identity else MIN_FREE_TEXT_NEEDLE
        if len(value) >= minimum and value not in needles:
            needles.append(value)
    # Longest first, so a whole sentence is replaced before a name inside it.
    return sorted(needles, key=len, reverse=True)


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


def _sweep_database(needles: list[str], report: ErasureReport) -> set[int]:
    """Replace every occurrence of the needles in every text and JSON column of every table.

    Returns the ids of calibration reports whose stored result changed (their files are re-rendered).
    """
    pattern = _needle_pattern(needles)
    touched_reports: set[int] = set()
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed or model._meta.label in SWEEP_EXCLUDED_MODELS:
            continue
        for column in _text_columns(model):
            if (model._meta.label, column.name) in SWEEP_EXCLUDED_FIELDS:
                continue
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
                    # column may be any of the event's text columns, not only the two read here.
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


# File contents: plain bytes, the members of zip containers (XLSX, zipped CSV, DOCX) and the
# deflated streams of PDFs, so that a name inside any of them is found.
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)


def _file_texts(data: bytes) -> Iterator[bytes]:
    yield data
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.infolist():
                    if member.file_size <= MAX_SCANNED_FILE_BYTES:
                        yield from _file_texts(archive.read(member))
        except (zipfile.BadZipFile, OSError, RuntimeError):
            return
    elif data[:5] == b"%PDF-":
        for stream in _PDF_STREAM.findall(data):
            try:
                yield zlib.decompress(stream)
            except zlib.error:
                continue


def content_mentions(data: bytes, needles: list[str]) -> bool:
    """Whether any needle occurs (case-insensitively) in the file's bytes or its decoded parts."""
    encoded = [n.lower().encode("utf-8") for n in needles]
    for text in _file_texts(data):
        lowered = text.lower()
        if any(n in lowered for n in encoded):
            return True
    return False


def _file_owners() -> dict[str, tuple[type[models.Model], int, str]]:
    """Stored file name -> (model, pk, field) for every FileField value in the database."""
    owners: dict[str, tuple[type[models.Model], int, str]] = {}
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if not isinstance(model_field, models.FileField):
                continue
            rows = model._base_manager.exclude(**{model_field.name: ""}).values_list("pk", model_field.name)
            for pk, name in rows:
                owners[name] = (model, pk, model_field.name)
    return owners


def _rerender_report(report_id: int) -> bool:
    """Write a calibration report's files again from its (erased) stored result."""
    from scorecards.calibration.exports import FORMATS
    from scorecards.models import CalibrationReport

    report = CalibrationReport.objects.filter(pk=report_id).first()
    if report is None or not report.result:
        return False
    for name in ("csv", "xlsx", "pdf"):
        file_field = getattr(report, f"{name}_file")
        if not file_field:
            continue
        export = FORMATS[name]
        old_name = file_field.name
        content = export.render(report.result, report_id=report.pk)
        file_field.save(f"calibration-{report.pk}.{export.extension}", ContentFile(content), save=False)
        if old_name != file_field.name:
            default_storage.delete(old_name)
    CalibrationReport.objects.filter(pk=report.pk).update(
        csv_file=report.csv_file.name, xlsx_file=report.xlsx_file.name, pdf_file=report.pdf_file.name
    )
    return True


def _scrub_files(needles: list[str], own_files: list[tuple[str, str]], touched_reports: set[int],
                 report: ErasureReport) -> None:
    for _, name in own_files:
        if default_storage.exists(name):
            default_storage.delete(name)
        report.files_deleted.append(name)
    for report_id in sorted(touched_reports):
        if _rerender_report(report_id):
            report.reports_rerendered.append(report_id)
    root = Path(settings.MEDIA_ROOT)
    if not needles or not root.is_dir():
        return
    owners = _file_owners()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.stat().st_size > MAX_SCANNED_FILE_BYTES:
            continue
        name = path.relative_to(root).as_posix()
        if not content_mentions(path.read_bytes(), needles):
            continue
        owner = owners.get(name)
        if owner is not None and owner[0]._meta.label == "scorecards.CalibrationReport":
            # Rendered from the stored result, which no longer names the candidate.
            if owner[1] not in report.reports_rerendered and _rerender_report(owner[1]):
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


def _redis_urls() -> list[str]:
    urls: list[str | None] = []
    default = settings.CACHES.get("default", {})
    if "redis" in default.get("BACKEND", "").lower():
        location = default.get("LOCATION")
        urls.extend(location if isinstance(location, list | tuple) else [location])
    broker = getattr(settings, "CELERY_BROKER_URL", "")
    if broker and broker.startswith(("redis://", "rediss://")):
        urls.append(broker)
    return [url for i, url in enumerate(urls) if url and url not in urls[:i]]


def _scrub_redis(url: str, needles: list[str]) -> int:
    """Remove every Redis value that mentions the candidate: whole keys, or the matching elements of
    lists, hashes and sets (so that a broker queue loses nothing but the matching message)."""
    import redis

    encoded = [n.lower().encode("utf-8") for n in needles]

    # Without decode_responses every reply is bytes; redis-py annotates its replies as bytes | str.
    def mentions(blob: object) -> TypeGuard[bytes]:
        return isinstance(blob, bytes) and any(n in blob.lower() for n in encoded)

    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
    removed = 0
    for key in client.scan_iter(count=500):
        kind = client.type(key)
        if mentions(key):
            removed += client.delete(key)
        elif kind == b"string":
            if mentions(client.get(key)):
                removed += client.delete(key)
        elif kind == b"list":
            for item in client.lrange(key, 0, -1):
                if mentions(item):
                    # redis-py annotates the value as str, yet sends bytes as they are, as for every other command.
                    removed += client.lrem(key, 0, item)  # type: ignore[arg-type]
        elif kind == b"hash":
            for item_key, item in client.hgetall(key).items():
                if mentions(item_key) or mentions(item):
                    removed += client.hdel(key, item_key)
        elif kind in (b"set", b"zset"):
            members = client.smembers(key) if kind == b"set" else client.zrange(key, 0, -1)
            for member in members:
                if mentions(member):
                    removed += client.srem(key, member) if kind == b"set" else client.zrem(key, member)
    return removed


def _scrub_local_cache(needles: list[str]) -> int:
    """The embedded setup's in-process cache: drop entries whose pickled value mentions the candidate."""
    store = getattr(cache, "_cache", None)  # LocMemCache keeps pickled bytes in ``_cache`` (no public scan).
    if not isinstance(store, dict):
        return 0
    encoded = [n.lower().encode("utf-8") for n in needles]
    removed = 0
    for key, blob in list(store.items()):
        if isinstance(blob, bytes) and any(n in blob.lower() for n in encoded):
            store.pop(key, None)
            getattr(cache, "_expire_info", {}).pop(key, None)
            removed += 1
    return removed


def candidate_erase(*, actor: User | None, candidate_id: int, via: str) -> ErasureReport:
    """Replace a candidate's personal data everywhere with anonymous placeholders, keeping the scores.

    In one transaction:
    1. the registered fields of the candidate's rows (name, email, phone,
       notes, evidence, summaries, signal notes, reasons, links, uploads);
    2. every other text and JSON column of every table where the candidate's
       values still occur, the audit trail's before/after values included;
    3. the files: the candidate's uploads, calibration report files
       re-rendered from their erased results, any other file under
       MEDIA_ROOT that mentions them;
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
            raise NotFound(f"No candidate #{candidate_id}.")
        identity = {candidate.name.strip(), candidate.email.strip(), candidate.phone.strip()}
        placeholders = {ERASED_TEXT, ERASED_LINK, f"Erased candidate #{candidate_id}",
                        f"erased-{candidate_id}@erased.invalid"}
        needles = _needles(candidate_personal_values(candidate_id), identity, placeholders)
        own_files = _erase_registered_fields(candidate_id, report)
        touched_reports = _sweep_database(needles, report) if needles else set()
        Candidate.objects.filter(pk=candidate_id).update(erased_at=candidate.erased_at or timezone.now())
        _scrub_files(needles, own_files, touched_reports, report)
        if needles:
            for url in _redis_urls():
                report.cache_keys_removed += _scrub_redis(url, needles)
            report.cache_keys_removed += _scrub_local_cache(needles)
        audit_record(actor=actor, action="candidate.erased", obj=candidate,
                     after={"via": via, **report.summary()})
    logger.info("Erased candidate %s: %s", candidate_id, report.summary())
    return report


def media_files() -> Iterator[Path]:
    """Every file under MEDIA_ROOT (used by the erasure's scan and its tests)."""
    root = Path(settings.MEDIA_ROOT)
    if root.is_dir():
        for dirpath, _, filenames in os.walk(root):
            for filename in filenames:
                yield Path(dirpath) / filename
