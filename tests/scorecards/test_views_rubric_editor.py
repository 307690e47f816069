"""The rubric editor's pages: who may open them, saving with field-named errors, review and publish, queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from scorecards.models import Rubric, RubricDraft
from tests.hiring.factories import UserFactory
from tests.scorecards.factories import rubric_editors_group

pytestmark = pytest.mark.django_db
SLUG = "applied-ai-engineer"
# Session, user, the user's and their groups' permissions, the role (locked) and its draft with its base, in a
# transaction (its savepoint and release count too).
EDIT_QUERIES = 8
# Session, user, permissions (2), the draft with its role, base and editor, the current version.
REVIEW_QUERIES = 6


@pytest.fixture
def editor(db):
    user = UserFactory(kind="interviewer", username="eddie")
    user.groups.add(rubric_editors_group())
    return user


def _post_data(response: Any) -> dict[str, Any]:
    """The editor's form as the browser would post it back unchanged."""
    context = response.context
    data: dict[str, Any] = {}
    for form in [context["settings"], *context["dimensions"].forms, *context["signals"].forms]:
        for name in form.fields:
            value = form[name].value()
            if value not in (None, False, ""):
                data[form.add_prefix(name)] = "on" if value is True else value
    for formset in (context["dimensions"], context["signals"]):
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    return data


@pytest.mark.parametrize("kind", ["interviewer", "recruiter", "committee"])
def test_editor_pages_refuse_who_may_not_edit(client, rubrics, kind):
    client.force_login(UserFactory(kind=kind))
    for name in ("scorecards:rubric-edit", "scorecards:rubric-review"):
        assert client.get(reverse(name, args=[SLUG])).status_code == 403
    assert client.post(reverse("scorecards:rubric-edit", args=[SLUG]), {}).status_code == 403
    assert client.post(reverse("scorecards:rubric-discard", args=[SLUG])).status_code == 403
    assert not RubricDraft.objects.exists()
    page = client.get(reverse("scorecards:rubric-detail", args=[SLUG])).content.decode()
    assert "Edit this rubric" not in page


@pytest.mark.parametrize("who", ["editor", "admin"])
def test_editors_and_admins_edit_save_review_and_publish(client, rubrics, editor, admin_user, who):
    user = editor if who == "editor" else admin_user
    client.force_login(user)
    assert "Edit this rubric" in client.get(reverse("scorecards:rubric-detail", args=[SLUG])).content.decode()
    page = client.get(reverse("scorecards:rubric-edit", args=[SLUG]))
    assert page.status_code == 200
    data = _post_data(page)
    data["dimension-0-anchor_2"] = "Tests only the happy path."
    data["dimension-0-name"] = "Software craft"
    data["rubric-hire"] = "3.6"
    saved = client.post(reverse("scorecards:rubric-edit", args=[SLUG]), {**data, "review": "1"})
    assert saved.status_code == 302 and saved["Location"] == reverse("scorecards:rubric-review", args=[SLUG])
    draft = RubricDraft.objects.get()
    assert draft.document["rubric"]["dimensions"][0]["anchors"]["2"] == {
        "text": "Tests only the happy path.", "source": "team"
    }
    review = client.get(saved["Location"]).content.decode()
    assert "Software engineering" in review and "Software craft" in review and "Tests only the happy path." in review
    refused = client.post(saved["Location"], {"revision": draft.revision, "change_note": " "})
    assert refused.status_code == 400 and "A change note is required." in refused.content.decode()
    assert Rubric.objects.filter(role__slug=SLUG).count() == 1
    published = client.post(saved["Location"], {"revision": draft.revision, "change_note": "Clearer anchors."})
    assert published.status_code == 302
    newest = Rubric.objects.current(role=draft.role)
    assert (newest.version, newest.change_note, newest.published_by) == (2, "Clearer anchors.", user)
    assert "Clearer anchors." in client.get(reverse("scorecards:rubric-detail", args=[SLUG])).content.decode()


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"dimension-0-weight": "30"}, None, "percent weights must add up to 100, they add up to 110"),
        ({"rubric-critical_floor": "7"}, "rubric-critical_floor", "must be between 1 and 5"),
        ({"dimension-1-name": "Software engineering"}, "dimension-1-name", "duplicate dimension name"),
        ({"dimension-0-anchor_3": "x" * 1001}, "dimension-0-anchor_3", "at most 1000 characters"),
        ({"signal-0-text": ""}, "signal-0-text", "text missing"),
    ],
)
def test_a_refused_save_marks_the_field_and_keeps_the_draft(client, rubrics, editor, change, field, words):
    client.force_login(editor)
    page = client.get(reverse("scorecards:rubric-edit", args=[SLUG]))
    before = RubricDraft.objects.values_list("revision", "document").get()
    response = client.post(reverse("scorecards:rubric-edit", args=[SLUG]), {**_post_data(page), **change})
    assert response.status_code == 400
    assert RubricDraft.objects.values_list("revision", "document").get() == before
    html = response.content.decode()
    assert words in html
    if field:
        form_prefix, name = field.rsplit("-", 1)
        forms = {"rubric": [response.context["settings"]]}
        forms["dimension"] = response.context["dimensions"].forms
        forms["signal"] = response.context["signals"].forms
        head, _, index = form_prefix.partition("-")
        form = forms[head][int(index) if index else 0]
        assert any(words in error for error in form.errors[name]), form.errors


