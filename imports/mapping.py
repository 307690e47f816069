"""The mapping file: which Hireloop role each ATS job is, and which rubric dimension each attribute scores.

``import_history --suggest-mapping`` drafts it by matching names; an admin
reviews it; the import reads it. Format (YAML)::

    source: greenhouse
    default_interview_kind: behavioural
    interview_kinds:              # interview name in the ATS -> Hireloop's kind of interview
      "Technical Phone Screen": phone_screen
    jobs:
      "6404":                     # the ATS's job id (a Lever posting id)
        name: "Staff ML Engineer" # for the reader
        role: applied-ai-engineer # a Hireloop role slug; null: the job's applications are not imported
        attributes:               # scorecard attribute (Lever: feedback field or skill) -> dimension
          "Communication": "Communication & collaboration"
          "Culture add": null     # not imported: reported as unmapped on every run
    archive_reasons:              # Lever only: archive reason id -> hired, rejected or withdrawn
      "63dd55b2-...": hired
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hiring.models import Interview, Role
from imports.sources.history import History, Outcome
from imports.sources.reading import ImportRefused, Problems
from scorecards.models import Rubric

ARCHIVE_OUTCOMES = {"hired": Outcome.HIRED, "rejected": Outcome.REJECTED, "withdrawn": Outcome.WITHDRAWN}
DEFAULT_KIND = Interview.Kind.BEHAVIOURAL.value
# Words in an interview's name that say its kind, for the draft; the admin corrects what they miss.
KIND_WORDS = (
    ("take-home", Interview.Kind.TAKE_HOME_REVIEW), ("take home", Interview.Kind.TAKE_HOME_REVIEW),
    ("phone", Interview.Kind.PHONE_SCREEN), ("screen", Interview.Kind.PHONE_SCREEN),
    ("system design", Interview.Kind.SYSTEM_DESIGN), ("architecture", Interview.Kind.SYSTEM_DESIGN),
    ("coding", Interview.Kind.CODING), ("programming", Interview.Kind.CODING), ("technical", Interview.Kind.CODING),
    ("machine learning", Interview.Kind.ML_FUNDAMENTALS), ("ml ", Interview.Kind.ML_FUNDAMENTALS),
    ("practical", Interview.Kind.PRACTICAL), ("exercise", Interview.Kind.PRACTICAL),
    ("hiring manager", Interview.Kind.HIRING_MANAGER), ("behavio", Interview.Kind.BEHAVIOURAL),
    ("culture", Interview.Kind.BEHAVIOURAL), ("values", Interview.Kind.BEHAVIOURAL),
)


@dataclass(frozen=True)
class JobMapping:
    job_id: str
    role_id: int | None
    rubric_id: int | None
    # attribute name (folded) -> dimension id; None: left unmapped on purpose.
    dimensions: dict[str, int | None]


@dataclass(frozen=True)
class Mapping:
    path: str
    jobs: dict[str, JobMapping]
    interview_kinds: dict[str, str]  # folded interview name -> kind
    default_kind: str
    archive_reasons: dict[str, str]  # reason id -> Outcome

    def kind_of(self, interview_name: str) -> str:
        return self.interview_kinds.get(fold(interview_name), self.default_kind)


def fold(text: str) -> str:
    """Names match ignoring case, surrounding and repeated spaces."""
    return " ".join(text.split()).casefold()


def load_mapping(path: Path, *, source: str) -> Mapping:
    """The mapping file, checked against the roles and rubrics in the database; ImportRefused otherwise."""
    name = path.name
    problems = Problems()
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ImportRefused(_one(name, "no such file: draft one with --suggest-mapping")) from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ImportRefused(_one(name, f"not valid YAML{where}")) from None
    if not isinstance(spec, dict):
        raise ImportRefused(_one(name, "must be a YAML mapping with source and jobs"))
    if spec.get("source") != source:
        problems.add(name, "source", f"must be {source!r} (this mapping is for {spec.get('source')!r})")
    kinds = set(Interview.Kind.values)
    default_kind = spec.get("default_interview_kind", DEFAULT_KIND)
    if default_kind not in kinds:
        problems.add(name, "default_interview_kind", f"must be one of {', '.join(sorted(kinds))}")
    interview_kinds: dict[str, str] = {}
    for interview, kind in _mapping_of(spec, "interview_kinds", name, problems).items():
        if kind not in kinds:
            problems.add(name, f"interview_kinds.{interview}", f"must be one of {', '.join(sorted(kinds))}")
        interview_kinds[fold(str(interview))] = str(kind)
    archive: dict[str, str] = {}
    for reason, outcome in _mapping_of(spec, "archive_reasons", name, problems).items():
        if outcome not in ARCHIVE_OUTCOMES:
            problems.add(name, f"archive_reasons.{reason}", "must be hired, rejected or withdrawn")
        else:
            archive[str(reason)] = ARCHIVE_OUTCOMES[outcome]
    jobs = {str(job_id): _job(str(job_id), entry, name, problems)
            for job_id, entry in _mapping_of(spec, "jobs", name, problems).items()}
    problems.raise_any()
    return Mapping(str(path), jobs, interview_kinds, str(default_kind), archive)


def _one(name: str, message: str) -> list[Any]:
    problems = Problems()
    problems.add(name, "", message)
    return problems.items


def _mapping_of(spec: dict[str, Any], key: str, name: str, problems: Problems) -> dict[Any, Any]:
    value = spec.get(key) or {}
    if not isinstance(value, dict):
        problems.add(name, key, "must be a mapping")
        return {}
    return value


def _job(job_id: str, entry: Any, name: str, problems: Problems) -> JobMapping:
    where = f"jobs.{job_id}"
    if not isinstance(entry, dict):
        problems.add(name, where, "must be a mapping with role and attributes")
        return JobMapping(job_id, None, None, {})
    slug = entry.get("role")
    if slug is None:
        return JobMapping(job_id, None, None, {})
    role = Role.objects.filter(slug=str(slug)).first()
    rubric = Rubric.objects.filter(role=role).order_by("-version").first() if role is not None else None
    if role is None or rubric is None:
        problems.add(name, f"{where}.role", f"{slug!r} is not a Hireloop role with a published rubric")
        return JobMapping(job_id, None, None, {})
    dimensions = {fold(d.name): d for d in rubric.dimensions.all()}
    mapped: dict[str, int | None] = {}
    used: dict[int, str] = {}
    attributes = entry.get("attributes") or {}
    if not isinstance(attributes, dict):
        problems.add(name, f"{where}.attributes", "must be a mapping of attribute names to dimension names")
        attributes = {}
    for attribute, dimension_name in attributes.items():
        if dimension_name is None:
            mapped[fold(str(attribute))] = None
            continue
        dimension = dimensions.get(fold(str(dimension_name)))
        if dimension is None:
            problems.add(name, f"{where}.attributes.{attribute}",
                         f"{dimension_name!r} is not a dimension of {slug!r} (version {rubric.version}): "
                         + "; ".join(d.name for d in dimensions.values()))
            continue
        if dimension.pk in used:
            # Two ratings of one dimension on one scorecard would have to be merged into a score nobody gave.
            problems.add(name, f"{where}.attributes.{attribute}",
                         f"{dimension.name!r} is already the dimension of {used[dimension.pk]!r}; "
                         "map each dimension from one attribute")
            continue
        used[dimension.pk] = str(attribute)
        mapped[fold(str(attribute))] = dimension.pk
    return JobMapping(job_id, role.pk, rubric.pk, mapped)


# --- the draft ------------------------------------------------------------------------------------


def _closest(name: str, candidates: dict[str, str], cutoff: float) -> tuple[str | None, bool]:
    """(the candidate's value whose key is closest to ``name``, whether the match was exact)."""
    key = _words(name)
    if key in candidates:
        return candidates[key], True
    found = difflib.get_close_matches(key, list(candidates), n=1, cutoff=cutoff)
    return (candidates[found[0]], False) if found else (None, False)


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _q(text: object) -> str:
    # A JSON string is a valid YAML scalar, quotes and unicode included.
    return json.dumps(str(text), ensure_ascii=False)


def suggest_mapping(history: History, *, directory: str) -> str:
    """A draft mapping file (YAML text with comments) matching the history's names against Hireloop's."""
    roles = {_words(role.title): role.slug for role in Role.objects.order_by("slug")}
    roles.update({_words(role.slug.replace("-", " ")): role.slug for role in Role.objects.all()})
    dimension_names: dict[str, dict[str, str]] = {}
    for rubric in Rubric.objects.select_related("role").prefetch_related("dimensions").order_by("role", "version"):
        dimension_names[rubric.role.slug] = {_words(d.name): d.name for d in rubric.dimensions.all()}
    attributes: dict[str, Counter[str]] = {}
    job_of = {a.external_id: a.job_id for a in history.applications.values()}
    for card in history.scorecards:
        counter = attributes.setdefault(job_of[card.application_id], Counter())
        counter.update(r.name for r in card.ratings)
    lines = [
        f"# Hireloop import mapping for {history.source.title()}, drafted by import_history --suggest-mapping",
        f"# from {directory}. Review every line marked 'check' before importing; null leaves a job or an",
        "# attribute out (an attribute left out is reported on every run).",
        f"source: {history.source}",
        f"default_interview_kind: {DEFAULT_KIND}  # one of: {', '.join(Interview.Kind.values)}",
        "interview_kinds:",
    ]
    names = Counter(i.name for i in history.interviews) + Counter(c.interview_name for c in history.scorecards)
    for interview_name, count in sorted(names.items()):
        if not interview_name:
            continue
        kind = next((k for word, k in KIND_WORDS if word in f"{interview_name.casefold()} "), None)
        note = f"{count} interview(s)" + ("" if kind else "; no kind matched the name: check")
        lines.append(f"  {_q(interview_name)}: {kind or DEFAULT_KIND}  # {note}")
    lines.append("jobs:")
    used = Counter(job_of.values())
    for job in sorted(history.jobs.values(), key=lambda j: (j.name.casefold(), j.external_id)):
        if not used[job.external_id]:
            continue
        slug, exact = _closest(job.name, roles, 0.6) if job.name else (None, False)
        role_note = "matched by name" if exact else ("guessed from the name: check" if slug
                                                     else "no role matched: set one, or null to leave it out")
        lines += [
            f"  {_q(job.external_id)}:",
            f"    name: {_q(job.name)}  # {used[job.external_id]} application(s)",
            f"    role: {slug or 'null'}  # {role_note}",
            "    attributes:",
        ]
        for attribute, count in sorted(attributes.get(job.external_id, Counter()).items()):
            dimension, exact = _closest(attribute, dimension_names.get(slug or "", {}), 0.6)
            note = f"{count} rating(s); " + ("matched by name" if exact else "guessed: check" if dimension
                                             else "no dimension matched: map it, or leave it out")
            lines.append(f"      {_q(attribute)}: {_q(dimension) if dimension else 'null'}  # {note}")
    reasons = Counter(a.archive_reason for a in history.applications.values() if a.outcome == Outcome.ARCHIVED)
    if history.source == "lever":
        lines.append("archive_reasons:  # hired, rejected or withdrawn (closed with no decision)")
        for reason, count in sorted(reasons.items()):
            lines.append(f"  {_q(reason)}: withdrawn  # {count} opportunit(ies): check")
    return "\n".join(lines) + "\n"
