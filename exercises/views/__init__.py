"""Exercise pages: the library, admin editing, take-home assignment and review, and the candidate's page.

One module per sub-domain: ``library``, ``take_home_staff``, ``interview_kits`` and
``take_home_candidate``; what they share is in ``common``.

Views parse input, call one service or selector, and render; refusals from
the services become form errors or 4xx pages.
"""
