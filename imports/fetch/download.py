"""Fetching a vendor's history into files, resumably: every page is appended to its endpoint's file and the
cursor (the next page's URL) saved after it, so an interrupted fetch resumes after the last page it kept.

Greenhouse pages are followed through the ``Link`` header's ``rel="next"``
(Harvest API, "Pagination"); Lever's through the ``next`` offset token its
list responses carry while ``hasNext`` is true ("Pagination"). Lever lists
interviews and feedback per opportunity; each such page is kept with the
opportunity it was asked for (``"opportunity"`` beside ``data``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from imports.fetch.client import ApiClient, FetchError
from imports.sources.reading import Problems, read_pages

STATE_FILE = ".fetch-state.json"
BASE_URLS = {"greenhouse": "https://harvest.greenhouse.io/v1", "lever": "https://api.lever.co/v1"}
# Greenhouse counts requests per 10 seconds; Lever refills its bucket every second.
WINDOWS = {"greenhouse": 10.0, "lever": 1.0}
GREENHOUSE_ENDPOINTS = ("jobs", "users", "candidates", "applications", "scheduled_interviews", "scorecards")
LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?(\w+)"?')
PAGE = re.compile(r"[?&]page=(\d+)")

Progress = Callable[[str, int, int], None]


@dataclass
class Stream:
    """One file: the URL of its first page, and whether each page is one opportunity's."""

    name: str
    first_url: str
    opportunity: str = ""


class State:
    """The cursor of an unfinished fetch, saved after every page (written whole, then renamed into place)."""

    def __init__(self, directory: Path, source: str, base_url: str) -> None:
        self.path = directory / STATE_FILE
        saved: dict[str, Any] = {}
        if self.path.exists():
            try:
                saved = json.loads(self.path.read_text())
            except (ValueError, OSError):
                saved = {}
        if saved.get("source") != source or saved.get("base_url") != base_url:
            saved = {}
        self.data: dict[str, Any] = saved or {"source": source, "base_url": base_url, "files": {}, "pages": 0}
        self.resumed = bool(saved)

    def file(self, name: str) -> dict[str, Any]:
        return self.data["files"].setdefault(name, {"bytes": 0, "next": None, "done": False, "index": 0})

    def save(self) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.data))
        os.replace(temporary, self.path)

    def finish(self) -> None:
        self.path.unlink(missing_ok=True)


def fetch_history(*, source: str, directory: Path, api_key: str, base_url: str | None = None,
                  progress: Progress | None = None, client: ApiClient | None = None) -> int:
    """Fetch every endpoint the import reads into ``directory``; returns the pages fetched by this call."""
    directory.mkdir(parents=True, exist_ok=True)
    client = client or ApiClient(base_url=base_url or BASE_URLS[source], api_key=api_key,
                                 window_seconds=WINDOWS[source])
    state = State(directory, source, client.base_url)
    fetcher = _Fetcher(client, state, directory, progress or (lambda stage, done, total: None))
    if source == "greenhouse":
        for endpoint in GREENHOUSE_ENDPOINTS:
            fetcher.stream(Stream(endpoint, f"{client.base_url}/{endpoint}?{urlencode({'per_page': 500})}"),
                           greenhouse=True)
    else:
        for endpoint, query in (("postings", {"limit": 100}), ("users", {"limit": 100}),
                                ("opportunities", {"limit": 100, "expand": "applications"})):
            fetcher.stream(Stream(endpoint, f"{client.base_url}/{endpoint}?{urlencode(query)}"), greenhouse=False)
        opportunities = list(_opportunity_ids(directory))
        for endpoint in ("interviews", "feedback"):
            fetcher.per_opportunity(endpoint, opportunities)
    state.finish()
    return fetcher.pages


