"""Reading a vendor's files: the concatenated pages, and problems that name the file, the record and the field.

A file holds the pages of one endpoint one after the other, each as the API
returned it (a JSON array for Greenhouse, ``{"data": [...], ...}`` for
Lever), or one array of every record. Problems never quote a value: it may be
a candidate's personal data, and the messages go to the terminal, the import
run's page and logs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# A refused run lists this many problems and counts the rest: a file broken throughout says so in a screenful.
MAX_PROBLEMS = 50


@dataclass(frozen=True)
class Problem:
    file: str
    record: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}, {self.record}: {self.message}" if self.record else f"{self.file}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return {"file": self.file, "record": self.record, "message": self.message}


class ImportRefused(Exception):
    """The files or the mapping cannot be imported; nothing was written. ``problems``: every one found."""

    def __init__(self, problems: list[Problem], *, more: int = 0) -> None:
        self.problems = problems
        self.more = more
        super().__init__(self.summary())

    def summary(self) -> str:
        lines = [str(p) for p in self.problems]
        if self.more:
            lines.append(f"... and {self.more} more problem(s)")
        return "\n".join(lines)


@dataclass
class Problems:
    items: list[Problem] = field(default_factory=list)
    more: int = 0

    def add(self, file: str, record: str, message: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(Problem(file, record, message))
        else:
            self.more += 1

    def raise_any(self) -> None:
        if self.items:
            raise ImportRefused(self.items, more=self.more)


class RecordError(ValueError):
    """One field of one record is wrong; the parser adds the file and the record."""


def read_pages(path: Path, problems: Problems, *, required: bool = True) -> Iterator[Any]:
    """Each page (JSON value) in a file of concatenated pages; a broken file is reported, not raised."""
    name = path.name
    if not path.exists():
        if required:
            problems.add(name, "", f"missing: the folder {path.parent} has no {name}")
        return
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.add(name, "", f"not UTF-8 text (byte {exc.start})")
        return
    decoder = json.JSONDecoder()
    position, end = 0, len(text)
    while True:
        while position < end and text[position].isspace():
            position += 1
        if position >= end:
            return
        try:
            page, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            problems.add(name, "", f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
            return
        yield page


def label(kind: str, record: Any, number: int) -> str:
    """How a problem names a record: by its id, or by its place in the file when it has none."""
    if isinstance(record, dict) and isinstance(record.get("id"), int | str) and not isinstance(record["id"], bool):
        return f"{kind} {record['id']}"
    return f"{kind} #{number} (no id)"


def get_id(record: dict[str, Any], key: str = "id", *, required: bool = True) -> str:
    value = record.get(key)
    if value is None and not required:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | str) or (isinstance(value, str) and not value.strip()):
        raise RecordError(f"{key} must be an id (a number or a string), got {_kind_of(value)}")
    return str(value).strip()


def get_text(record: dict[str, Any], key: str, *, required: bool = False, limit: int | None = None) -> str:
    value = record.get(key)
    if value is None:
        if required:
            raise RecordError(f"{key} is missing")
        return ""
    if not isinstance(value, str):
        raise RecordError(f"{key} must be text, got {_kind_of(value)}")
    value = value.strip()
    if required and not value:
        raise RecordError(f"{key} is empty")
    if limit is not None and len(value) > limit:
        raise RecordError(f"{key} is longer than {limit} characters")
    return value


def get_list(record: dict[str, Any], key: str) -> list[Any]:
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"{key} must be a list, got {_kind_of(value)}")
    return value


def get_object(record: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RecordError(f"{key} must be an object, got {_kind_of(value)}")
    return value


def get_email(value: Any, where: str) -> str:
    """A valid email, lower-cased, or "" for none. The value itself is never put in the message."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        raise RecordError(f"{where} must be text, got {_kind_of(value)}")
    try:
        validate_email(value.strip())
    except ValidationError:
        raise RecordError(f"{where} is not a valid email address") from None
    return value.strip().lower()


def iso_datetime(value: Any, where: str, *, required: bool = True) -> datetime | None:
    """An ISO 8601 timestamp (Greenhouse's); one without a zone is read in the site's time zone."""
    if value is None or value == "":
        if required:
            raise RecordError(f"{where} is missing")
        return None
    if not isinstance(value, str):
        raise RecordError(f"{where} must be an ISO 8601 timestamp, got {_kind_of(value)}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise RecordError(f"{where} is not an ISO 8601 timestamp") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    return parsed


def iso_date_start(value: Any, where: str) -> datetime:
    """Midnight, in the site's time zone, of an all-day event's date ("2017-08-22")."""
    if not isinstance(value, str):
        raise RecordError(f"{where} must be a date, got {_kind_of(value)}")
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise RecordError(f"{where} is not a date (YYYY-MM-DD)") from None
    return datetime.combine(day, time(), tzinfo=ZoneInfo(settings.TIME_ZONE))


def epoch_ms(value: Any, where: str, *, required: bool = True) -> datetime | None:
    """Lever's timestamps: milliseconds since 1970 (UTC)."""
    if value is None:
        if required:
            raise RecordError(f"{where} is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordError(f"{where} must be a timestamp in milliseconds, got {_kind_of(value)}")
    try:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=value)
    except OverflowError:
        raise RecordError(f"{where} is out of range") from None


def _kind_of(value: Any) -> str:
    # The type, never the value: a wrong value may still be someone's personal data.
    if value is None:
        return "nothing"
    return {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)
