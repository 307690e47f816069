"""The read-only rubric pages: each role's dimensions, weights as given and normalised, anchors, signals, history."""

from __future__ import annotations

import copy

import pytest
from django.urls import reverse

from scorecards.rubrics.io import read_rubric_file, validate_rubric
from scorecards.rubrics.pages import rubric_changes
from scorecards.rubrics.services import rubric_publish
from tests.scorecards.factories import RUBRIC_DIR, fixture_spec

pytestmark = pytest.mark.django_db

# Session, user, the rubrics with their counts.
LIST_QUERIES = 3
# Session, user, role, its versions, the shown version, its dimensions, focus areas, signals, the exercises,
# whether a draft is open, and the user's and their groups' permissions (may they edit it?).
DETAIL_QUERIES = 12


def publish_second_version() -> None:
    """Applied AI Engineer v2: an anchor reworded, a red flag added, the hire threshold raised."""
    path = RUBRIC_DIR / "applied-ai-engineer.yaml"
    document = read_rubric_file(path)
    document["rubric"]["dimensions"][0]["anchors"][5] = {
        "text": "Designs for failure and proves it with tests", "source": "team",
    }
    document["rubric"]["signals"].append({"kind": "red_flag", "text": "Dismisses testing as optional."})
    document["rubric"].setdefault("thresholds", {})["hire"] = 3.6
    rubric_publish(spec=validate_rubric(document, str(path)))


@pytest.mark.parametrize("kind", ["interviewer", "recruiter", "committee", "admin"])
def test_views_rubric_list_every_role(client, rubrics, kind):
    """Everyone signed in sees the five roles with their current version and what the rubric holds."""
    from tests.hiring.factories import UserFactory

    client.force_login(UserFactory(kind=kind))
    response = client.get(reverse("scorecards:rubric-list"))
    assert response.status_code == 200
    entries = {entry.role.slug: entry for entry in response.context["roles"]}
    assert sorted(entries) == sorted(rubrics)
    applied = entries["applied-ai-engineer"]
    assert (applied.current.version, applied.version_count) == (1, 1)
    assert (applied.current.dimension_count, applied.current.signal_count, applied.current.red_flag_count) == (7, 10, 5)


def test_views_rubric_detail_weights_anchors_signals(client, rubrics, interviewer):
    """Weights are shown as given and normalised; High counts twice Medium; anchors and signals as written."""
    client.force_login(interviewer)

    percent = client.get(reverse("scorecards:rubric-detail", args=["applied-ai-engineer"]))
    rows = {d.name: (d.weight_given, str(normal.quantize(normal.__class__("0.001"))), str(pct))
            for d, normal, pct, _ in percent.context["page"].dimensions}
    assert rows["Software engineering"] == ("20", "0.200", "20.0")
    assert rows["Cost/performance thinking"] == ("10", "0.100", "10.0")
    html = percent.content.decode()
    assert "Writes clean, testable code; solid API/service fundamentals" in html
    assert "Recommends logging raw sensitive user data/prompts without safeguards." in html

    high_medium = client.get(reverse("scorecards:rubric-detail", args=["junior-applied-ai-engineer"]))
    weights = {d.name: (d.weight_given, str(pct)) for d, _, pct, _ in high_medium.context["page"].dimensions}
    # Three High and five Medium dimensions: 3 x 2 + 5 x 1 = 11 parts; High is 2/11, Medium 1/11.
    assert weights["Python engineering"] == ("high", "18.2")
    assert weights["Data handling"] == ("medium", "9.1")
    assert "High counts 2 times Medium" in high_medium.content.decode()


def test_views_rubric_detail_version_history(client, rubrics, interviewer):
    """A new version lists what changed; the earlier one stays readable and is marked as earlier."""
    publish_second_version()
    client.force_login(interviewer)

    response = client.get(reverse("scorecards:rubric-detail", args=["applied-ai-engineer"]))

    page = response.context["page"]
    assert page.rubric.version == 2
    assert [entry.rubric.version for entry in page.versions] == [2, 1]
    assert page.versions[0].changes == [
        "Hire threshold: 3.5 → 3.6.",
        "Software engineering: anchors reworded.",
        "Red flag added: Dismisses testing as optional.",
    ]
    assert page.versions[1].changes == ["First published version."]
    earlier = client.get(reverse("scorecards:rubric-detail", args=["applied-ai-engineer"]), {"version": 1})
    assert earlier.context["page"].rubric.version == 1
    assert "This is an earlier version." in earlier.content.decode()
    assert "Designs for failure" not in earlier.content.decode()


@pytest.mark.parametrize("slug,params", [("no-such-role", {}), ("applied-ai-engineer", {"version": "9"}),
                                         ("applied-ai-engineer", {"version": "two"})])
def test_views_rubric_detail_unknown_not_found(client, rubrics, interviewer, slug, params):
    """An unknown role or version answers 404."""
    client.force_login(interviewer)
    assert client.get(reverse("scorecards:rubric-detail", args=[slug]), params).status_code == 404


def test_views_rubric_pages_query_counts_fixed(client, rubrics, interviewer, django_assert_num_queries):
    """The list and a detail page cost a fixed number of queries, whatever the number of versions."""
    client.force_login(interviewer)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(reverse("scorecards:rubric-list"))
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(reverse("scorecards:rubric-detail", args=["applied-ai-engineer"]))
    publish_second_version()
    with django_assert_num_queries(LIST_QUERIES):
        client.get(reverse("scorecards:rubric-list"))
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(reverse("scorecards:rubric-detail", args=["applied-ai-engineer"]))


def test_rubric_changes_name_a_renamed_dimension_by_its_key():
    old = fixture_spec("applied-ai-engineer")
    new = copy.deepcopy(old)
    new["rubric"]["dimensions"][0]["name"] = "Software craft"
    assert rubric_changes(old, new) == ["Dimension renamed: Software engineering → Software craft."]


def test_rubric_changes_dimension_added_removed_and_reweighted():
    """The history's wording for dimensions, focus areas and exercises, from two specifications."""
    old = fixture_spec("applied-ai-engineer")
    new = copy.deepcopy(old)
    new["rubric"]["dimensions"][0]["weight"] = "25"
    new["rubric"]["dimensions"][1]["critical"] = True
    removed = new["rubric"]["dimensions"].pop()
    new["rubric"]["dimensions"].append({**removed, "name": "Product sense", "key": "product-sense"})
    new["rubric"]["focus_areas"] = new["rubric"]["focus_areas"][1:]
    new["exercises"] = new["exercises"][1:]
    assert rubric_changes(old, new) == [
        "Dimension added: Product sense.",
        f"Dimension removed: {removed['name']}.",
        "Software engineering: weight 20 → 25.",
        "Applied ML/AI fundamentals: now critical.",
        f"Focus area removed: {old['rubric']['focus_areas'][0]['title']}.",
        "Exercises changed.",
    ]
    assert rubric_changes(old, copy.deepcopy(old)) == ["No change to the rubric's content."]
