"""Greenhouse's and Lever's APIs as their documentation describes them, served on 127.0.0.1 for the fetch tests.

Greenhouse (Harvest, "Pagination", "Rate limiting"): ``per_page``/``page``,
a ``Link`` header with ``next`` and ``last``, ``X-RateLimit-Limit`` requests per
10-second window and ``X-RateLimit-Remaining``; past the limit a 429 with
``Retry-After``. Lever ("Pagination", "Rate Limits"): ``limit`` and an opaque
``offset`` token, ``{"data", "hasNext", "next"}``; past its bucket a 429. Both
check Basic auth with the key as the user name. Time is a ``VirtualClock``
the client's sleeps advance, so the tests wait for nothing.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

API_KEY = "test-key-0123456789"


@dataclass
class VirtualClock:
    now: float = 1_800_000_000.0
    slept: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def time(self) -> float:
        return self.now


@dataclass
class Vendor:
    """What the server serves and how it misbehaves."""

    source: str
    clock: VirtualClock
    lists: dict[str, list[dict[str, Any]]]  # path after /v1/ -> records
    page_size: int = 2
    rate_limit: int = 1000  # requests per window
    window: float = 10.0
    # (path, page number from 1) -> statuses to answer first, one per request: 429, 503, 500...
    faults: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    window_start: float = 0.0
    window_count: int = 0


def pages_of(path: Path) -> Iterator[Any]:
    decoder, text, position = json.JSONDecoder(), path.read_text(), 0
    while position < len(text):
        while position < len(text) and text[position].isspace():
            position += 1
        if position < len(text):
            page, position = decoder.raw_decode(text, position)
            yield page


def greenhouse_lists(directory: Path) -> dict[str, list[dict[str, Any]]]:
    return {name: [r for page in pages_of(directory / f"{name}.json") for r in page]
            for name in ("jobs", "users", "candidates", "applications", "scheduled_interviews", "scorecards")}


def lever_lists(directory: Path) -> dict[str, list[dict[str, Any]]]:
    lists: dict[str, list[dict[str, Any]]] = {}
    for name in ("users", "postings", "opportunities"):
        lists[name] = [r for page in pages_of(directory / f"{name}.json") for r in page["data"]]
    for opportunity in lists["opportunities"]:
        for name in ("interviews", "feedback"):
            lists[f"opportunities/{opportunity['id']}/{name}"] = []
    for name in ("interviews", "feedback"):
        for page in pages_of(directory / f"{name}.json"):
            lists[f"opportunities/{page['opportunity']}/{name}"].extend(page["data"])
    return lists


class _Handler(BaseHTTPRequestHandler):
    vendor: Vendor

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        vendor = self.vendor
        parts = urlsplit(self.path)
        vendor.requests.append(self.path)
        expected = "Basic " + base64.b64encode(f"{API_KEY}:".encode()).decode()
        if self.headers.get("Authorization") != expected:
            return self._send(401, {"message": "Invalid Basic Auth credentials"})
        path = parts.path.removeprefix("/v1/")
        if path not in vendor.lists:
            return self._send(404, {"message": "Not found"})
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        records = vendor.lists[path]
        if vendor.source == "greenhouse":
            size = min(int(query.get("per_page", 100)), vendor.page_size)
            page = int(query.get("page", 1))
        else:
            size = min(int(query.get("limit", 100)), vendor.page_size)
            page = int(query["offset"].removeprefix("tok-")) // size + 1 if "offset" in query else 1
        fault = vendor.faults.get((path, page))
        if fault:
            status = fault.pop(0)
            headers = {"Retry-After": "3"} if status == 429 and vendor.source == "greenhouse" else {}
            return self._send(status, {"message": "try later"}, headers)
        if vendor.clock.now >= vendor.window_start + vendor.window:
            vendor.window_start, vendor.window_count = vendor.clock.now, 0
        vendor.window_count += 1
        if vendor.window_count > vendor.rate_limit:
            wait = int(vendor.window_start + vendor.window - vendor.clock.now) + 1
            return self._send(429, {"message": "rate limited"}, {"Retry-After": str(wait)})
        start = (page - 1) * size
        chunk, more = records[start:start + size], start + size < len(records)
        headers = {"X-RateLimit-Limit": str(vendor.rate_limit),
                   "X-RateLimit-Remaining": str(max(0, vendor.rate_limit - vendor.window_count))}
        if vendor.source == "greenhouse":
            base = f"http://{self.headers['Host']}/v1/{path}"
            links = []
            if more:
                links.append(f'<{base}?{urlencode({"page": page + 1, "per_page": size})}>; rel="next"')
            last = max(1, -(-len(records) // size))
            links.append(f'<{base}?{urlencode({"page": last, "per_page": size})}>; rel="last"')
            headers["Link"] = ", ".join(links)
            return self._send(200, chunk, headers)
        body: dict[str, Any] = {"data": chunk, "hasNext": more}
        if more:
            body["next"] = f"tok-{start + size}"
        return self._send(200, body, headers)

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


@contextmanager
def serve(vendor: Vendor) -> Iterator[str]:
    """The vendor's API on 127.0.0.1 (a free port); yields its base URL."""
    handler = type("Handler", (_Handler,), {"vendor": vendor})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
