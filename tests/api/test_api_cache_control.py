"""Every answer of the data API says `Cache-Control: no-store`, errors included; the schema and its docs page
may be kept but are revalidated.

API answers carry candidates' personal data and differ by caller: no browser, proxy or CDN may keep one.
Errors too: a 404 or 403 stored by a shared cache would be served to the next caller of the same URL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import World

Request = Callable[[World, Callable[..., APIClient]], Any]

CASES: dict[str, tuple[Request, int]] = {
    "list": (lambda w, api: api(w.recruiter).get("/api/v1/candidates/"), 200),
    "detail": (lambda w, api: api(w.recruiter).get(f"/api/v1/candidates/{w.spare_candidate.pk}/"), 200),
    "create": (lambda w, api: api(w.recruiter).post(
        "/api/v1/candidates/", {"name": "Amara Obi", "email": "amara.obi@example.org"}, format="json"), 201),
    "export (personal data)": (
        lambda w, api: api(w.admin).get(f"/api/v1/candidates/{w.spare_candidate.pk}/export/"), 200),
    "invalid filter": (lambda w, api: api(w.recruiter).get("/api/v1/loops/", {"opened_after": "soon"}), 400),
    "no credentials": (lambda w, api: api(None).get("/api/v1/candidates/"), 401),
    "refused": (lambda w, api: api(w.pending).get("/api/v1/audit-events/"), 403),
    "not visible": (lambda w, api: api(w.outsider).get(f"/api/v1/scorecards/{w.pending_draft.pk}/"), 404),
    "unknown endpoint": (lambda w, api: api(w.recruiter).get("/api/v1/no-such-thing/"), 404),
    "outside v1": (lambda w, api: api(w.recruiter).get("/api/no-such-version/"), 404),
    "method not allowed": (lambda w, api: api(w.recruiter).delete(
        f"/api/v1/candidates/{w.spare_candidate.pk}/"), 405),
    "stale state": (lambda w, api: api(w.committee).get(
        f"/api/v1/calibration-reports/{w.report.pk}/download/pdf/"), 409),
    "missing slash (redirect)": (lambda w, api: api(w.recruiter).get("/api/v1"), 301),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_api_every_response_is_no_store(world: World, api, case) -> None:
    """Successes, refusals and errors alike: nothing under /api/v1/ may be stored by any cache."""
    send, status = case

    response = send(world, api)

    assert response.status_code == status
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("path", "query"), [
    ("/api/schema/", {}),
    ("/api/docs/", {}),
    ("/api/docs/", {"script": ""}),
])
def test_api_schema_and_docs_may_be_kept_but_are_revalidated(db, path, query) -> None:
    """The schema and docs hold no personal data and are the same for everyone, but change with each deploy
    (no versioned URL) and the docs page carries a per-response CSP nonce: kept, never reused unchecked."""
    response = APIClient().get(path, query)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
