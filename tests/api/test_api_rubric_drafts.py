"""Rubric drafts over the API: a rubric editor reads, saves, publishes; versions and their diffs are read by all."""

from __future__ import annotations

import pytest

from scorecards.models import Rubric, RubricDraft
from tests.hiring.factories import UserFactory
from tests.scorecards.factories import rubric_editors_group

pytestmark = pytest.mark.django_db
SLUG = "applied-ai-engineer"


def test_an_editor_saves_and_publishes_a_draft_and_everyone_reads_the_diff(api, rubrics):
    editor = UserFactory(kind="interviewer")
    editor.groups.add(rubric_editors_group())
    client = api(editor)
    draft = client.get(f"/api/v1/rubric-drafts/{SLUG}/").json()
    assert draft["revision"] == 1 and draft["based_on"]["version"] == 1
    assert all(section["status"] == "same" for section in draft["diff"])

    document = draft["document"]
    document["rubric"]["dimensions"][0]["weight"] = 30
    refused = client.put(f"/api/v1/rubric-drafts/{SLUG}/", {"revision": 1, "document": document}, format="json")
    assert refused.status_code == 400
    assert refused.json()["field_errors"]["rubric.dimensions"] == [
        "percent weights must add up to 100, they add up to 110"
    ]
    assert RubricDraft.objects.get().revision == 1

    document["rubric"]["dimensions"][0]["weight"] = 20
    document["rubric"]["dimensions"][0]["anchors"]["2"]["text"] = "Tests only the happy path."
    saved = client.put(f"/api/v1/rubric-drafts/{SLUG}/", {"revision": 1, "document": document}, format="json")
    assert saved.status_code == 200 and saved.json()["revision"] == 2
    stale = client.put(f"/api/v1/rubric-drafts/{SLUG}/", {"revision": 1, "document": document}, format="json")
    assert stale.status_code == 409

    no_note = client.post(f"/api/v1/rubric-drafts/{SLUG}/publish/", {"revision": 2, "change_note": ""}, format="json")
    assert no_note.status_code == 400 and "change_note" in no_note.json()["field_errors"]
    published = client.post(
        f"/api/v1/rubric-drafts/{SLUG}/publish/", {"revision": 2, "change_note": "Point 2 described."}, format="json"
    )
    assert published.status_code == 201 and published.json()["version"] == 2

    reader = api(UserFactory(kind="interviewer"))
    v2 = Rubric.objects.get(role__slug=SLUG, version=2)
    diff = reader.get(f"/api/v1/rubrics/{v2.pk}/diff/").json()
    assert (diff["from_version"], diff["to_version"], diff["change_note"]) == (1, 2, "Point 2 described.")
    changed = [s for s in diff["sections"] if s["status"] != "same"]
    assert [s["title"] for s in changed] == ["Dimension: Software engineering"]
    assert [r for r in changed[0]["rows"] if r["changed"]] == [
        {"label": "Anchor 2", "before": changed[0]["rows"][4]["before"], "after": "Tests only the happy path. (team)",
         "changed": True}
    ]
    detail = reader.get(f"/api/v1/rubrics/{v2.pk}/").json()
    assert detail["dimensions"][0]["key"] == "software-engineering"
    assert detail["dimensions"][0]["anchors"]["2"] == {"text": "Tests only the happy path.", "source": "team"}
    assert reader.get(f"/api/v1/rubrics/{v2.pk}/diff/?against=abc").status_code == 400
    assert reader.get(f"/api/v1/rubrics/{v2.pk - 1}/diff/").status_code == 404  # v1 has no earlier version
