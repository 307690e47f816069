"""How the vendors' ratings become Hireloop's: the tables docs/importing.md documents.

Hireloop scores a dimension 1-5 or "not assessed", and an overall
recommendation is strong no, no, yes or strong yes (no neutral choice) or
absent. A vendor's "no decision" or an empty rating is never turned into a
score: it becomes "not assessed" or "no overall recommendation".
"""

from __future__ import annotations

# Greenhouse scorecard attributes: five points, "mixed" in the middle.
GREENHOUSE_ATTRIBUTE = {"definitely_not": 1, "no": 2, "mixed": 3, "yes": 4, "strong_yes": 5}
GREENHOUSE_NOT_ASSESSED = {"no_decision"}
# Greenhouse's overall recommendation has no middle, like Hireloop's.
GREENHOUSE_OVERALL = {"definitely_not": "strong_no", "no": "no", "yes": "yes", "strong_yes": "strong_yes"}
GREENHOUSE_NO_OVERALL = {"no_decision"}

# Lever's overall rating ("score-system" field): four points, by number or by label.
LEVER_OVERALL = {
    1: "strong_no", 2: "no", 3: "yes", 4: "strong_yes",
    "strong no hire": "strong_no", "no hire": "no", "hire": "yes", "strong hire": "strong_yes",
}
# Lever's "score" fields and "scorecard" skills: four points have no middle, so 1 and 2 stay at the bottom of
# Hireloop's scale and 3 and 4 go to its top (as Greenhouse's no/yes/strong yes do); five points map one to one.
LEVER_SCALES = {4: {1: 1, 2: 2, 3: 4, 4: 5}, 5: {1: 1, 2: 2, 3: 3, 4: 4, 5: 5}}
LEVER_DEFAULT_SCALE = 4


def lever_overall(value: object) -> str:
    """The overall recommendation of a Lever score-system value ("" for none); ValueError when not understood."""
    if value is None or value == "":
        return ""
    found: object = None
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        found = LEVER_OVERALL.get(int(value))
    elif isinstance(value, str):
        text = value.strip().lower()
        if text.isdigit():
            found = LEVER_OVERALL.get(int(text))
        else:
            # "4 - Strong Hire" and "Strong Hire" are both seen.
            found = LEVER_OVERALL.get(text.split("-", 1)[1].strip() if text[:1].isdigit() and "-" in text else text)
    if not isinstance(found, str):
        raise ValueError("not one of Lever's overall ratings (1-4, Strong No Hire to Strong Hire)")
    return found


def lever_score(value: object, *, points: int) -> int | None:
    """A Lever score on Hireloop's scale (None: not rated); ValueError when the value is not on the scale."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | float) or not float(value).is_integer():
        raise ValueError(f"is not a score from 1 to {points}")
    score = LEVER_SCALES[points].get(int(value))
    if score is None:
        raise ValueError(f"is not a score from 1 to {points}")
    return score
