"""What a take-home upload may be: its size, its type, and that its bytes match the type it claims.

The file is only ever stored and offered to staff as a download, so these
checks are not a malware scan; they keep out what the hiring team did not ask
for (an executable renamed ``.pdf``, a 2 GB archive) with a message the
candidate can act on.
"""

from __future__ import annotations

import codecs
import json
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

MEGABYTE = 1024 * 1024

# Content types we serve a download with; the browser's claim is never trusted.
CONTENT_TYPES: dict[str, str] = {
    "zip": "application/zip",
    "tar.gz": "application/gzip",
    "tgz": "application/gzip",
    "gz": "application/gzip",
    "pdf": "application/pdf",
    "ipynb": "application/x-ipynb+json",
    "py": "text/x-python",
    "md": "text/markdown",
    "txt": "text/plain",
}
# Leading bytes each binary type must start with.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "zip": (b"PK\x03\x04", b"PK\x05\x06"),
    "tar.gz": (b"\x1f\x8b",),
    "tgz": (b"\x1f\x8b",),
    "gz": (b"\x1f\x8b",),
    "pdf": (b"%PDF-",),
}
TEXT_TYPES = {"py", "md", "txt", "ipynb", "csv", "json", "yaml", "yml", "rst"}
SNIFF_BYTES = 64 * 1024


def allowed_types() -> list[str]:
    """The configured extensions, lower case, without a leading dot, longest first."""
    types = {t.strip().lower().lstrip(".") for t in settings.HIRELOOP_TAKE_HOME_ALLOWED_TYPES if t.strip()}
    return sorted(types, key=lambda t: (-len(t), t))


def max_upload_bytes() -> int:
    return settings.HIRELOOP_TAKE_HOME_MAX_UPLOAD_MB * MEGABYTE


def allowed_types_label() -> str:
    return ", ".join(f".{t}" for t in sorted(allowed_types()))


def accept_attribute() -> str:
    """For ``<input type=file accept=...>``: a hint to the browser's picker, not a check."""
    return ",".join(f".{t}" for t in sorted(allowed_types()))


def matching_type(filename: str) -> str | None:
    """The allowed type a file name ends with (``tar.gz`` wins over ``gz``), or None."""
    name = filename.lower()
    for extension in allowed_types():
        if name.endswith(f".{extension}") and len(name) > len(extension) + 1:
            return extension
    return None


def clean_filename(filename: str) -> str:
    """The last path component, without control characters, at most 200 characters; for display only."""
    name = PureWindowsPath(PurePosixPath(filename).name).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > 200:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: 200 - len(suffix) - 1] + dot + suffix) if dot and len(suffix) < 20 else name[:200]
    return name or "upload"


def storage_suffix(filename: str) -> str:
    """The extension the stored file keeps, so that an admin browsing storage knows what it is."""
    extension = matching_type(filename)
    return f".{extension}" if extension else ""


def size_label(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < MEGABYTE:
        return f"{size / 1024:.1f} KB"
    return f"{size / MEGABYTE:.1f} MB"


def too_large_message(size: int | None = None) -> str:
    limit = settings.HIRELOOP_TAKE_HOME_MAX_UPLOAD_MB
    if size is None:
        return f"The file is larger than the {limit} MB limit. Upload a smaller file or share a repository URL."
    return (
        f"The file is {size_label(size)}; the limit is {limit} MB. "
        "Upload a smaller file or share a repository URL."
    )


def wrong_type_message(filename: str) -> str:
    return f"“{clean_filename(filename)}” is not an accepted file type. Accepted: {allowed_types_label()}."


@dataclass(frozen=True)
class CheckedUpload:
    extension: str
    content_type: str
    original_filename: str


def check_upload(upload: Any) -> tuple[CheckedUpload | None, list[str]]:
    """Return the upload's type, or the problems found with it, in the words the candidate will read."""
    name = upload.name or ""
    extension = matching_type(name)
    if extension is None:
        return None, [wrong_type_message(name)]
    if upload.size > max_upload_bytes():
        return None, [too_large_message(upload.size)]
    if upload.size == 0:
        return None, ["The file is empty."]
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    problem = _content_problem(extension, head, complete=upload.size <= SNIFF_BYTES)
    if problem:
        return None, [problem]
    content_type = CONTENT_TYPES.get(extension, "application/octet-stream")
    return CheckedUpload(extension=extension, content_type=content_type, original_filename=clean_filename(name)), []


def _content_problem(extension: str, head: bytes, *, complete: bool) -> str | None:
    signatures = SIGNATURES.get(extension)
    if signatures is not None:
        if not head.startswith(signatures):
            return f"The file's content is not a valid .{extension} file. Check that you picked the right file."
        return None
    if extension in TEXT_TYPES:
        if b"\x00" in head:
            return f"The file is not a text file, as a .{extension} file must be."
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
        except UnicodeDecodeError:
            return f"The .{extension} file is not UTF-8 text."
        if extension == "ipynb" and not head.lstrip().startswith(b"{"):
            return "The .ipynb file is not a Jupyter notebook (it should be JSON)."
        if extension == "ipynb" and complete:
            try:
                json.loads(head)
            except ValueError:
                return "The .ipynb file is not a Jupyter notebook (it should be JSON)."
    return None


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading a file as soon as it passes the limit, so an oversized upload never fills a disk.

    It must come first in ``request.upload_handlers``: skipping the file
    drops what the later handlers buffered too. The form's other fields are
    still parsed, and ``oversized`` tells the view what happened.
    """

    def __init__(self, request: Any = None, limit: int | None = None) -> None:
        super().__init__(request)
        self.limit = max_upload_bytes() if limit is None else limit
        self.oversized = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.oversized = True
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
