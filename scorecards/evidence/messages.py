# ruff: noqa: E501 -- each text is the exact msgid of rules.json, one per line so that it can be compared
"""The evidence hints' words for the translation catalogues.

``rules.json`` stays the one source of the rules and their English text, shared with the browser; makemessages
cannot read JSON, so each rule's title, reason and suggestion is listed here for extraction, and
``tests/test_translations.py`` checks that the list and the file agree. ``localized_rules`` gives the page the
file with those texts (and the script's two labels) in the reader's language.
"""

from __future__ import annotations

import copy
from typing import Any

from django.utils.translation import gettext, gettext_noop

from scorecards.evidence.check import rules

TEXT_KEYS = ("title", "why", "instead")

MARKED = [
    # too_short
    gettext_noop("Very short"),
    gettext_noop("A few words cannot show the committee what the candidate did; short evidence is where impressions stand in for observations, and it cannot be checked against the anchors."),
    gettext_noop("Write one or two sentences on what the candidate said or did that earned the score: the question, their answer, what they missed."),
    # only_adjectives
    gettext_noop("Adjectives, not observations"),
    gettext_noop("Words such as these are your conclusion, not what you saw. Readers weigh them by how much they trust you, and research on written evaluations finds such praise is given unevenly across groups."),
    gettext_noop("Replace the adjective with the behaviour behind it, e.g. 'found the off-by-one in the pagination after reading the test output' instead of 'smart'."),
    # no_behaviour
    gettext_noop("No concrete behaviour"),
    gettext_noop("The evidence names no action of the candidate (something they said, wrote, built, chose or missed), so another reader cannot tell what the score rests on."),
    gettext_noop("Add what happened: 'When asked how to roll back, they described a feature flag and a canary at 5%' is evidence; 'knows deployment' is a verdict."),
    # culture_fit
    gettext_noop("\"Culture fit\""),
    gettext_noop("'Fit' has no anchor in the rubric and in practice measures similarity to the interviewer (Rivera 2012); it is one of the commonest ways bias enters hiring decisions."),
    gettext_noop("Name the behaviour the rubric asks for (for example how they handled disagreement or explained a trade-off to a non-expert), or leave it out."),
    # personality
    gettext_noop("Personality words"),
    gettext_noop("Words about personality are applied unevenly: in written reviews, women are far more often called abrasive, bossy or emotional for the same behaviour (Snyder 2014; Correll & Simard 2016). They judge the person, not the answer."),
    gettext_noop("Describe the behaviour you saw and its effect: 'interrupted me twice while I clarified the requirement' rather than 'abrasive'."),
    # age
    gettext_noop("Age"),
    gettext_noop("Age is not in the rubric and is protected in most jurisdictions; remarks about it (young, old, 'digital native', 'overqualified') invite stereotypes into the decision."),
    gettext_noop("Leave age out. If the concern is experience, name the specific skill the interview showed or did not show."),
    # family
    gettext_noop("Family or private life"),
    gettext_noop("Family status, pregnancy and caring duties are not part of the job's requirements, are protected in most jurisdictions, and remarks about them penalise mothers in particular (Correll, Benard & Paik 2007)."),
    gettext_noop("Leave it out. If availability matters, it is a question for the recruiter about the role's hours, asked of every candidate."),
    # appearance
    gettext_noop("Appearance"),
    gettext_noop("How someone looks or dresses says nothing about the rubric's dimensions, and attractiveness and weight measurably sway interviewers' ratings (Hosoda, Stone-Romero & Coats 2003)."),
    gettext_noop("Leave appearance out and write what the candidate said or did."),
    # accent_nationality
    gettext_noop("Accent, origin or nationality"),
    gettext_noop("Accent and origin are not communication skill: listeners rate the same words as less credible when said with a foreign accent (Lev-Ari & Keysar 2010). Nationality and origin are protected characteristics."),
    gettext_noop("If communication is a dimension, describe it concretely: 'explained the caching trade-off clearly and checked I followed' or 'could not say what the function returned when asked twice'."),
    # gendered
    gettext_noop("Gender-coded words"),
    gettext_noop("These words are coded masculine or feminine in Gaucher, Friesen & Kay (2011), the list used by open-source gender decoders; in evaluations they tend to describe the person through a gender stereotype instead of the work."),
    gettext_noop("Say what the candidate did that made you choose the word: 'held their design choice when I pushed back, citing the latency budget' rather than 'assertive' or 'confident'."),
]


def translated_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule with its title, reason and suggestion in the active language."""
    return {**rule, **{key: gettext(rule[key]) if rule.get(key) else "" for key in TEXT_KEYS}}


def localized_rules() -> dict[str, Any]:
    """The rules file as the page embeds it for static/js/evidence-help.js, worded in the active language."""
    spec = copy.deepcopy(rules())
    spec["rules"] = [translated_rule(rule) for rule in spec["rules"]]
    spec["labels"] = {
        "heading": gettext("Hints on this evidence (you can still submit):"),
        "instead": gettext("Instead:"),
    }
    return spec
