"""Classification in one place, and no personal data in any log line of a full loop."""

from __future__ import annotations

import io
import logging
from collections import OrderedDict

import pytest
from django.core.management import call_command
from django.urls import reverse

from hiring import logging as personal_data_filter
from hiring.logging import PersonalDataFilter, redact, remember_personal_values
from privacy.registry import unclassified_fields
from tests.trust.seeding import seed_candidate

TOKEN = "Zx81kPq0VbN2mW7rT4yLs9Hc"


@pytest.fixture(autouse=True)
def only_this_tests_personal_values(monkeypatch):
    """The filter remembers every personal value its process held, and the test process holds what every earlier
    test made: Schemathesis, for one, fills personal fields with ordinary words ("status"), which would then
    be redacted from the lines these tests compare. Each test here starts with none and leaves the others'."""
    monkeypatch.setattr(personal_data_filter, "_known", OrderedDict())
    monkeypatch.setattr(personal_data_filter, "_pattern", None)


def test_the_log_filter_redacts_take_home_tokens_in_request_lines():
    line = f'"GET /take-home/{TOKEN}/?download=1 HTTP/1.1" 200 5120'
    assert redact(line) == '"GET /take-home/[redacted]/?download=1 HTTP/1.1" 200 5120'


def test_the_log_filter_redacts_what_was_searched_for_in_request_lines():
    """A search is a GET: a surname or an URL-encoded email typed in a search box sits in the request line."""
    page = '"GET /candidates/?q=Novak&page=2 HTTP/1.1" 200 5120'
    assert redact(page) == '"GET /candidates/?q=[redacted]&page=2 HTTP/1.1" 200 5120'
    api = '"GET /api/v1/candidates/?source=Referral&search=alex.morgan%40example.org HTTP/1.1" 200 512'
    assert redact(api) == '"GET /api/v1/candidates/?source=Referral&search=[redacted] HTTP/1.1" 200 512'
    admin = '"GET /admin/hiring/candidate/?q=Bea+Novak HTTP/1.1" 200 9000'
    assert redact(admin) == '"GET /admin/hiring/candidate/?q=[redacted] HTTP/1.1" 200 9000'
    others = '"GET /pipeline/?quality=high&status=open&role=junior-applied-ai-engineer HTTP/1.1" 200 800'
    assert redact(others) == others


def test_the_log_filter_redacts_sign_in_codes_and_states_in_request_lines():
    """The identity provider's answer carries a one-time code in the URL; the access log must not keep it."""
    line = '"GET /accounts/oidc/callback/?code=Xq3-9zz&state=Ab12&iss=https%3A%2F%2Fidp HTTP/1.1" 302 0'
    assert redact(line) == (
        '"GET /accounts/oidc/callback/?code=[redacted]&state=[redacted]&iss=https%3A%2F%2Fidp HTTP/1.1" 302 0'
    )


def test_every_text_field_of_hireloop_is_classified_as_personal_or_not():
    """A new text/JSON/URL/file field fails here until hiring/privacy.py says whether it is personal data."""
    assert unclassified_fields() == []


def test_the_log_filter_redacts_emails_phones_and_known_values():
    remember_personal_values(["Ottilie Brandstrup"])
    text = redact("Ottilie Brandstrup <ottilie@example.org> called from +45 31 22 40 19 about loop 12")
    assert text == "[redacted] <[redacted]> called from [redacted] about loop 12"


def test_a_full_loop_writes_no_personal_data_to_the_logs(db, client, committee_member, admin_user, settings,
                                                          tmp_path):
    """Everything from adding the candidate to the decision, pages, a failed sign-in, export and erasure,
    logged at DEBUG through the configured handlers: none of the candidate's values appears."""
    settings.MEDIA_ROOT = tmp_path
    root = logging.getLogger()
    handlers = [h for h in root.handlers if any(isinstance(f, PersonalDataFilter) for f in h.filters)]
    assert handlers, "settings.LOGGING must attach the personal data filter to its handlers"
    captured = io.StringIO()
    streams = [h.setStream(captured) for h in handlers]  # type: ignore[attr-defined]
    levels = {name: logging.getLogger(name).level for name in ("", "django", "django.request", "celery", "hiring")}
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        seeded = seed_candidate(committee=committee_member)
        client.force_login(admin_user)
        client.get(reverse("hiring:candidate-list"), {"q": seeded.values["name"]})
        client.get(reverse("hiring:candidate-detail", args=[seeded.candidate.pk]))
        client.get(reverse("hiring:candidate-detail", args=[999_999]))  # a 404 is logged with its path
        client.get(reverse("exercises:take-home", args=[TOKEN]))  # so is a take-home link's token
        client.logout()
        client.post(reverse("login"), {"username": seeded.values["email"], "password": "nope"})
        # A careless line written by code that should not have: the filter still catches it.
        logging.getLogger("hireloop.careless").warning("Candidate %s <%s>", seeded.values["name"],
                                                       seeded.values["email"])
        call_command("candidate_export", str(seeded.candidate.pk), stdout=io.StringIO())
        call_command("candidate_erase", str(seeded.candidate.pk), "--yes", stdout=io.StringIO())
    finally:
        for handler, stream in zip(handlers, streams, strict=True):
            handler.setStream(stream)  # type: ignore[attr-defined]
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    output = captured.getvalue()
    assert "hireloop.careless Candidate [redacted] <[redacted]>" in output
    assert "Not Found: /candidates/999999/" in output
    assert "/take-home/[redacted]/" in output and TOKEN not in output
    leaked = [value for value in seeded.needles if value.lower() in output.lower()]
    assert leaked == []
