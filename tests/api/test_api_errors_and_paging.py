"""The one error shape, authentication failures, filters and stable pagination."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from hiring.models import Candidate
from tests.hiring.factories import CandidateFactory, UserFactory


@pytest.fixture
def recruiter_client(recruiter, api) -> APIClient:
    return api(recruiter)


def test_api_errors_unauthenticated_is_401_with_challenge(db) -> None:
    """No credentials: 401 with a Bearer challenge, in the error shape."""
    response = APIClient().get("/api/v1/loops/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
        "field_errors": {},
    }


def test_api_errors_unknown_token_is_401(db) -> None:
    """A made-up or malformed token is refused, never treated as anonymous."""
    for header in ("Bearer hl_made-up", "Bearer", "Bearer a b"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        response = client.get("/api/v1/roles/")
        assert response.status_code == 401, header
        assert response.json()["code"] == "authentication_failed"


def test_api_errors_malformed_json_is_400(recruiter_client) -> None:
    """A body that is not JSON is bad input, not a server error."""
    response = recruiter_client.post("/api/v1/candidates/", data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert set(response.json()) == {"code", "message", "field_errors"}


def test_api_errors_unknown_endpoint_is_json_404(recruiter_client) -> None:
    response = recruiter_client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No such API endpoint.", "field_errors": {}}


def test_api_errors_invalid_filter_names_the_parameter(recruiter_client) -> None:
    response = recruiter_client.get("/api/v1/loops/", {"status": "sleeping", "opened_after": "yesterday"})

    assert response.status_code == 400
    assert set(response.json()["field_errors"]) == {"status", "opened_after"}


def test_api_errors_method_not_allowed(recruiter_client) -> None:
    response = recruiter_client.delete(f"/api/v1/candidates/{CandidateFactory().pk}/")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_api_errors_page_past_the_end_is_404(recruiter_client) -> None:
    response = recruiter_client.get("/api/v1/candidates/", {"page": 9})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_api_errors_huge_ids_are_client_errors(recruiter_client) -> None:
    """Ids beyond the database's integer range are not found (path) or bad input (filter, body), never a 500."""
    assert recruiter_client.get("/api/v1/loops/99999999999999999999/").status_code == 404
    response = recruiter_client.get("/api/v1/loops/", {"candidate": 10**30})
    assert response.status_code == 400
    assert list(response.json()["field_errors"]) == ["candidate"]
    body = recruiter_client.post("/api/v1/scorecards/", {"interview": 10**30}, format="json")
    assert body.status_code == 400
    assert list(body.json()["field_errors"]) == ["interview"]


def test_api_paging_never_skips_or_repeats_rows(recruiter_client) -> None:
    """Many candidates with the same name, walked three at a time in both orders: each appears exactly once."""
    ids = {CandidateFactory(name="Sam Lee").pk for _ in range(8)}
    for ordering in ("name", "-name", "created_at", "-created_at"):
        seen: list[int] = []
        url: str | None = f"/api/v1/candidates/?ordering={ordering}&page_size=3"
        while url:
            page = recruiter_client.get(url).json()
            seen.extend(row["id"] for row in page["results"])
            url = page["next"]
        assert sorted(seen) == sorted(ids), ordering
        assert len(seen) == len(ids)
        if ordering.startswith("-"):
            assert seen == sorted(seen, reverse=True)  # ties broken by id, in the same direction


def test_api_paging_page_size_is_capped(recruiter_client) -> None:
    for _ in range(3):
        CandidateFactory()
    page = recruiter_client.get("/api/v1/candidates/", {"page_size": 100000}).json()

    assert page["count"] == Candidate.objects.count()
    assert len(page["results"]) == 3


def test_api_filters_candidates_by_email_any_case(recruiter_client) -> None:
    wanted = CandidateFactory(email="maria.silva@example.org")
    CandidateFactory(email="someone.else@example.org")

    rows = recruiter_client.get("/api/v1/candidates/", {"email": "MARIA.SILVA@example.org"}).json()["results"]

    assert [row["id"] for row in rows] == [wanted.pk]


def test_api_session_authentication_needs_csrf(db) -> None:
    """The pages' own scripts use the session; writes then need the CSRF token like any form."""
    user = UserFactory(kind="recruiter", username="rosa")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)

    assert client.get("/api/v1/users/me/").json()["username"] == "rosa"
    refused = client.post("/api/v1/candidates/", {"name": "A", "email": "a@example.org"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert not Candidate.objects.exists()
