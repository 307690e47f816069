"""The rules of accounts from the identity provider (hiring/accounts/provisioning.py), without a provider."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hiring.accounts.provisioning import ProviderIdentity, RoleMap, SignInRefused, user_sign_in_with_identity
from hiring.models import AuditEvent, User
from tests.hiring.factories import UserFactory

pytestmark = pytest.mark.django_db

ISSUER = "https://idp.example.com"
ROLES = RoleMap(groups_by_kind={
    User.Kind.ADMIN: frozenset({"admins"}),
    User.Kind.RECRUITER: frozenset({"recruiting"}),
    User.Kind.COMMITTEE: frozenset({"committee"}),
    User.Kind.INTERVIEWER: frozenset({"engineering", "design"}),
})
NINA = ProviderIdentity(issuer=ISSUER, subject="00u1nina", email="nina@example.com", email_verified=True,
                        first_name="Nina", last_name="Novak", groups=("engineering",))


def _snapshot() -> list[tuple]:
    return list(User.objects.order_by("pk").values_list(
        "username", "email", "kind", "is_active", "is_staff", "is_superuser", "oidc_subject"))


@pytest.mark.parametrize(("groups", "kind"), [
    (("engineering",), User.Kind.INTERVIEWER),
    (("design", "committee"), User.Kind.COMMITTEE),
    (("committee", "recruiting"), User.Kind.RECRUITER),
    (("engineering", "admins", "recruiting"), User.Kind.ADMIN),
    (("finance",), None),
    ((), None),
])
def test_role_map_gives_the_highest_role_of_the_groups(groups, kind):
    """Admin, then recruiter, then committee, then interviewer: the first role any of the groups gives."""
    assert ROLES.kind_for(groups) == kind


def test_user_sign_in_with_identity_creates_a_user_with_no_password():
    """A new person gets an account named after their email, the mapped role and no usable password."""
    user = user_sign_in_with_identity(identity=replace(NINA, email="Nina.Novak+hl@Example.com"), role_map=ROLES)

    assert (user.username, user.email, user.kind, user.is_active) == (
        "nina.novak+hl@example.com", "Nina.Novak+hl@Example.com", "interviewer", True)
    assert (user.oidc_issuer, user.oidc_subject) == (ISSUER, "00u1nina")
    assert not user.has_usable_password()


def test_user_sign_in_with_identity_takes_a_free_username():
    """A local account already named like the email keeps its name; the new one gets a numbered one."""
    UserFactory(username="nina@example.com", email="someone.else@example.com")

    user = user_sign_in_with_identity(identity=NINA, role_map=ROLES)

    assert user.username == "nina@example.com-2"


def test_user_sign_in_with_identity_gives_admins_the_django_admin_and_takes_it_away():
    """The admin group makes a staff superuser; leaving it for another group undoes both."""
    admin = user_sign_in_with_identity(identity=replace(NINA, groups=("admins",)), role_map=ROLES)
    assert (admin.kind, admin.is_staff, admin.is_superuser) == ("admin", True, True)

    demoted = user_sign_in_with_identity(identity=replace(NINA, groups=("recruiting",)), role_map=ROLES)

    assert demoted.pk == admin.pk
    assert (demoted.kind, demoted.is_staff, demoted.is_superuser) == ("recruiter", False, False)


def test_user_sign_in_with_identity_refuses_two_accounts_with_the_email():
    """Two unlinked accounts share the email: neither is picked, nothing changes."""
    UserFactory(username="n1", email="nina@example.com")
    UserFactory(username="n2", email="NINA@example.com")
    before = _snapshot()

    with pytest.raises(SignInRefused) as refused:
        user_sign_in_with_identity(identity=NINA, role_map=ROLES)

    assert refused.value.code == "email_ambiguous"
    assert _snapshot() == before
    assert AuditEvent.objects.count() == 0


def test_user_sign_in_with_identity_never_takes_over_an_account_linked_to_someone_else():
    """The email now belongs to another person at the provider (another `sub`): the old account stays theirs."""
    user_sign_in_with_identity(identity=NINA, role_map=ROLES)
    before = _snapshot()
    events = AuditEvent.objects.count()

    with pytest.raises(SignInRefused) as refused:
        user_sign_in_with_identity(identity=replace(NINA, subject="00u2other"), role_map=ROLES)

    assert refused.value.code == "email_linked_elsewhere"
    assert _snapshot() == before
    assert AuditEvent.objects.count() == events


def test_user_sign_in_with_identity_refuses_an_unverified_email_before_looking():
    """The provider says the address is unverified: no account is found by it, none is made."""
    UserFactory(username="nina", email="nina@example.com", kind="admin")
    before = _snapshot()

    with pytest.raises(SignInRefused) as refused:
        user_sign_in_with_identity(identity=replace(NINA, email_verified=False), role_map=ROLES)

    assert refused.value.code == "email_unverified"
    assert _snapshot() == before


def test_user_sign_in_with_identity_deactivates_someone_in_no_mapped_group():
    """The deactivation is kept (its own transaction), audited as the provider's doing, and then refused."""
    user = user_sign_in_with_identity(identity=NINA, role_map=ROLES)

    with pytest.raises(SignInRefused) as refused:
        user_sign_in_with_identity(identity=replace(NINA, groups=("finance",)), role_map=ROLES)

    assert refused.value.code == "no_mapped_group"
    user.refresh_from_db()
    assert (user.is_active, user.kind) == (False, "interviewer")
    event = AuditEvent.objects.filter(action="user.role_changed").get()
    assert (event.actor_id, event.object_id, event.before, event.after) == (
        None, str(user.pk), {"is_active": True}, {"is_active": False, "via": "oidc"})


def test_user_sign_in_with_identity_reactivates_nobody():
    """Back in a group after a deactivation: still refused until an admin reactivates the account."""
    user = user_sign_in_with_identity(identity=NINA, role_map=ROLES)
    User.objects.filter(pk=user.pk).update(is_active=False)
    before = _snapshot()

    with pytest.raises(SignInRefused) as refused:
        user_sign_in_with_identity(identity=NINA, role_map=ROLES)

    assert refused.value.code == "account_inactive"
    assert _snapshot() == before
