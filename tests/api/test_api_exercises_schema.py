"""Schemathesis on the exercise and take-home endpoints, with real objects behind their paths.

The whole-API run (test_api_schema.py) meets no take-home, so its requests here stop at 404; this run gives
the generated requests a take-home with a submitted file, a live interview and an exercise of the loop's
role, as the reviewer, a recruiter and an admin (the only one who edits the library).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from schemathesis import GenerationMode

from hiring.accounts.tokens import api_token_create
from tests.api.test_api_schema import _operations, _run
from tests.exercises.factories import make_take_home, submit, take_home_exercise, zip_upload
from tests.hiring.factories import UserFactory, make_interview, make_loop

PREFIXES = ("/api/v1/exercises/", "/api/v1/take-homes/", "/api/v1/take-home-submissions/")


@pytest.fixture
def wsgi_app(settings, tmp_path, wsgi_app_in_test_transaction: Any) -> Any:
    """The real WSGI application inside the test's transaction (see tests/api/conftest.py), files in tmp_path."""
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                     "OPTIONS": {"location": str(tmp_path)}}}
    return wsgi_app_in_test_transaction


@pytest.mark.timeout(300)
def test_api_exercises_schemathesis_on_real_objects(db, wsgi_app: Any) -> None:
    """Generated requests (valid and invalid) never get a 5xx, and every answer is as the schema says."""
    loop = make_loop()
    interview = make_interview(loop=loop, starts_in=timedelta(days=1))
    assignment, token = make_take_home(loop=loop)
    submission = submit(token, upload=zip_upload(), repository_url="https://github.com/c/s")
    assert assignment.reviewer is not None and loop.recruiter is not None
    users = [assignment.reviewer, loop.recruiter, UserFactory(kind="admin", username="ada")]
    tokens = [api_token_create(actor=user, name="schemathesis").plaintext for user in users]
    real_ids = {
        "/api/v1/exercises/": take_home_exercise().pk,
        "/api/v1/take-homes/": assignment.pk,
        "/api/v1/take-home-submissions/": submission.pk,
        "/api/v1/interviews/": interview.pk,
    }
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    operations = [
        operation
        for operation in _operations(schema)
        if operation.path.startswith(PREFIXES) or operation.path == "/api/v1/interviews/{id}/exercise/"
    ]
    assert len(operations) == 13

    for operation in operations:
        fixed = next(pk for prefix, pk in real_ids.items() if operation.path.startswith(prefix))
        path_parameters = {"id": fixed} if any(p.name == "id" for p in operation.path_parameters) else None
        _run(operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=path_parameters), tokens)
        _run(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE), tokens[len(operation.path) % 3:][:1])