def test_reordering_removing_and_adding_dimensions_in_the_form(client, rubrics, editor):
    client.force_login(editor)
    data = _post_data(client.get(reverse("scorecards:rubric-edit", args=[SLUG])))
    data["dimension-6-DELETE"] = "on"  # Communication & collaboration, 10
    data["dimension-0-ORDER"] = "9"  # Software engineering last
    data.update({"dimension-7-name": "Product sense", "dimension-7-weight": "10", "dimension-7-ORDER": "8"})
    data["dimension-7-anchor_1"] = "Cannot say who the feature is for."
    assert client.post(reverse("scorecards:rubric-edit", args=[SLUG]), data).status_code == 302
    dims = RubricDraft.objects.get().document["rubric"]["dimensions"]
    assert [d["name"] for d in dims][-2:] == ["Product sense", "Software engineering"]
    assert "Communication & collaboration" not in [d["name"] for d in dims]
    assert dims[-2]["key"] == "product-sense"
    assert dims[-2]["anchors"]["1"] == {"text": "Cannot say who the feature is for.", "source": "team"}


def test_editor_pages_cost_a_fixed_number_of_queries(client, rubrics, editor, django_assert_num_queries):
    """The editor and review pages read the draft as one document: as many queries for 7 dimensions as for 30."""
    client.force_login(editor)
    client.get(reverse("scorecards:rubric-edit", args=[SLUG]))  # opens the draft
    client.get(reverse("scorecards:rubric-review", args=[SLUG]))
    for _ in range(2):
        editor.refresh_from_db()
        with django_assert_num_queries(EDIT_QUERIES):
            client.get(reverse("scorecards:rubric-edit", args=[SLUG]))
        with django_assert_num_queries(REVIEW_QUERIES):
            client.get(reverse("scorecards:rubric-review", args=[SLUG]))
        draft = RubricDraft.objects.get()
        dims = draft.document["rubric"]["dimensions"]
        for index in range(23):
            dims.append({**dims[0], "name": f"Extra {index}", "key": f"extra-{index}"})
        for dim in dims:
            dim["weight_kind"], dim["weight"] = "equal", 1
        draft.save()


def test_a_save_over_someone_elses_newer_save_is_refused(client, rubrics, editor, admin_user):
    client.force_login(editor)
    data = _post_data(client.get(reverse("scorecards:rubric-edit", args=[SLUG])))
    other = client.__class__()
    other.force_login(admin_user)
    theirs = _post_data(other.get(reverse("scorecards:rubric-edit", args=[SLUG])))
    theirs["dimension-0-anchor_2"] = "The admin's words."
    assert other.post(reverse("scorecards:rubric-edit", args=[SLUG]), theirs).status_code == 302
    data["dimension-0-anchor_2"] = "The editor's words."
    response = client.post(reverse("scorecards:rubric-edit", args=[SLUG]), data)
    assert response.status_code == 409 and "Someone saved this draft" in response.content.decode()
    assert RubricDraft.objects.get().document["rubric"]["dimensions"][0]["anchors"]["2"]["text"] == "The admin's words."
