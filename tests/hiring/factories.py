"""Factories for people and candidates; loops and interviews are built through services."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import factory
from django.utils import timezone

from hiring.models import Candidate, Interview, InterviewLoop, Role, User
from hiring.services.interviews import InterviewPlan, interview_schedule
from hiring.services.loops import loop_open

TEST_PASSWORD = "hireloop-test"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    kind = User.Kind.INTERVIEWER
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    class Params:
        recruiter = factory.Trait(kind=User.Kind.RECRUITER)
        committee = factory.Trait(kind=User.Kind.COMMITTEE)
        admin = factory.Trait(kind=User.Kind.ADMIN, is_staff=True, is_superuser=True)

    if TYPE_CHECKING:
        # factory_boy's metaclass makes ``UserFactory(...)`` return the created model, which mypy cannot see;
        # declared for the type checker only, so runtime behaviour is untouched.
        def __new__(cls, **kwargs: Any) -> User: ...  # type: ignore[misc]  # not a UserFactory, by design

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: dict[str, Any] | None = None) -> None:
        if create:
            instance.save()


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"candidate{n}@example.org")
    phone = "+44 20 7946 0000"
    source = "Referral"

    if TYPE_CHECKING:
        # As for UserFactory: calling the factory returns the created Candidate.
        def __new__(cls, **kwargs: Any) -> Candidate: ...  # type: ignore[misc]  # not a CandidateFactory, by design


def make_loop(*, role_slug: str = "applied-ai-engineer", recruiter: User | None = None, **kwargs: Any) -> InterviewLoop:
    """Open a loop through the service, publishing the role's fixture rubric if needed."""
    from tests.scorecards.factories import publish_fixture_rubrics

    publish_fixture_rubrics([role_slug])
    recruiter = recruiter or UserFactory(recruiter=True)
    candidate = kwargs.pop("candidate", None) or CandidateFactory()
    return loop_open(actor=recruiter, candidate=candidate, role=Role.objects.get(slug=role_slug),
                     recruiter=recruiter, **kwargs)


def make_interview(
    *,
    loop: InterviewLoop,
    interviewer: User | None = None,
    kind: str = Interview.Kind.CODING,
    focus: list[str] | None = None,
    starts_in: timedelta = timedelta(hours=-3),
    duration: timedelta = timedelta(hours=1),
    **plan_kwargs: Any,
) -> Interview:
    """Schedule an interview through the service; ``focus`` names dimensions (default: the first two)."""
    dimensions = list(loop.rubric.dimensions.all())
    focus_ids = [d.pk for d in dimensions if d.name in focus] if focus is not None else [d.pk for d in dimensions[:2]]
    starts_at = timezone.now() + starts_in
    plan = InterviewPlan(
        kind=kind,
        interviewer=interviewer or UserFactory(),
        starts_at=starts_at,
        ends_at=starts_at + duration,
        focus_dimension_ids=focus_ids,
        **plan_kwargs,
    )
    assert loop.recruiter is not None, "make_interview schedules as the loop's recruiter; this loop has none"
    return interview_schedule(actor=loop.recruiter, loop=loop, plan=plan)
