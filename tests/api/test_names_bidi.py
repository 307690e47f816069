"""Names with direction controls or zero-width characters are refused where people type them; whatever such text
is already stored (imported, or from before the rule) is shown isolated, so it cannot reorder the page."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from hiring.accounts.tokens import api_token_create
from hiring.errors import ValidationFailed
from hiring.models import Candidate, User
from hiring.text import label_problem, strip_hidden
from tests.api.conftest import World

RLO = "\u202e"
# Stored as typed; without isolation the override runs on past the name and reverses the text after it.
SPOOFED = f"Ann {RLO}eeL"


def visible_occurrences_are_isolated(html: str, text: str) -> None:
    """Every time ``text`` is shown in the page's content, it is the whole content of a ``<bdi>``."""
    body = re.sub(r"<title>.*?</title>", "", html, flags=re.S)
    shown = body.count(text)
    assert shown > 0, "the name is not on the page"
    assert body.count(f"<bdi>{text}</bdi>") == shown, [
        body[max(0, m.start() - 60):m.end() + 20] for m in re.finditer(re.escape(text), body)
    ]


@pytest.mark.parametrize("char", ["\u202e", "\u202d", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c", "\u200b",
                                  "\u200c", "\u200d", "\u2060", "\ufeff"])
def test_every_control_and_zero_width_character_is_refused_in_a_name(char) -> None:
    assert label_problem(f"Ann{char}Lee") is not None
    assert strip_hidden(f"Ann{char}Lee") == "AnnLee"


@pytest.mark.parametrize("name", ["Ann Lee", "Siobhán Ó Briain", "李小龙", "مريم حداد", "נועה כהן", "Zoë O'Brien"])
def test_names_in_any_script_are_accepted(name) -> None:
    assert label_problem(name) is None


def test_api_refuses_a_right_to_left_override_in_a_candidates_name_on_create(world: World, api) -> None:
    before = Candidate.objects.count()

    response = api(world.recruiter).post(
        "/api/v1/candidates/", {"name": SPOOFED, "email": "spoof@example.org"}, format="json"
    )

    assert response.status_code == 400
    assert "U+202E" in response.json()["field_errors"]["name"][0]
    assert Candidate.objects.count() == before


def test_api_refuses_a_right_to_left_override_in_a_candidates_name_on_update(world: World, api) -> None:
    response = api(world.recruiter).patch(
        f"/api/v1/candidates/{world.spare_candidate.pk}/", {"name": SPOOFED}, format="json"
    )

    assert response.status_code == 400
    assert "U+202E" in response.json()["field_errors"]["name"][0]
    world.spare_candidate.refresh_from_db()
    assert world.spare_candidate.name == "Noor Haddad"


def test_api_refuses_a_zero_width_space_in_a_webhook_name(world: World, api) -> None:
    response = api(world.admin).post("/api/v1/webhook-endpoints/", {
        "kind": "webhook", "name": "ATS\u200bsync", "url": "https://example.org/hook",
        "events": ["scorecard.submitted"],
    }, format="json")

    assert response.status_code == 400
    assert "U+200B" in response.json()["field_errors"]["name"][0]


def test_page_candidate_form_refuses_the_name_on_its_field_and_keeps_it(client, recruiter) -> None:
    client.force_login(recruiter)

    response = client.post(reverse("hiring:candidate-create"), {"name": SPOOFED, "email": "spoof@example.org"})

    assert response.status_code == 400
    assert "U+202E" in response.context["form"].errors["name"][0]
    assert response.context["form"]["name"].value() == SPOOFED
    assert not Candidate.objects.filter(email="spoof@example.org").exists()


def test_api_token_name_with_an_override_is_refused(interviewer) -> None:
    with pytest.raises(ValidationFailed) as refused:
        api_token_create(actor=interviewer, name=f"ATS {RLO}cnys")

    assert "U+202E" in refused.value.field_errors["name"][0]


def test_admin_refuses_an_override_in_a_users_name(client, admin_user, interviewer) -> None:
    client.force_login(admin_user)

    response = client.post(reverse("admin:hiring_user_change", args=[interviewer.pk]), {
        "username": interviewer.username, "first_name": f"Ivy{RLO}", "last_name": "Ng", "kind": "interviewer",
        "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
    })

    assert response.status_code == 200
    assert "U+202E" in response.content.decode()
    interviewer.refresh_from_db()
    assert RLO not in interviewer.first_name


@pytest.fixture
def spoofed(world: World) -> World:
    """A candidate and an interviewer whose stored names carry an override (imported, or from before the rule)."""
    Candidate.objects.filter(pk=world.loop.candidate_id).update(name=SPOOFED)
    User.objects.filter(pk=world.submitted.pk).update(first_name="Sam", last_name=f"{RLO}semaJ")
    world.loop.refresh_from_db()
    world.submitted.refresh_from_db()
    return world


def test_pipeline_shows_the_name_isolated_so_the_row_keeps_its_order(client, spoofed: World) -> None:
    client.force_login(spoofed.recruiter)

    html = client.get(reverse("hiring:pipeline")).content.decode()

    visible_occurrences_are_isolated(html, SPOOFED)
    # The row reads name, then role, in that order: the role's cell follows the isolated name untouched.
    row = html[html.index(f"<bdi>{SPOOFED}</bdi>"):]
    assert row.index("</bdi>") < row.index(f"<td><bdi>{spoofed.loop.role.title}</bdi></td>")


def test_loop_page_heading_keeps_its_order(client, spoofed: World) -> None:
    client.force_login(spoofed.recruiter)

    html = client.get(reverse("hiring:loop-detail", args=[spoofed.loop.pk])).content.decode()

    visible_occurrences_are_isolated(html, SPOOFED)
    # Name, separator, role: in that order in the heading's source, each part isolated from the others.
    assert f"<h1><bdi>{SPOOFED}</bdi> · <bdi>{spoofed.loop.role.title}</bdi></h1>" in re.sub(r"\s+", " ", html)


def test_candidate_summary_and_committee_page_isolate_names(client, spoofed: World) -> None:
    client.force_login(spoofed.committee)

    summary = client.get(reverse("hiring:candidate-summary", args=[spoofed.loop.candidate_id])).content.decode()
    committee = client.get(reverse("scorecards:committee-loop", args=[spoofed.loop.pk])).content.decode()

    for html in (summary, committee):
        visible_occurrences_are_isolated(html, SPOOFED)
    # The interviewer's name, too, wherever the committee sees the panel.
    visible_occurrences_are_isolated(committee, spoofed.submitted.display_name)


def test_email_html_part_isolates_the_name(spoofed: World) -> None:
    html = render_to_string("hiring/email/loop_ready.html", {
        "recipient": spoofed.committee, "loop": spoofed.loop, "scorecard_count": 1, "interviews": [],
    })

    assert f"<strong><bdi>{SPOOFED}</bdi></strong>" in html


def test_free_text_keeps_what_was_typed_and_is_shown_isolated(client, world: World, api) -> None:
    """Evidence is not refused for an override (that would lose a paragraph of work): it is kept and isolated."""
    evidence = f"Said {RLO}latency budgets matter"
    card = world.submitted_card
    rating = card.ratings.all()[0]
    rating.evidence = evidence
    rating.save()
    client.force_login(world.committee)

    html = client.get(reverse("scorecards:committee-loop", args=[world.loop.pk])).content.decode()

    assert f"<bdi>{evidence}</bdi>" in html
