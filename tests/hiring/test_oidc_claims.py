"""The provider's claims turned into an identity (hiring/oidc/claims.py): shapes providers really send."""

from __future__ import annotations

from typing import Any

import pytest

from hiring.oidc.claims import identity_from_claims
from hiring.oidc.errors import OidcSignInFailed

ISSUER = "https://idp.example.com"
BASE: dict[str, Any] = {"sub": "00u1", "email": "nina@example.com"}


def test_identity_from_claims_takes_names_email_and_groups():
    identity = identity_from_claims(
        {**BASE, "email_verified": True, "given_name": " Nina ", "family_name": "Novak", "groups": ["a", "b"]},
        issuer=ISSUER,
    )

    assert (identity.issuer, identity.subject, identity.email, identity.email_verified) == (
        ISSUER, "00u1", "nina@example.com", True)
    assert (identity.first_name, identity.last_name, identity.groups) == ("Nina", "Novak", ("a", "b"))


@pytest.mark.parametrize(("extra", "first", "last", "verified"), [
    ({"name": "Nina Novak"}, "Nina Novak", "", None),  # Microsoft Entra ID without optional claims
    ({"email_verified": "false"}, "", "", False),  # Amazon Cognito's string booleans
    ({"email_verified": "yes"}, "", "", None),
])
def test_identity_from_claims_reads_the_variants(extra, first, last, verified):
    identity = identity_from_claims({**BASE, **extra}, issuer=ISSUER)

    assert (identity.first_name, identity.last_name, identity.email_verified) == (first, last, verified)


@pytest.mark.parametrize(("role_claims", "claims", "groups"), [
    (["groups"], {"groups": "solo"}, ("solo",)),
    (["groups"], {}, ()),
    (["groups"], {"groups": ["a", 7, None, "b"]}, ("a", "b")),
    (["realm_access.roles"], {"realm_access": {"roles": ["hl-recruiters"]}}, ("hl-recruiters",)),
    (["realm_access.roles"], {"realm_access": "odd"}, ()),
    (["hd", "email"], {"hd": "example.com"}, ("example.com", "nina@example.com")),
])
def test_identity_from_claims_pools_the_role_claims(settings, role_claims, claims, groups):
    """Lists, single values and nested claims; values of several claims are pooled; non-strings are dropped."""
    settings.HIRELOOP_OIDC_ROLE_CLAIMS = role_claims

    assert identity_from_claims({**BASE, **claims}, issuer=ISSUER).groups == groups


@pytest.mark.parametrize(("claims", "code"), [
    ({"email": "nina@example.com"}, "claim_sub"),
    ({"sub": "", "email": "nina@example.com"}, "claim_sub"),
    ({"sub": "x" * 256, "email": "nina@example.com"}, "claim_sub"),
    ({"sub": "00u1"}, "claim_email"),
    ({"sub": "00u1", "email": ["nina@example.com"]}, "claim_email"),
    ({"sub": "00u1", "email": "not an address"}, "claim_email"),
    ({**BASE, "groups": {"a": 1}}, "claim_groups"),
    ({**BASE, "_claim_names": {"groups": "src1"}, "_claim_sources": {"src1": {"endpoint": "https://graph"}}},
     "claim_groups_overage"),
])
def test_identity_from_claims_refuses_what_it_cannot_use(claims, code):
    """Each refusal names the claim; an Entra group overage is "unknown groups", not "no group"."""
    with pytest.raises(OidcSignInFailed) as failed:
        identity_from_claims(claims, issuer=ISSUER)

    assert failed.value.code == code
    assert failed.value.status == 400
