"""/api/docs/ is the API reference rendered on the server from the OpenAPI schema."""

from __future__ import annotations

from django.test import Client


def test_api_docs_list_every_operation_with_its_parameters_and_responses(db) -> None:
    response = Client().get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en-gb">' in html
    assert html.count("data-api-operation") >= 30
    assert "/api/v1/scorecards/{id}/submit/" in html
    assert 'id="schema-Scorecard"' in html  # the schemas the operations link to are on the page
    assert "<script" not in html  # nothing to run: it works without JavaScript
