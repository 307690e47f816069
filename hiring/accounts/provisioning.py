"""Accounts from the company's identity provider: who may sign in through it, as what, and keeping that true.

The provider is the source of truth for everyone who signs in through it. Each
sign-in sets the person's name, email and role from what the provider says
(its claims); the role comes from the groups the person is in (``RoleMap``).
Someone in no mapped group has no business in Hireloop: a new person is not
created, and an existing account is deactivated, which also ends its sessions
and API tokens (both check ``is_active`` on every request).

An account is found by the provider's stable identifier (issuer and ``sub``)
once linked; the first sign-in links it, to an existing account with the same
email address (case-insensitive) or to a new one. Email addresses are reused
and renamed over the years, so after that first link they never decide who
someone is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from hiring.accounts.roles import user_record_role_change, user_role_values
from hiring.audit.services import audit_record
from hiring.errors import PermissionRefused
from hiring.models import User

# A person in groups mapped to several roles gets the first of these.
ROLE_PRECEDENCE = (User.Kind.ADMIN, User.Kind.RECRUITER, User.Kind.COMMITTEE, User.Kind.INTERVIEWER)
USERNAME_MAX = 150
_USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")


class SignInRefused(PermissionRefused):
    """The provider vouched for the person, but Hireloop does not let them in; ``message`` says why, to them."""

    default_code = "sign_in_refused"


@dataclass(frozen=True)
class ProviderIdentity:
    """What the provider says about the person signing in, already checked for shape by the caller."""

    issuer: str
    subject: str
    email: str
    # None when the provider does not say (Microsoft Entra ID never does).
    email_verified: bool | None
    first_name: str
    last_name: str
    groups: tuple[str, ...]


@dataclass(frozen=True)
class RoleMap:
    """Which provider groups (or claim values) give which Hireloop role."""

    groups_by_kind: Mapping[str, frozenset[str]]

    def kind_for(self, groups: Iterable[str]) -> User.Kind | None:
        held = set(groups)
        for kind in ROLE_PRECEDENCE:
            if held & self.groups_by_kind.get(kind, frozenset()):
                return kind
        return None

    @property
    def is_empty(self) -> bool:
        return not any(self.groups_by_kind.values())


def _apply_role(user: User, kind: User.Kind) -> None:
    # The provider's admin group is the whole of admin rights, the Django admin included; leaving it takes
    # them all away, so a local superuser who signs in through the provider gets exactly what it says.
    user.kind = kind
    user.is_staff = kind == User.Kind.ADMIN
    user.is_superuser = kind == User.Kind.ADMIN


def _free_username(email: str) -> str:
    base = _USERNAME_UNSAFE.sub("_", email.lower())[:USERNAME_MAX]
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        suffix = f"-{n}"
        candidate = base[: USERNAME_MAX - len(suffix)] + suffix
    return candidate


def _linked_account(identity: ProviderIdentity) -> User | None:
    return (
        User.objects.select_for_update()
        .filter(oidc_issuer=identity.issuer, oidc_subject=identity.subject)
        .first()
    )


def _account_by_email(identity: ProviderIdentity) -> User | None:
    """The one account with the identity's email and no provider identity yet; refuses when that is ambiguous."""
    matches = list(User.objects.select_for_update().filter(email__iexact=identity.email).order_by("pk")[:2])
    if not matches:
        return None
    if len(matches) > 1:
        raise SignInRefused(
            gettext("More than one Hireloop account has your email address, so Hireloop cannot tell which is yours. "
            "Ask a Hireloop admin to remove the duplicate."),
            code="email_ambiguous",
        )
    user = matches[0]
    if user.oidc_subject:
        # Someone else's identity at the provider (or at a previous provider) owns this account: an email
        # address that moved to another person must not hand them the old owner's account.
        raise SignInRefused(
            gettext("Your email address belongs to a Hireloop account that is linked to a different identity at the "
            "identity provider. Ask a Hireloop admin to check the account."),
            code="email_linked_elsewhere",
        )
    return user


def user_sign_in_with_identity(*, identity: ProviderIdentity, role_map: RoleMap) -> User:
    """Find or create the account of the person the provider vouched for, and bring it up to date.

    Returns the active account to sign in. Raises ``SignInRefused`` (and
    changes nothing) when the person may not sign in; except that an existing
    account whose person is in no mapped group any more is deactivated first:
    that change commits in its own transaction before the refusal is raised,
    which is why this service must not run inside another transaction.

    There is no acting user (the person is not signed in yet): role changes
    are audited with ``via="oidc"`` and no actor, as the provider's doing.
    """
    kind = role_map.kind_for(identity.groups)
    if identity.email_verified is False:
        raise SignInRefused(
            gettext(
                "The identity provider says your email address is not verified. Verify it there, then sign in again."
            ),
            code="email_unverified",
        )
    with transaction.atomic(durable=True):
        user = _linked_account(identity)
        linking = user is None
        if user is None:
            user = _account_by_email(identity)
        if user is None:
            if kind is None:
                raise _no_group_refusal(deactivated=False)
            return _create(identity, kind)
        if not user.is_active:
            raise SignInRefused(
                gettext("Your Hireloop account is deactivated. Ask a Hireloop admin to reactivate it."),
                code="account_inactive",
            )
        before = user_role_values(user)
        if kind is None:
            user.is_active = False
            user.save(update_fields=["is_active"])
            user_record_role_change(actor=None, user=user, before=before, via="oidc")
        else:
            _update(user, identity, kind, linking=linking)
            user_record_role_change(actor=None, user=user, before=before, via="oidc")
            return user
    raise _no_group_refusal(deactivated=True)


def _no_group_refusal(*, deactivated: bool) -> SignInRefused:
    if deactivated:
        return SignInRefused(
            gettext("You are no longer in any group that gives access to Hireloop, so your Hireloop account has been "
            "deactivated. If that is a mistake, ask your identity provider's administrators to add you back, "
            "then ask a Hireloop admin to reactivate your account."),
            code="no_mapped_group",
        )
    return SignInRefused(
        gettext("You are not in any group that gives access to Hireloop. Ask your identity provider's administrators "
        "to add you to the Hireloop group for your role."),
        code="no_mapped_group",
    )


def _create(identity: ProviderIdentity, kind: User.Kind) -> User:
    user = User(
        username=_free_username(identity.email),
        email=identity.email,
        first_name=identity.first_name,
        last_name=identity.last_name,
        oidc_issuer=identity.issuer,
        oidc_subject=identity.subject,
    )
    _apply_role(user, kind)
    # The provider vouches for the person; a password would only be a second way in to guard.
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save(force_insert=True)
    except IntegrityError as exc:
        # Two first sign-ins of the same person at the same moment: the other one created the account.
        raise SignInRefused(
            gettext("Your account was being created by another sign-in at the same moment. Sign in again."),
            code="sign_in_race",
        ) from exc
    user_record_role_change(actor=None, user=user, before=None, via="oidc")
    return user


def _update(user: User, identity: ProviderIdentity, kind: User.Kind, *, linking: bool) -> None:
    user.email = identity.email
    user.first_name = identity.first_name
    user.last_name = identity.last_name
    _apply_role(user, kind)
    fields = ["email", "first_name", "last_name", "kind", "is_staff", "is_superuser"]
    if linking:
        user.oidc_issuer, user.oidc_subject = identity.issuer, identity.subject
        fields += ["oidc_issuer", "oidc_subject"]
    user.save(update_fields=fields)
    if linking:
        audit_record(
            actor=None,
            action="user.identity_linked",
            obj=user,
            after={"via": "oidc", "issuer": identity.issuer, "subject": identity.subject},
        )
