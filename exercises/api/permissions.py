"""Who may call the exercise endpoints, checked before the body is read: the pages' rules, in their words.

The services check again and remain the authority; here a refused user gets 403 whatever they sent.
"""

from __future__ import annotations

from hiring.api.permissions import ReadOrAdmin, ReadOrRecruiting

ADMINS_EDIT = "Only admins add and edit exercises."
RECRUITERS_MANAGE = "Only recruiters and admins assign exercises and change deadlines."


class ReadOrAdminEdits(ReadOrAdmin):
    """Everyone signed in reads the library; admins add and edit exercises."""

    message = ADMINS_EDIT


class ReadOrManagesTakeHomes(ReadOrRecruiting):
    """Anyone signed in reads the take-homes the access rules show them; recruiters and admins manage them."""

    message = RECRUITERS_MANAGE

