"""What-if on a stored loop: the committee leaves interviewers out, or ignores a debrief amendment, and reads the
recommendation recomputed, beside the one computed from all the feedback. Read only.

The computation is the stored recommendation's own (the loop's inputs, the panel's leniency measured on their
other loops, ``recommend``), run twice on the same inputs: once as they are, once with the changes. Nothing is
written but one audit event recording who asked what (ids only: which people were left out, which amendments
ignored), never a score or an outcome, so the trail can show it to anyone who reads the loop's events.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any, cast

from hiring.access import can_open_committee_pages, can_see_panel, loops_visible_to
from hiring.audit.services import audit_record
from hiring.errors import NotFound, PermissionRefused, ValidationFailed
from hiring.models import InterviewLoop
from scorecards.models import ObservedSignal, Rating, Recommendation, Scorecard, Signal
from scorecards.recommendations.rules import RecommendationResult, ScorecardInput, recommend
from scorecards.recommendations.selectors import LoopInputs, loop_inputs
from scorecards.recommendations.services import leniency_offsets, loop_leniency
from scorecards.recommendations.types import InterviewerOffset

AUDIT_ACTION = "recommendation.what_if_read"
# More would be a mistake or an attack: a panel is a handful of people.
MAX_IDS = 50


@dataclass(frozen=True)
class LeftOut:
    interviewer_id: int
    name: str


@dataclass(frozen=True)
class IgnoredAmendment:
    scorecard_id: int  # the current revision: ignored, the revision it amends is used instead
    revision: int
    interviewer_id: int
    name: str


@dataclass(frozen=True)
class LoopWhatIf:
    loop: InterviewLoop
    left_out: tuple[LeftOut, ...]
    ignored_amendments: tuple[IgnoredAmendment, ...]
    actual: RecommendationResult  # from all current submitted feedback, as the stored recommendation is
    what_if: RecommendationResult  # with the interviewers left out and the amendments ignored


@dataclass(frozen=True)
class WhatIfChoices:
    """What a what-if may change on this loop: the people with submitted feedback, the current amendments."""

    interviewers: tuple[LeftOut, ...]
    amendments: tuple[IgnoredAmendment, ...]


def loop_what_if(
    *,
    actor: Any,
    loop_id: int,
    leave_out: Collection[int] = (),
    ignore_amendments: Collection[int] = (),
    via: str,
) -> LoopWhatIf:
    """The loop's recommendation with ``leave_out`` (interviewer ids) left out and ``ignore_amendments``
    (ids of current amended scorecards) replaced by the revision each amends; and the real one beside it.

    Who may ask: those who open the committee's pages, on loops whose panel they may see (hiring.access):
    an interviewer, or a committee member still owing feedback on the loop, may not. A loop the actor
    cannot see at all is reported missing. Ids that are not of this loop are refused, each field naming
    its own (``leave_out``, ``ignore_amendments``); nothing is written then. A fixed number of queries
    whatever the panel's size. ``via`` ("page" or "api") is recorded in the audit event.
    """
    loop = loops_visible_to(actor).filter(pk=loop_id).select_related("rubric").first()
    if loop is None:
        raise NotFound("No such loop.")
    if not can_open_committee_pages(actor):
        raise PermissionRefused("Only the hiring committee and admins can ask what-if questions.", code="not_committee")
    if not can_see_panel(actor, loop):
        raise PermissionRefused(
            "Submit your own feedback on this loop before reading the panel's recommendation.", code="independence"
        )
    inputs = loop_inputs(loop)
    choices = what_if_choices(inputs)
    left_out, ignored = _validate(choices, leave_out, ignore_amendments)

    offsets = _stored_offsets(loop, inputs) or leniency_offsets(inputs, loop_leniency(inputs))
    actual = recommend(inputs.rubric, inputs.scorecards, offsets=offsets)
    what_if = recommend(inputs.rubric, _changed_scorecards(inputs, left_out, ignored), offsets=offsets)

    audit_record(
        actor=actor,
        action=AUDIT_ACTION,
        obj=loop,
        loop_id=loop.pk,
        after={
            "left_out_interviewer_ids": [person.interviewer_id for person in left_out],
            "ignored_amendment_ids": [amendment.scorecard_id for amendment in ignored],
            "via": via,
        },
    )
    return LoopWhatIf(loop=loop, left_out=left_out, ignored_amendments=ignored, actual=actual, what_if=what_if)


def _stored_offsets(loop: InterviewLoop, inputs: LoopInputs) -> dict[str, InterviewerOffset] | None:
    """The panel's effects as the stored recommendation used them (None: it has none for someone on the panel).

    The rater model is refitted on a schedule: reading the newest fit here would
    let the real side drift from the stored recommendation the committee reads
    beside it. The stored figures are the fit the recommendation was computed
    with; a panel member it does not know (feedback since) falls back to the
    newest fit for everyone, as the next recompute will.
    """
    details = Recommendation.objects.filter(loop=loop).values_list("details", flat=True).first()
    stored = (details or {}).get("leniency") or {}
    sigma = (details or {}).get("leniency_sigma")
    keys = [str(interviewer_id) for interviewer_id in inputs.interviewer_ids]
    if sigma is None or any(key not in stored for key in keys):
        return None
    return {
        key: InterviewerOffset(
            offset=stored[key]["offset"], std_error=stored[key]["std_error"], scorecards=stored[key]["scorecards"],
            scale=stored[key].get("scale", 1.0), scale_std_error=stored[key].get("scale_std_error", 0.0),
            noise_sd=sigma,
        )
        for key in keys
    }


def what_if_choices(inputs: LoopInputs) -> WhatIfChoices:
    """The interviewers with current submitted feedback and the current amendments, from the loop's inputs."""
    names = {card.interviewer: card.label for card in inputs.scorecards}
    interviewers = tuple(LeftOut(interviewer_id=pk, name=names[str(pk)]) for pk in inputs.interviewer_ids)
    amendments = tuple(
        IgnoredAmendment(scorecard_id=card_id, revision=revision,
                         interviewer_id=int(card.interviewer), name=card.label)
        for (card_id, revision), card in zip(inputs.scorecard_keys, inputs.scorecards, strict=True)
        if revision > 1
    )
    return WhatIfChoices(interviewers=interviewers, amendments=amendments)