def _opportunity_ids(directory: Path) -> Iterator[str]:
    problems = Problems()
    for page in read_pages(directory / "opportunities.json", problems):
        for record in page.get("data", []) if isinstance(page, dict) else []:
            if isinstance(record, dict) and isinstance(record.get("id"), str):
                yield record["id"]
    if problems.items:
        raise FetchError(f"opportunities.json as fetched is not readable: {problems.items[0]}")


class _Fetcher:
    def __init__(self, client: ApiClient, state: State, directory: Path, progress: Progress) -> None:
        self.client, self.state, self.directory, self.progress = client, state, directory, progress
        self.pages = 0

    def _open(self, name: str) -> Any:
        """The file to append to, cut back to the last page the cursor knows (a page written after the last save
        of the cursor is fetched again, not kept twice)."""
        entry = self.state.file(name)
        path = self.directory / f"{name}.json"
        handle = path.open("r+b" if path.exists() else "w+b")
        handle.truncate(entry["bytes"])
        handle.seek(entry["bytes"])
        return handle

    def _keep(self, handle: Any, name: str, body: bytes, next_url: str | None, index: int | None = None) -> None:
        handle.write(body.rstrip() + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
        entry = self.state.file(name)
        entry["bytes"] = handle.tell()
        entry["next"] = next_url
        if index is not None:
            entry["index"] = index
        self.state.data["pages"] += 1
        self.state.save()
        self.pages += 1

    def stream(self, stream: Stream, *, greenhouse: bool) -> None:
        entry = self.state.file(stream.name)
        if entry["done"]:
            return
        url: str | None = entry["next"] or stream.first_url
        done = 0
        with self._open(stream.name) as handle:
            while url:
                response = self.client.get(url)
                if greenhouse:
                    next_url, total = _greenhouse_links(response.headers.get("link", ""))
                else:
                    next_url, total = _lever_next(stream.first_url, response.body, stream.name), 0
                self._keep(handle, stream.name, response.body, next_url)
                done += 1
                self.progress(f"fetching {stream.name}", done, max(total, done + (1 if next_url else 0)))
                url = next_url
        entry["done"] = True
        self.state.save()

    def per_opportunity(self, name: str, opportunities: list[str]) -> None:
        entry = self.state.file(name)
        if entry["done"]:
            return
        base = self.client.base_url
        with self._open(name) as handle:
            for index in range(entry["index"], len(opportunities)):
                opportunity = opportunities[index]
                first = f"{base}/opportunities/{opportunity}/{name}?{urlencode({'limit': 100})}"
                url: str | None = entry["next"] if entry["index"] == index and entry["next"] else first
                while url:
                    response = self.client.get(url)
                    next_url = _lever_next(first, response.body, name)
                    page = _json(response.body, name)
                    page["opportunity"] = opportunity
                    body = json.dumps(page, ensure_ascii=False, separators=(",", ":")).encode()
                    # Finished with this opportunity: the cursor moves on to the next one.
                    self._keep(handle, name, body, next_url, index if next_url else index + 1)
                    url = next_url
                self.progress(f"fetching {name}", index + 1, len(opportunities))
        entry["done"] = True
        self.state.save()


def _json(body: bytes, name: str) -> dict[str, Any]:
    try:
        page = json.loads(body)
    except ValueError:
        raise FetchError(f"the API's answer for {name} is not JSON") from None
    if not isinstance(page, dict) or not isinstance(page.get("data"), list):
        raise FetchError(f'the API\'s answer for {name} is not a list page ({{"data": [...]}})')
    return page


def _greenhouse_links(header: str) -> tuple[str | None, int]:
    links = {rel: url for url, rel in LINK.findall(header)}
    last = PAGE.search(links.get("last", ""))
    return links.get("next"), int(last.group(1)) if last else 0


def _lever_next(first_url: str, body: bytes, name: str) -> str | None:
    page = _json(body, name)
    if not page.get("hasNext") or not page.get("next"):
        return None
    return f"{first_url}&{urlencode({'offset': page['next']})}"
