"""Evidence hints: which rules of ``rules.json`` a piece of evidence trips.

The rules file is the one source: this module applies it at submit and
``static/js/evidence-help.js`` applies the same file in the browser as the
interviewer types (the page embeds it with ``json_script``). The matching is
deliberately simple (whole words, stems, phrases) so that both implementations
agree exactly; ``tests/scorecards/evidence_cases.json`` runs the same cases
through both. Hand-written rather than a library: the gender-decoder packages
score job ads against one list, and none checks the rest (impressions, "culture
fit", age, family, appearance, accent) or runs the same rules in a browser.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

RULES_PATH = Path(__file__).with_name("rules.json")
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


@dataclass(frozen=True)
class Flag:
    rule: str
    group: str  # impression | bias
    title: str
    why: str
    instead: str
    terms: tuple[str, ...]  # the listed terms that matched, as the list writes them


@cache
def rules() -> dict[str, Any]:
    """The rules file as the page embeds it."""
    return json.loads(RULES_PATH.read_text(encoding="utf-8"))


def words_of(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def _matches(term: str, words: list[str], joined: str) -> bool:
    if " " in term:
        return f" {term} " in joined
    if term.endswith("*"):
        stem = term[:-1]
        return any(word.startswith(stem) for word in words)
    return term in words


def _matched(terms: list[str], words: list[str], joined: str) -> tuple[str, ...]:
    return tuple(term for term in terms if _matches(term, words, joined))


def evidence_flags(text: str) -> list[Flag]:
    """The rules the evidence trips, in the file's order; empty evidence trips none (a missing evidence is the
    form's own error)."""
    words = words_of(text)
    if not words:
        return []
    joined = f" {' '.join(words)} "
    spec = rules()
    has_behaviour = bool(_matched(spec["behaviour_markers"], words, joined)) or any(c.isdigit() for c in text)
    by_id = {rule["id"]: rule for rule in spec["rules"]}
    tripped: dict[str, tuple[str, ...]] = {}
    for rule in spec["rules"]:
        check = rule["check"]
        if check == "min_words":
            hit = len(words) < rule["min_words"]
            terms: tuple[str, ...] = ()
        elif check == "terms":
            terms = _matched(rule["terms"], words, joined)
            hit = bool(terms)
        elif check == "terms_without_behaviour":
            terms = () if has_behaviour else _matched(rule["terms"], words, joined)
            hit = bool(terms)
        elif check == "no_behaviour":
            terms = ()
            hit = not has_behaviour and rule["except_rule"] not in tripped
        else:
            raise ValueError(f"rules.json: unknown check {check!r} in rule {rule['id']!r}")
        if hit:
            tripped[rule["id"]] = terms
    return [
        Flag(rule=rule_id, group=by_id[rule_id]["group"], title=by_id[rule_id]["title"], why=by_id[rule_id]["why"],
             instead=by_id[rule_id]["instead"], terms=terms)
        for rule_id, terms in tripped.items()
    ]


def rule_by_id(rule_id: str) -> dict[str, Any] | None:
    return next((rule for rule in rules()["rules"] if rule["id"] == rule_id), None)
