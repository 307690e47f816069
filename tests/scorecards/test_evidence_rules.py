"""The evidence hints: every rule on a case of its own, the same cases the browser test runs through the page's
JavaScript, and the flags stored at submit (never blocking it) and shown to the author only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scorecards.evidence.check import evidence_flags, rules
from scorecards.models import EvidenceFlag
from scorecards.services.scorecards import scorecard_amend, scorecard_submit
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import scorecard_input

CASES = json.loads((Path(__file__).with_name("evidence_cases.json")).read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] or "empty" for c in CASES])
def test_each_case_trips_exactly_its_rules(case):
    assert [flag.rule for flag in evidence_flags(case["text"])] == case["rules"]


def test_every_rule_of_the_file_has_a_case_and_explains_itself():
    tested = {rule for case in CASES for rule in case["rules"]}
    for rule in rules()["rules"]:
        assert rule["id"] in tested, f"no case trips {rule['id']}"
        assert rule["why"] and rule["instead"] and rule["title"]


def test_a_flag_names_the_words_that_tripped_it():
    flags = {flag.rule: flag for flag in evidence_flags("great culture fit, very smart")}
    assert set(flags["only_adjectives"].terms) == {"great", "smart"}
    assert flags["culture_fit"].terms == ("culture fit",)


def test_stems_match_words_starting_with_them_and_nothing_inside_words():
    assert [f.rule for f in evidence_flags(
        "Described the rollout in order and stayed composed, though rather aggressively dismissive of my follow-up.")
    ] == ["gendered"]
    # "passage" contains "age", "storage" too: whole words only.
    clean = "Explained how the passage ranking used storage tiers and measured recall at 10 for each."
    assert evidence_flags(clean) == []


def _open_interview(evidence: str):
    interviewer = UserFactory()
    loop = make_loop()
    interview = make_interview(loop=loop, interviewer=interviewer)
    names = [d.name for d in interview.focus_dimensions.all()]
    data = scorecard_input(interview, dict.fromkeys(names, 3), evidence=evidence)
    return interviewer, interview, data


def test_submit_stores_the_flags_and_is_not_blocked(db):
    interviewer, interview, data = _open_interview("great culture fit, very smart")
    card = scorecard_submit(actor=interviewer, interview_id=interview.pk, data=data, expected_version=None)
    assert card.is_submitted
    stored = sorted(EvidenceFlag.objects.filter(scorecard=card).values_list("dimension_id", "rule"))
    focus = sorted(d.pk for d in interview.focus_dimensions.all())
    assert stored == sorted((pk, rule) for pk in focus for rule in ("culture_fit", "only_adjectives", "too_short"))


def test_clean_evidence_stores_no_flag(db):
    interviewer, interview, data = _open_interview(CASES[3]["text"])
    card = scorecard_submit(actor=interviewer, interview_id=interview.pk, data=data, expected_version=None)
    assert not EvidenceFlag.objects.filter(scorecard=card).exists()


def test_an_amendment_has_its_own_flags(db):
    interviewer, interview, data = _open_interview(CASES[3]["text"])
    card = scorecard_submit(actor=interviewer, interview_id=interview.pk, data=data, expected_version=None)
    for rating in data.ratings:
        rating.evidence = "very smart"
    amendment = scorecard_amend(actor=interviewer, interview_id=interview.pk, data=data, reason="Debrief.",
                                expected_version=card.version)
    assert not EvidenceFlag.objects.filter(scorecard=card).exists()
    assert set(EvidenceFlag.objects.filter(scorecard=amendment).values_list("rule", flat=True)) == {
        "too_short", "only_adjectives"}


def test_the_author_sees_the_flags_after_submit_and_the_form_embeds_the_rules(client, db):
    interviewer, interview, data = _open_interview("great culture fit, very smart")
    client.force_login(interviewer)
    form_page = client.get(f"/interviews/{interview.pk}/scorecard/")
    assert 'id="evidence-rules"' in form_page.content.decode()
    scorecard_submit(actor=interviewer, interview_id=interview.pk, data=data, expected_version=None)
    page = client.get(f"/interviews/{interview.pk}/scorecard/").content.decode()
    assert "Hints on your evidence" in page and "culture fit" in page


def test_the_backfill_flags_scorecards_submitted_before_the_hints_and_runs_again_safely(db):
    from io import StringIO

    from django.core.management import call_command

    interviewer, interview, data = _open_interview("great culture fit, very smart")
    card = scorecard_submit(actor=interviewer, interview_id=interview.pk, data=data, expected_version=None)
    EvidenceFlag.objects.all().delete()  # as if submitted before the hints existed
    out = StringIO()
    call_command("evidence_flags_backfill", stdout=out)
    assert f"{2 * 3} evidence hints stored" in out.getvalue()
    assert EvidenceFlag.objects.filter(scorecard=card).count() == 6
    call_command("evidence_flags_backfill", stdout=out)
    assert EvidenceFlag.objects.filter(scorecard=card).count() == 6
