"""What exists before generating: the newest rubric of every role and the generated people.

Generated users are named ``load-...`` and share one password: this is for
benchmark and staging databases, never for production. The limits on a run
that depend on the database are here too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db import models

from bench.loadgen.vocabulary import FIRST_NAMES, LAST_NAMES
from bench.loadgen.writers import ID_TABLES
from exercises.models import Exercise
from hiring.models import Role, User
from scorecards.models import Dimension, Rubric, Signal
from scorecards.recommendations.rules import DimensionSpec, RubricSpec, weight_label

DEFAULT_PASSWORD = "hireloop-load"  # noqa: S105 - a documented password for generated benchmark users only.
USER_PREFIX = "load-"


@dataclass
class RubricInfo:
    role_id: int
    slug: str
    rubric_id: int
    dimension_ids: list[int]
    dimension_names: dict[int, str]
    spec: RubricSpec
    weights: dict[int, float]
    strong_signals: list[int]
    weak_signals: list[int]
    red_flags: list[tuple[int, str]]
    exercises: list[int]


@dataclass
class Staff:
    interviewers: list[int]
    leniency: dict[int, float]
    lateness: dict[int, float]
    pools: dict[str, list[int]]
    managers: list[int]
    recruiters: list[int]
    committee: list[int]


def load_rubrics_info() -> dict[str, RubricInfo]:
    """The newest rubric version of every role, with what the generator needs of it."""
    result = {}
    for role in Role.objects.order_by("slug"):
        rubric = Rubric.objects.filter(role=role).order_by("-version").first()
        if rubric is None:
            continue
        dimensions = list(Dimension.objects.filter(rubric=rubric).order_by("position"))
        signals = list(Signal.objects.filter(rubric=rubric).order_by("position"))
        total = float(sum(d.weight_value for d in dimensions))
        result[role.slug] = RubricInfo(
            role_id=role.pk,
            slug=role.slug,
            rubric_id=rubric.pk,
            dimension_ids=[d.pk for d in dimensions],
            dimension_names={d.pk: d.name for d in dimensions},
            spec=RubricSpec(
                dimensions=tuple(
                    DimensionSpec(name=d.name, weight=d.weight_value, critical=d.critical,
                                  weight_label=weight_label(d.weight_given, d.weight_kind))
                    for d in dimensions
                ),
                hire_threshold=rubric.hire_threshold,
                discuss_threshold=rubric.discuss_threshold,
                critical_floor=rubric.critical_floor,
                min_coverage=rubric.min_coverage,
            ),
            weights={d.pk: float(d.weight_value) / total for d in dimensions},
            strong_signals=[s.pk for s in signals if s.kind == Signal.Kind.STRONG],
            weak_signals=[s.pk for s in signals if s.kind == Signal.Kind.WEAK],
            red_flags=[(s.pk, s.text) for s in signals if s.kind == Signal.Kind.RED_FLAG],
            exercises=list(Exercise.objects.filter(role=role, is_active=True).order_by("position")
                           .values_list("pk", flat=True)),
        )
    return result


def ensure_staff(*, interviewers: int, recruiters: int, committee: int, password: str, role_slugs: list[str]) -> Staff:
    """The generated people (``load-...``), created once and reused by later runs."""
    password_hash = make_password(password)
    wanted = (
        [(f"{USER_PREFIX}iv-{n:03d}", User.Kind.INTERVIEWER) for n in range(1, interviewers + 1)]
        + [(f"{USER_PREFIX}rec-{n:02d}", User.Kind.RECRUITER) for n in range(1, recruiters + 1)]
        + [(f"{USER_PREFIX}com-{n:02d}", User.Kind.COMMITTEE) for n in range(1, committee + 1)]
    )
    existing = set(User.objects.filter(username__startswith=USER_PREFIX).values_list("username", flat=True))
    names = random.Random(0)  # people's names do not depend on the seed: reruns reuse them
    User.objects.bulk_create(
        [
            User(username=username, kind=kind, password=password_hash, email=f"{username}@load.example.com",
                 first_name=names.choice(FIRST_NAMES), last_name=names.choice(LAST_NAMES))
            for username, kind in wanted
            if username not in existing
        ]
    )
    ids = dict(User.objects.filter(username__in=[u for u, _ in wanted]).values_list("username", "pk"))
    interviewer_ids = [ids[u] for u, k in wanted if k == User.Kind.INTERVIEWER]
    traits = random.Random(1)  # leniency is a trait of the person, the same on every run
    leniency = {}
    for person in interviewer_ids:
        roll = traits.random()
        # Most are close to the panel; a few are markedly lenient or severe.
        leniency[person] = traits.gauss(0.7, 0.15) if roll < 0.04 else traits.gauss(-0.7, 0.15) if roll < 0.08 \
            else traits.gauss(0.0, 0.15)
    lateness = {person: traits.lognormvariate(0.0, 0.5) for person in interviewer_ids}
    pools: dict[str, list[int]] = {slug: [] for slug in role_slugs}
    for index, person in enumerate(interviewer_ids):
        pools[role_slugs[index % len(role_slugs)]].append(person)
        if traits.random() < 0.5:
            pools[traits.choice(role_slugs)].append(person)
    pools = {slug: sorted(set(members)) for slug, members in pools.items()}
    return Staff(
        interviewers=interviewer_ids,
        leniency=leniency,
        lateness=lateness,
        pools=pools,
        managers=interviewer_ids[: max(1, len(interviewer_ids) // 10)],
        recruiters=[ids[u] for u, k in wanted if k == User.Kind.RECRUITER],
        committee=[ids[u] for u, k in wanted if k == User.Kind.COMMITTEE],
    )


def next_free_ids() -> dict[type[models.Model], int]:
    return {model: (model._default_manager.aggregate(top=models.Max("id"))["top"] or 0) + 1 for model in ID_TABLES}


def opening_times(count: int, *, rng: random.Random, now: datetime, span: timedelta) -> list[datetime]:
    """When each loop opened: spread over the span, on working hours, oldest first (ids follow time)."""
    seconds = span.total_seconds()
    times = sorted(now - timedelta(seconds=rng.random() * seconds) for _ in range(count))
    return [t.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59), second=0, microsecond=0) for t in times]


MAX_LOOPS_WITHOUT_COPY = 2000


def require_copy_for(vendor: str, loops: int) -> None:
    """Refuse a data set too large to write without PostgreSQL's COPY."""
    if vendor != "postgresql" and loops > MAX_LOOPS_WITHOUT_COPY:
        raise CommandError(
            f"{loops} loops on {vendor} would take very long (no COPY there): use PostgreSQL "
            f"(set DATABASE_URL) for large data sets, or at most {MAX_LOOPS_WITHOUT_COPY} loops."
        )

