"""What-if files: a loop described in JSON, for "what if we leave out this interviewer?".

Plain data, no ORM: the command resolves the rubric and hands it here. The
format is documented in README.md ("What-if recommendations") with an
example in fixtures/examples/what-if.json. Every problem is reported at once,
each under the path of the entry it concerns.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.utils.translation import gettext

from hiring.errors import ValidationFailed
from scorecards.recommendations.rules import OVERALL_CHOICES, InterviewerOffset, RubricSpec, ScorecardInput

TOP_LEVEL_KEYS = {"rubric", "rubric_version", "scorecards", "leniency", "comment"}
SCORECARD_KEYS = {"interviewer", "overall", "scores", "signals", "red_flags", "comment"}


@dataclass(frozen=True)
class WhatIf:
    rubric_slug: str
    rubric_version: int | None
    scorecards: tuple[ScorecardInput, ...]
    offsets: dict[str, InterviewerOffset] | None
    left_out: tuple[str, ...]


def whatif_header(data: Any) -> tuple[str, int | None]:
    """The rubric slug and optional version the file asks for."""
    if not isinstance(data, dict):
        raise ValidationFailed(
            gettext("The what-if file must hold a JSON object."), field_errors={"$": [gettext("Expected an object.")]}
        )
    slug = data.get("rubric")
    version = data.get("rubric_version")
    errors: dict[str, list[str]] = {}
    if not isinstance(slug, str) or not slug.strip():
        errors["rubric"] = ["Give the role's rubric slug, e.g. \"applied-ai-engineer\"."]
    if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version < 1):
        errors["rubric_version"] = ["Give a positive whole number, or leave it out for the newest version."]
    if errors:
        raise ValidationFailed(gettext("The what-if file is not valid."), field_errors=errors)
    return str(slug).strip(), version


def whatif_read(
    data: Any,
    *,
    rubric: RubricSpec,
    red_flags: Sequence[str],
    signals: Sequence[str],
    without: Collection[str] = (),
) -> WhatIf:
    """Validate a what-if document against its rubric and return the pure function's inputs.

    Names (dimensions, signals, red flags, interviewers in ``without``) match
    ignoring case and surrounding spaces. ``without`` leaves interviewers out.
    """
    slug, version = whatif_header(data)
    errors: dict[str, list[str]] = {}
    unknown = set(data) - TOP_LEVEL_KEYS
    if unknown:
        errors["$"] = [f"Unknown key(s): {', '.join(sorted(unknown))} (known: {', '.join(sorted(TOP_LEVEL_KEYS))})."]
    dimensions = {_key(d.name): d.name for d in rubric.dimensions}
    flag_names = {_key(text): text for text in red_flags}
    signal_names = {_key(text): text for text in signals}

    cards_in = data.get("scorecards")
    cards: list[ScorecardInput] = []
    if not isinstance(cards_in, list):
        errors["scorecards"] = ["Give a list of scorecards."]
        cards_in = []
    for index, entry in enumerate(cards_in):
        where = f"scorecards[{index}]"
        if not isinstance(entry, dict):
            errors[where] = ["Each scorecard must be an object."]
            continue
        extra = set(entry) - SCORECARD_KEYS
        if extra:
            known = ", ".join(sorted(SCORECARD_KEYS))
            errors[where] = [f"Unknown key(s): {', '.join(sorted(extra))} (known: {known})."]
        interviewer = entry.get("interviewer")
        if not isinstance(interviewer, str) or not interviewer.strip():
            errors[f"{where}.interviewer"] = ["Name the interviewer."]
            interviewer = f"#{index + 1}"
        overall = entry.get("overall", "")
        if overall not in OVERALL_CHOICES:
            errors[f"{where}.overall"] = [f"Choose one of {', '.join(OVERALL_CHOICES)}."]
        scores: dict[str, int | None] = {}
        scores_in = entry.get("scores")
        if not isinstance(scores_in, dict):
            errors[f"{where}.scores"] = ["Give scores as an object: dimension name -> 1 to 5, or null if not assessed."]
            scores_in = {}
        for name, score in scores_in.items():
            canonical = dimensions.get(_key(name))
            if canonical is None:
                errors[f"{where}.scores.{name}"] = [
                    f"Not a dimension of this rubric (dimensions: {', '.join(d.name for d in rubric.dimensions)})."
                ]
                continue
            if score is not None and (isinstance(score, bool) or score not in (1, 2, 3, 4, 5)):
                errors[f"{where}.scores.{name}"] = ["Must be a whole number from 1 to 5, or null if not assessed."]
                continue
            scores[canonical] = score
        card_flags = _names(entry.get("red_flags", []), flag_names, f"{where}.red_flags", "red flag", errors)
        card_signals = _names(entry.get("signals", []), signal_names, f"{where}.signals", "signal", errors)
        cards.append(
            ScorecardInput(
                interviewer=interviewer.strip(),
                scores=scores,
                overall=overall if overall in OVERALL_CHOICES else "",
                red_flags=card_flags,
                signals=card_signals,
            )
        )

    present = {_key(card.interviewer) for card in cards}
    for name in without:
        if _key(name) not in present:
            errors.setdefault("without", []).append(f"No scorecard in the file is by {name!r}.")
    offsets = _offsets(data.get("leniency"), errors)
    if errors:
        raise ValidationFailed(gettext("The what-if file is not valid."), field_errors=errors)
    left_out = {_key(name) for name in without}
    kept = tuple(card for card in cards if _key(card.interviewer) not in left_out)
    return WhatIf(
        rubric_slug=slug,
        rubric_version=version,
        scorecards=kept,
        offsets=offsets,
        left_out=tuple(without),
    )


def _names(
    value: Any, known: dict[str, str], where: str, what: str, errors: dict[str, list[str]]
) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        errors[where] = [f"Give a list of {what} texts as the rubric words them."]
        return ()
    found = []
    for item in value:
        canonical = known.get(_key(item))
        if canonical is None:
            errors.setdefault(where, []).append(f"{item!r} is not a {what} of this rubric.")
        else:
            found.append(canonical)
    return tuple(found)


def _offsets(value: Any, errors: dict[str, list[str]]) -> dict[str, InterviewerOffset] | None:
    """Optional: {"name": {"offset": 0.4, "std_error": 0.2, "scorecards": 12}} turns on the adjusted score."""
    if value is None:
        return None
    if not isinstance(value, dict):
        errors["leniency"] = ["Give an object: interviewer -> {offset, std_error, scorecards}."]
        return None
    offsets = {}
    for name, entry in value.items():
        where = f"leniency.{name}"
        if not isinstance(entry, dict):
            errors[where] = ["Give {offset, std_error, scorecards}."]
            continue
        offset, std_error, count = entry.get("offset"), entry.get("std_error", 0), entry.get("scorecards", 0)
        numbers_ok = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (offset, std_error))
        if not numbers_ok or std_error < 0 or not isinstance(count, int) or count < 0:
            errors[where] = ["offset and std_error must be numbers (std_error >= 0), scorecards a whole number >= 0."]
            continue
        # numbers_ok has checked that offset is an int or a float.
        offsets[name.strip()] = InterviewerOffset(
            offset=float(cast(float, offset)), std_error=float(std_error), scorecards=count
        )
    return offsets


def _key(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def whatif_document(
    *,
    rubric_slug: str,
    rubric_version: int,
    scorecards: Sequence[ScorecardInput],
    offsets: dict[str, InterviewerOffset] | None = None,
) -> dict[str, Any]:
    """A what-if document for these scorecards (``recommend LOOP_ID --as-what-if``); reads back unchanged.

    Interviewers are named by label; two different people sharing a name get a numbered suffix so
    they stay two people when the file is read back.
    """
    names: dict[str, str] = {}
    taken: set[str] = set()
    for card in scorecards:
        if card.interviewer in names:
            continue
        name, number = card.label or card.interviewer, 1
        while _key(name) in taken:
            number += 1
            name = f"{card.label or card.interviewer} ({number})"
        names[card.interviewer] = name
        taken.add(_key(name))
    document: dict[str, Any] = {
        "rubric": rubric_slug,
        "rubric_version": rubric_version,
        "scorecards": [
            {
                "interviewer": names[card.interviewer],
                "overall": card.overall,
                "scores": dict(card.scores),
                "signals": list(card.signals),
                "red_flags": list(card.red_flags),
            }
            for card in scorecards
        ],
    }
    if offsets:
        document["leniency"] = {
            names.get(key, key): {
                # Enough digits that reading the file back reproduces the stored band to the third decimal.
                "offset": round(o.offset, 6),
                "std_error": round(o.std_error, 6),
                "scorecards": o.scorecards,
            }
            for key, o in offsets.items()
        }
    return document
