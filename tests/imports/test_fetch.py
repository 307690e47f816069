"""--fetch against local servers speaking the vendors' documented protocols: pagination, rate limits, retries,
resuming an interrupted fetch; the fetched files import exactly as the vendors' own files do."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management.base import CommandError

from imports.fetch import FetchError, fetch_history
from imports.fetch.client import ApiClient, check_base_url
from imports.fetch.download import STATE_FILE, WINDOWS
from tests.hiring.factories import UserFactory
from tests.imports.helpers import FILES, run_import, snapshot
from tests.imports.vendor_server import (
    API_KEY,
    Vendor,
    VirtualClock,
    greenhouse_lists,
    lever_lists,
    pages_of,
    serve,
)

GREENHOUSE_FILES = ("jobs", "users", "candidates", "applications", "scheduled_interviews", "scorecards")


def client(base_url: str, source: str, clock: VirtualClock, *, key: str = API_KEY, attempts: int = 8) -> ApiClient:
    return ApiClient(base_url=base_url, api_key=key, window_seconds=WINDOWS[source], max_attempts=attempts,
                     sleep=clock.sleep, wall_clock=clock.time)


def records(directory: Path, name: str, source: str) -> list[dict]:
    pages = list(pages_of(directory / f"{name}.json"))
    return [r for page in pages for r in (page if source == "greenhouse" else page["data"])]


def test_fetch_greenhouse_follows_link_headers_and_waits_out_rate_limits(tmp_path):
    clock = VirtualClock()
    vendor = Vendor("greenhouse", clock, greenhouse_lists(FILES / "greenhouse"), page_size=2, rate_limit=5,
                    faults={("scorecards", 2): [429, 503]})
    with serve(vendor) as base:
        pages = fetch_history(source="greenhouse", directory=tmp_path, api_key=API_KEY,
                              client=client(base, "greenhouse", clock))

    for name in GREENHOUSE_FILES:
        assert records(tmp_path, name, "greenhouse") == vendor.lists[name]
    # Each page as the API returned it, one after the other.
    assert [len(page) for page in pages_of(tmp_path / "scorecards.json")] == [2, 2]
    assert pages == 11
    scorecard_requests = [r for r in vendor.requests if r.startswith("/v1/scorecards")]
    assert scorecard_requests == ["/v1/scorecards?per_page=500", "/v1/scorecards?page=2&per_page=2",
                                  "/v1/scorecards?page=2&per_page=2", "/v1/scorecards?page=2&per_page=2"]
    # A wait for the next 10-second window whenever X-RateLimit-Remaining said 0 (after the fifth and the tenth
    # page), so no 429 of its own making; then the 429's Retry-After (3 s) and, on the second attempt, 2 s of
    # backoff after the 503.
    assert clock.slept == [10.0, 10.0, 3.0, 2.0]
    assert not (tmp_path / STATE_FILE).exists()


@pytest.mark.django_db
def test_fetch_greenhouse_then_import_is_the_same_history(tmp_path, rubrics):
    UserFactory(username="kate", email="kate.austen@example.com")
    clock = VirtualClock()
    vendor = Vendor("greenhouse", clock, greenhouse_lists(FILES / "greenhouse"), page_size=1)
    with serve(vendor) as base:
        fetch_history(source="greenhouse", directory=tmp_path, api_key=API_KEY,
                      client=client(base, "greenhouse", clock))
    shutil.copy(FILES / "greenhouse" / "mapping.yaml", tmp_path / "mapping.yaml")
    run_import(tmp_path)
    fetched = snapshot()
    # The same rows as the vendor's files give (ids aside: compare the values).
    assert [row[1:] for row in fetched["scorecards"]] == [
        ("no", "Solid design, shaky on evaluation.", "211231"), ("strong_no", "", "211232"),
        ("", "", "211233"), ("yes", "", "211234"),
    ]
    assert len(fetched["ratings"]) == 9


def test_fetch_greenhouse_resumes_after_an_interruption(tmp_path):
    clock = VirtualClock()
    lists = greenhouse_lists(FILES / "greenhouse")
    vendor = Vendor("greenhouse", clock, lists, page_size=1, faults={("scorecards", 3): [500, 500, 500]})
    with serve(vendor) as base:
        with pytest.raises(FetchError) as stopped:
            fetch_history(source="greenhouse", directory=tmp_path, api_key=API_KEY,
                          client=client(base, "greenhouse", clock, attempts=3))
        assert str(stopped.value) == "gave up on /v1/scorecards after 3 attempts (last: 500 server error)"
        assert (tmp_path / STATE_FILE).exists()
        assert len(records(tmp_path, "scorecards", "greenhouse")) == 2

        vendor.requests.clear()  # the server is healthy again (its faults are spent)
        fetch_history(source="greenhouse", directory=tmp_path, api_key=API_KEY,
                      client=client(base, "greenhouse", clock))

    # Resumed at the page that failed: nothing fetched twice, nothing missing.
    assert vendor.requests == ["/v1/scorecards?page=3&per_page=1", "/v1/scorecards?page=4&per_page=1"]
    for name in GREENHOUSE_FILES:
        assert records(tmp_path, name, "greenhouse") == lists[name]
    assert not (tmp_path / STATE_FILE).exists()


def test_fetch_keeps_no_page_written_after_the_last_saved_cursor(tmp_path):
    """A page appended but not yet recorded in the cursor (killed in between) is fetched again, not kept twice."""
    clock = VirtualClock()
    lists = greenhouse_lists(FILES / "greenhouse")
    vendor = Vendor("greenhouse", clock, lists, page_size=1, faults={("users", 2): [500] * 3})
    with serve(vendor) as base:
        with pytest.raises(FetchError):
            fetch_history(source="greenhouse", directory=tmp_path, api_key=API_KEY,
                          client=client(base, "greenhouse", clock, attempts=3))
        with (tmp_path / "users.json").open("a") as half_written:
            half_written.write('[{"id": 821, "name": "half a page')
        vendor.requests.clear()
        fetch_history(source="greenhouse", directory=tmp_path, api_key=API_KEY,
                      client=client(base, "greenhouse", clock))

    assert vendor.requests[0] == "/v1/users?page=2&per_page=1"
    assert records(tmp_path, "users", "greenhouse") == lists["users"]


@pytest.mark.django_db
def test_fetch_lever_follows_offsets_per_opportunity_then_imports(tmp_path, rubrics):
    UserFactory(username="rachel", email="rachel@example.com")
    clock = VirtualClock()
    vendor = Vendor("lever", clock, lever_lists(FILES / "lever"), page_size=1,
                    faults={("opportunities", 2): [429, 502]})
    with serve(vendor) as base:
        fetch_history(source="lever", directory=tmp_path, api_key=API_KEY, client=client(base, "lever", clock))

    opportunity = "250d8f03-738a-4bba-a671-8a3d73477145"
    assert [r for r in vendor.requests if r.startswith(f"/v1/opportunities/{opportunity}/feedback")] == [
        f"/v1/opportunities/{opportunity}/feedback?limit=100",
        f"/v1/opportunities/{opportunity}/feedback?limit=100&offset=tok-1",
    ]
    assert [r for r in vendor.requests if r.startswith("/v1/opportunities?")][:3] == [
        "/v1/opportunities?limit=100&expand=applications",
        "/v1/opportunities?limit=100&expand=applications&offset=tok-1",
        "/v1/opportunities?limit=100&expand=applications&offset=tok-1",
    ]
    # Lever's 429 carries no Retry-After: exponential backoff, then again after the 502.
    assert clock.slept == [1.0, 2.0]
    assert {page["opportunity"] for page in pages_of(tmp_path / "feedback.json")} == {
        opportunity, "5c86dd50-0a5d-4ad3-b5d9-4bd1cb1e9a27", "9e9e9e9e-3333-4444-8555-966677778888"}

    shutil.copy(FILES / "lever" / "mapping.yaml", tmp_path / "mapping.yaml")
    run_import(tmp_path, "lever")
    assert [row[3] for row in snapshot()["scorecards"]] == [
        "e1e1e1e1-0001-4000-8000-000000000001", "e1e1e1e1-0001-4000-8000-000000000002",
        "e1e1e1e1-0001-4000-8000-000000000003",
    ]


def test_fetch_with_a_refused_key_says_so(tmp_path):
    clock = VirtualClock()
    with serve(Vendor("greenhouse", clock, greenhouse_lists(FILES / "greenhouse"))) as base:
        with pytest.raises(FetchError) as refused:
            fetch_history(source="greenhouse", directory=tmp_path, api_key="wrong",
                          client=client(base, "greenhouse", clock, key="wrong"))
    assert str(refused.value) == ("401 from /v1/jobs: the API key was refused: check it, and that it may read "
                                  "these endpoints")


@pytest.mark.django_db
def test_import_history_fetch_command(tmp_path, rubrics, monkeypatch):
    monkeypatch.setenv("GREENHOUSE_API_KEY", API_KEY)
    vendor = Vendor("greenhouse", VirtualClock(), greenhouse_lists(FILES / "greenhouse"), page_size=500)
    shutil.copy(FILES / "greenhouse" / "mapping.yaml", tmp_path / "mapping.yaml")
    with serve(vendor) as base:
        drafted = run_import(tmp_path, "greenhouse", "--fetch", "--api-url", base, "--suggest-mapping")
        output = run_import(tmp_path, "greenhouse", "--fetch", "--api-url", base)
    # The draft alone goes to stdout, so it can be redirected into the mapping file.
    assert yaml.safe_load(drafted)["jobs"]["6404"]["role"] == "applied-ai-engineer"
    assert re.search(r"Greenhouse import #\d+ done in", output)
    assert vendor.requests[0] == "/v1/jobs?per_page=500"
    assert vendor.requests.count("/v1/jobs?per_page=500") == 2  # each --fetch fetches afresh


@pytest.mark.django_db
def test_import_history_fetch_needs_the_key(tmp_path, monkeypatch):
    monkeypatch.delenv("LEVER_API_KEY", raising=False)
    with pytest.raises(CommandError, match="--fetch needs the API key in the environment variable LEVER_API_KEY"):
        run_import(tmp_path, "lever", "--fetch")


@pytest.mark.parametrize("url", ["http://harvest.example.com/v1", "ftp://127.0.0.1/v1"])
def test_fetch_refuses_to_send_the_key_unencrypted(url):
    with pytest.raises(FetchError):
        check_base_url(url)


def test_fetch_follows_no_link_to_another_host(tmp_path):
    clock = VirtualClock()
    api = client("http://127.0.0.1:9/v1", "greenhouse", clock)
    with pytest.raises(FetchError, match="the API sent a link to another host"):
        api.get("http://evil.example.com/v1/jobs?page=2")
