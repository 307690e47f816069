"""Sign-in with the company's identity provider (OpenID Connect), on mozilla-django-oidc.

An entry point, like the pages: it turns the provider's redirect into a call of
``hiring.accounts.provisioning.user_sign_in_with_identity``, which holds the
rules (who gets in, as what). docs/sign-in.md explains the flow and settings.

- ``conf``: the Hireloop settings, and the library's settings derived from them.
- ``discovery``: the provider's metadata, fetched from the issuer and cached.
- ``claims``: the provider's claims checked and turned into a ``ProviderIdentity``.
- ``backend``: the authentication backend (token exchange and ID token checks).
- ``views`` and ``urls``: starting the sign-in, the callback, and the pages that say what went wrong.
"""
