"""The benchmark's clients: the sequential client and the summary of a run, against a live server."""

from __future__ import annotations

import pytest
from django.test import override_settings

from bench.load import PreparedRequest, _summary, run_sequential


def test_bench_summary_reports_nearest_rank_percentiles_and_throughput():
    """p50 is the median, p95 the nearest rank; a run is valid only with no unexpected answer."""
    result = _summary([i / 1000 for i in range(1, 101)], 2.0, unexpected=0, exhausted=0, generator="test")
    assert (result.requests, result.p50_ms, result.p95_ms, result.p99_ms) == (100, 50.5, 95.0, 99.0)
    assert result.throughput == 50.0
    assert result.valid
    assert not _summary([0.001], 1.0, unexpected=1, exhausted=0, generator="test").valid


@pytest.mark.django_db(transaction=True)
@override_settings(ROOT_URLCONF="bench.urls")
def test_bench_sequential_client_counts_answers_other_than_expected(live_server):
    """One request after the other, at most max_requests; a 404 among 200s makes the run invalid."""
    port = int(live_server.url.rsplit(":", 1)[1])
    ok = PreparedRequest("GET", "/bench/floor/constant/")
    result = run_sequential(port=port, requests=[ok] * 10, max_requests=4, max_seconds=30, expected_status=200)
    assert result.requests == 4
    assert result.valid
    missing = PreparedRequest("GET", "/bench/floor/missing/")
    result = run_sequential(port=port, requests=[ok, missing, ok], max_requests=10, max_seconds=30,
                            expected_status=200)
    assert (result.requests, result.unexpected_status, result.valid) == (3, 1, False)
