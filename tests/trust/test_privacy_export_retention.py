"""Export on request (command and admin button) and retention (dry-run listing, then anonymisation)."""

from __future__ import annotations

import io
import json
from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from hiring.models import AuditEvent, Candidate, InterviewLoop
from privacy.retention import retention_due
from tests.hiring.factories import CandidateFactory, make_loop
from tests.trust.seeding import seed_candidate


def test_candidate_export_command_writes_everything_held_as_json(db, committee_member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seeded = seed_candidate(committee=committee_member)
    out = io.StringIO()
    call_command("candidate_export", str(seeded.candidate.pk), stdout=out)
    data = json.loads(out.getvalue())
    assert data["candidate"]["name"] == seeded.values["name"]
    assert (data["candidate"]["email"], data["candidate"]["phone"], data["candidate"]["notes"]) == (
        seeded.values["email"], seeded.values["phone"], seeded.values["notes"])
    decided = next(loop for loop in data["loops"] if loop["id"] == seeded.loop.pk)
    assert decided["decision_rationale"] == seeded.values["rationale"]
    evidence = {r["evidence"] for i in decided["interviews"] for s in i["scorecards"] for r in s["ratings"]}
    assert evidence == {seeded.values["evidence"]}
    take_home = decided["take_home_exercises"][0]
    assert take_home["submissions"][0]["repository_url"] == seeded.values["repository"]
    assert take_home["extensions"][0]["reason"] == seeded.values["extension_reason"]
    withdrawn = next(loop for loop in data["loops"] if loop["id"] != seeded.loop.pk)
    assert withdrawn["withdrawn_reason"] == seeded.values["withdraw_reason"]
    assert "hiring.Candidate.email" in data["personal_data_fields"]
    event = AuditEvent.objects.get(action="candidate.exported")
    assert event.after == {"via": "command", "loops": 2, "format": "hireloop.candidate-export/1"}


def test_admin_export_button_downloads_the_json_and_staff_who_are_not_admins_are_refused(db, client, admin_user):
    candidate = CandidateFactory(name="Ines Export")
    client.force_login(admin_user)
    change = client.get(reverse("admin:hiring_candidate_change", args=[candidate.pk])).content.decode()
    assert "Export personal data (JSON)" in change
    response = client.post(reverse("admin:hiring_candidate_export", args=[candidate.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="candidate-{candidate.pk}-export.json"'
    assert json.loads(response.content)["candidate"]["name"] == "Ines Export"
    staff_recruiter = type(admin_user).objects.create_user("staffrec", password="x", kind="recruiter", is_staff=True)
    client.force_login(staff_recruiter)
    assert client.post(reverse("admin:hiring_candidate_export", args=[candidate.pk])).status_code in (302, 403)
    assert AuditEvent.objects.filter(action="candidate.exported").count() == 1


def test_admin_erase_action_asks_for_confirmation_then_erases(db, client, admin_user):
    candidate = CandidateFactory(name="Ulla Erase", email="ulla.erase@example.org")
    client.force_login(admin_user)
    url = reverse("admin:hiring_candidate_changelist")
    ask = client.post(url, {"action": "erase_personal_data", "_selected_action": [candidate.pk]})
    assert "This cannot be undone" in ask.content.decode()
    assert Candidate.objects.get(pk=candidate.pk).name == "Ulla Erase"
    client.post(url, {"action": "erase_personal_data", "_selected_action": [candidate.pk], "confirm": "yes"})
    candidate.refresh_from_db()
    assert (candidate.name, candidate.email) == (f"Erased candidate #{candidate.pk}",
                                                 f"erased-{candidate.pk}@erased.invalid")


def _closed_loop(months_ago: int, status: str = InterviewLoop.Status.WITHDRAWN) -> Candidate:
    loop = make_loop()
    InterviewLoop.objects.filter(pk=loop.pk).update(
        status=status, closed_at=timezone.now() - timedelta(days=int(months_ago * 30.5)))
    return loop.candidate


def test_retention_lists_then_anonymises_only_candidates_past_the_period(db):
    old = _closed_loop(25)
    recent = _closed_loop(23)
    still_open = make_loop(candidate=_closed_loop(30)).candidate  # an old loop, but a new one still running
    assert settings.HIRELOOP_RETENTION_MONTHS == 24
    assert [entry.candidate_id for entry in retention_due()] == [old.pk]

    dry = io.StringIO()
    call_command("retention_anonymise", stdout=dry)
    assert f"candidate #{old.pk}: last activity" in dry.getvalue()
    assert "Would anonymise (dry run; --apply to erase): 1 candidate(s)" in dry.getvalue()
    assert Candidate.objects.get(pk=old.pk).erased_at is None

    call_command("retention_anonymise", "--apply", stdout=io.StringIO())
    assert Candidate.objects.get(pk=old.pk).erased_at is not None
    assert Candidate.objects.get(pk=recent.pk).erased_at is None
    assert Candidate.objects.get(pk=still_open.pk).erased_at is None
    assert "candidate-retention" in settings.CELERY_BEAT_SCHEDULE
