"""The OpenAPI schema: valid, complete, served with its docs page, and honoured by the live API (Schemathesis)."""

from __future__ import annotations

import time
from typing import Any

import pytest
import schemathesis
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.test import APIClient
from schemathesis import APIOperation, BaseSchema, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from exercises.models import Exercise
from hiring.accounts.tokens import api_token_create
from tests.api.conftest import World

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Per operation and generation mode: valid cases go out with every role's token, invalid ones with one role's
# (each operation's in turn), so a run is about 15 requests per operation.
EXAMPLES = 3
ERROR_CODES = {"400", "401", "403", "404", "409", "429"}


def _schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_api_schema_is_valid_openapi_3(db) -> None:
    schema = _schema()

    validate_schema(schema)
    assert schema["openapi"].startswith("3.")


def test_api_schema_documents_errors_and_auth_everywhere(db) -> None:
    """Every operation documents 401 and its other error codes in the one error shape, and both auth schemes."""
    schema = _schema()
    assert set(schema["components"]["securitySchemes"]) == {"apiToken", "cookieAuth"}
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"code", "message", "field_errors"}
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) >= 30
    for path, method, operation in operations:
        where = f"{method.upper()} {path}"
        assert "401" in operation["responses"], where
        assert "Retry-After" in operation["responses"]["429"]["headers"], where
        assert operation.get("summary") or operation.get("description"), where
        for code, response in operation["responses"].items():
            if code in ERROR_CODES:
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, (
                    where, code
                )
                assert response["description"], (where, code)
        if method in ("post", "put", "patch"):
            assert {"400", "403"} <= set(operation["responses"]), where


def test_api_schema_served_and_docs_page_renders(db) -> None:
    """/api/schema/ serves the schema; /api/docs/ is the server-rendered reference (config/api/docs.py, which
    replaced Swagger UI for accessibility): one article per operation of the schema, no script, no CDN."""
    client = APIClient()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Hireloop API"

    page = client.get("/api/docs/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="' in html
    assert "<h1>Hireloop API" in html
    # One article per operation under each of its tags (every operation has one here).
    operations = [(method, path, len(item[method].get("tags") or ["api"]))
                  for path, item in schema.json()["paths"].items()
                  for method in ("get", "post", "put", "patch", "delete") if method in item]
    assert len(operations) >= 30
    assert html.count("data-api-operation") == sum(tags for _, _, tags in operations)
    missing = [f"{method.upper()} {path}" for method, path, _ in operations
               if f'<span class="api-method api-{method}">{method.upper()}</span> <code>{path}</code>' not in html]
    assert missing == []
    assert "<script" not in html
    assert "swagger" not in html.lower()
    assert "cdn" not in html.lower()


def _real_ids(world: World) -> dict[str, dict[str, Any]]:
    """Path parameters naming objects that exist, so the run reaches past 404s into the endpoints' logic."""
    exercise = Exercise.objects.filter(role=world.loop.role).order_by("pk").first()
    assert exercise is not None
    return {
        "/api/v1/roles/": {"slug": world.loop.role.slug},
        "/api/v1/rubrics/": {"id": world.loop.rubric_id},
        "/api/v1/exercises/": {"id": exercise.pk},
        "/api/v1/users/": {"id": world.pending.pk},
        "/api/v1/candidates/": {"id": world.loop.candidate_id},
        "/api/v1/loops/": {"id": world.loop.pk, "loop_id": world.loop.pk},
        "/api/v1/interviews/": {"id": world.pending_interview.pk},
        "/api/v1/scorecards/": {"id": world.pending_draft.pk},
    }


@pytest.mark.timeout(300)  # seconds on an idle machine; generous for a loaded one
def test_api_schemathesis_live_schema_each_role(world: World, wsgi_app_in_test_transaction: Any) -> None:
    """Generated requests (valid and invalid) with a token of each kind of user (interviewer, recruiter, hiring
    committee, admin): never a 5xx, every status, header and body as the schema says."""
    roles = (world.pending, world.recruiter, world.committee, world.admin)
    tokens = [api_token_create(actor=user, name="schemathesis").plaintext for user in roles]
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app_in_test_transaction)
    real_ids = _real_ids(world)
    operations = _operations(schema)
    assert len(operations) >= 30
    started = time.monotonic()

    for operation in operations:
        fixed = next((ids for prefix, ids in real_ids.items() if operation.path.startswith(prefix)), {})
        path_parameters = {
            parameter.name: fixed[parameter.name]
            for parameter in operation.path_parameters
            if parameter.name in fixed
        } or None
        # Valid requests (on real objects where the path names one) as every role; invalid ones as each in turn.
        _run(operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=path_parameters), tokens)
        turn = len(operation.path) % len(tokens)
        _run(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE), tokens[turn:turn + 1])
    print(f"Schemathesis: {len(operations)} operations in {time.monotonic() - started:.1f}s")  # noqa: T201


def _operations(schema: BaseSchema) -> list[APIOperation]:
    """Every operation of the schema; a part it cannot read fails the test with schemathesis's own error."""
    operations = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operations.append(result.ok())
    return operations


def _run(strategy: Any, tokens: list[str]) -> None:
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,  # seeded: the same cases on every run
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case: Any) -> None:
        for token in tokens:
            with transaction.atomic():
                response = case.call(headers={"Authorization": f"Bearer {token}"})
                case.validate_response(response, checks=CHECKS)
                # Each request meets the same data: whatever it wrote is undone.
                transaction.set_rollback(True)

    check()
