"""What users set about themselves on their profile page: their Slack member id, for Slack's mentions, and their
interface language and time zone."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from hiring.accounts.locale import is_language, is_time_zone
from hiring.audit.services import audit_record
from hiring.errors import ValidationFailed
from hiring.models import User

# Slack member ids: U (or W, Enterprise Grid) and upper-case letters and digits, e.g. U024BE7LH.
SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,19}")


@transaction.atomic
def user_slack_id_set(*, actor: User, slack_user_id: str) -> User:
    """Set (or clear, with "") the actor's own Slack member id; audited when it changes."""
    value = slack_user_id.strip().upper()
    if value and not SLACK_USER_ID.fullmatch(value):
        raise ValidationFailed(_("That is not a Slack member id."), field_errors={"slack_user_id": [
            _("A Slack member id starts with U or W and has only letters and digits, like U024BE7LH. In Slack: your "
              "profile, ⋮ (more), Copy member ID.")]})
    user = User.objects.select_for_update().get(pk=actor.pk)
    if user.slack_user_id == value:
        return user
    before = user.slack_user_id
    user.slack_user_id = value
    user.save(update_fields=["slack_user_id"])
    audit_record(actor=actor, action="user.slack_id_changed", obj=user, before={"slack_user_id": before},
                 after={"slack_user_id": value})
    actor.slack_user_id = value
    return user


@transaction.atomic
def user_locale_set(*, actor: User, language: str, time_zone: str) -> User:
    """Set (or clear, with "") the actor's own interface language and time zone; audited when they change."""
    field_errors: dict[str, list[str]] = {}
    if language and not is_language(language):
        field_errors["language"] = [_("Choose one of the languages offered.")]
    if time_zone and not is_time_zone(time_zone):
        field_errors["time_zone"] = [_("Choose a time zone from the list, like Europe/Berlin.")]
    if field_errors:
        raise ValidationFailed(_("The language or time zone is not valid."), field_errors=field_errors)
    user = User.objects.select_for_update().get(pk=actor.pk)
    before = {"language": user.language, "time_zone": user.time_zone}
    after = {"language": language, "time_zone": time_zone}
    if before == after:
        return user
    user.language, user.time_zone = language, time_zone
    user.save(update_fields=["language", "time_zone"])
    audit_record(actor=actor, action="user.locale_changed", obj=user, before=before, after=after)
    actor.language, actor.time_zone = language, time_zone
    return user