def _validate(
    choices: WhatIfChoices, leave_out: Collection[int], ignore_amendments: Collection[int]
) -> tuple[tuple[LeftOut, ...], tuple[IgnoredAmendment, ...]]:
    errors: dict[str, list[str]] = {}
    people = {person.interviewer_id: person for person in choices.interviewers}
    amendments = {amendment.scorecard_id: amendment for amendment in choices.amendments}
    wanted_people, wanted_amendments = sorted(set(leave_out)), sorted(set(ignore_amendments))
    if len(wanted_people) > MAX_IDS:
        errors["leave_out"] = [f"Give at most {MAX_IDS} interviewer ids."]
    elif unknown := [pk for pk in wanted_people if pk not in people]:
        errors["leave_out"] = [
            f"No submitted feedback on this loop is by interviewer {_ids(unknown)}: "
            "leave out only interviewers whose feedback the recommendation uses."
        ]
    if len(wanted_amendments) > MAX_IDS:
        errors["ignore_amendments"] = [f"Give at most {MAX_IDS} scorecard ids."]
    elif unknown := [pk for pk in wanted_amendments if pk not in amendments]:
        errors["ignore_amendments"] = [
            f"Scorecard {_ids(unknown)} is not an amendment the recommendation of this loop uses: "
            "give the id of a current amended scorecard."
        ]
    if not errors and not wanted_people and not wanted_amendments:
        errors["leave_out"] = ["Choose at least one interviewer to leave out or one amendment to ignore."]
    if errors:
        raise ValidationFailed("The what-if is not valid.", field_errors=errors)
    return tuple(people[pk] for pk in wanted_people), tuple(amendments[pk] for pk in wanted_amendments)


def _ids(ids: list[int]) -> str:
    return ", ".join(str(pk) for pk in ids)


def _changed_scorecards(
    inputs: LoopInputs, left_out: tuple[LeftOut, ...], ignored: tuple[IgnoredAmendment, ...]
) -> list[ScorecardInput]:
    """The loop's scorecard inputs without the people left out, the ignored amendments' previous revisions
    in their place (three queries when there are any, none otherwise)."""
    gone = {str(person.interviewer_id) for person in left_out}
    previous = _previous_revisions([amendment.scorecard_id for amendment in ignored])
    cards = []
    for (card_id, _), card in zip(inputs.scorecard_keys, inputs.scorecards, strict=True):
        if card.interviewer in gone:
            continue
        cards.append(replace(card, **previous[card_id]) if card_id in previous else card)
    return cards


def _previous_revisions(amendment_ids: list[int]) -> dict[int, dict[str, Any]]:
    """For each amended scorecard id: the revision it amends, as the fields of a ScorecardInput."""
    if not amendment_ids:
        return {}
    amends: dict[int, int] = {}
    overall: dict[int, str] = {}
    for amendment_id, original_id, original_overall in Scorecard.objects.filter(pk__in=amendment_ids).values_list(
        "pk", "amends_id", "amends__overall"
    ):
        # Every amendment amends a revision (the model's constraint); values_list cannot know it.
        amends[cast(int, original_id)] = amendment_id
        overall[cast(int, original_id)] = cast(str, original_overall)
    scores: dict[int, dict[str, int]] = {pk: {} for pk in amends}
    for card_id, name, score in (
        Rating.objects.filter(scorecard_id__in=amends, score__isnull=False)
        .order_by("scorecard_id", "dimension__position")
        .values_list("scorecard_id", "dimension__name", "score")
    ):
        scores[card_id][name] = cast(int, score)  # score__isnull=False
    flags: dict[int, list[str]] = {pk: [] for pk in amends}
    signals: dict[int, list[str]] = {pk: [] for pk in amends}
    for card_id, text, kind in (
        ObservedSignal.objects.filter(scorecard_id__in=amends)
        .order_by("scorecard_id", "signal__position")
        .values_list("scorecard_id", "signal__text", "signal__kind")
    ):
        (flags if kind == Signal.Kind.RED_FLAG else signals)[card_id].append(text)
    return {
        amendment_id: {
            "scores": scores[original_id],
            "overall": overall[original_id],
            "red_flags": tuple(flags[original_id]),
            "signals": tuple(signals[original_id]),
        }
        for original_id, amendment_id in amends.items()
    }
