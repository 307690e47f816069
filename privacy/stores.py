"""The erasure's scans outside the database tables: files under MEDIA_ROOT, Redis, the in-process cache.

``privacy.erasure`` decides what to search for and where; these helpers
only find and remove the values.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TypeGuard

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models

from scorecards.calibration.exports import FORMATS
from scorecards.models import CalibrationReport

# Files larger than this are not opened by the erasure's scan (uploads are capped far below).
MAX_SCANNED_FILE_BYTES = 200 * 1024 * 1024

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


def file_owners() -> dict[str, tuple[type[models.Model], int, str]]:
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


def rerender_report(report_id: int) -> bool:
    """Write a calibration report's files again from its (erased) stored result."""

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


def redis_urls() -> list[str]:
    urls: list[str | None] = []
    default = settings.CACHES.get("default", {})
    if "redis" in default.get("BACKEND", "").lower():
        location = default.get("LOCATION")
        urls.extend(location if isinstance(location, list | tuple) else [location])
    broker = getattr(settings, "CELERY_BROKER_URL", "")
    if broker and broker.startswith(("redis://", "rediss://")):
        urls.append(broker)
    return [url for i, url in enumerate(urls) if url and url not in urls[:i]]


def scrub_redis(url: str, needles: list[str]) -> int:
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


def scrub_local_cache(needles: list[str]) -> int:
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


def media_files() -> Iterator[Path]:
    """Every file under MEDIA_ROOT (used by the erasure's scan and its tests)."""
    root = Path(settings.MEDIA_ROOT)
    if root.is_dir():
        for dirpath, _, filenames in os.walk(root):
            for filename in filenames:
                yield Path(dirpath) / filename
