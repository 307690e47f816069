"""A user switched to German sees German pages, gets German email and downloads a German PDF; the API answers
in the language asked for. The profile's language wins over the browser's, and times follow the profile's zone.
"""

from __future__ import annotations

import io
import zoneinfo
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from pypdf import PdfReader
from rest_framework.test import APIClient

from hiring.accounts.tokens import api_token_create
from hiring.notifications import feedback_reminders_send
from scorecards.calibration.job import calibration_report_compute
from scorecards.models import CalibrationReport
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import submit_scorecard

pytestmark = pytest.mark.django_db


def page(client, name: str, **headers) -> str:
    response = client.get(reverse(name), headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def test_choosing_german_on_the_profile_page_turns_the_pages_german(client, interviewer):
    client.force_login(interviewer)
    english = page(client, "profile")
    assert '<html lang="en-gb">' in english and "Sign out" in english

    response = client.post(reverse("profile-locale"), {"language": "de", "time_zone": "Europe/Berlin"})
    assert response.status_code == 302
    interviewer.refresh_from_db()
    assert (interviewer.language, interviewer.time_zone) == ("de", "Europe/Berlin")

    profile = client.get(reverse("profile"))
    text = profile.content.decode()
    assert profile["Content-Language"] == "de"
    assert '<html lang="de">' in text
    assert "Sprache und Zeitzone gespeichert." in text  # the confirmation, already in German
    assert "Abmelden" in text and "Sign out" not in text
    my_interviews = page(client, "scorecards:my-interviews")
    assert "Meine Interviews" in my_interviews and "My interviews" not in my_interviews


def test_the_browser_language_applies_until_the_profile_sets_one(client, interviewer):
    client.force_login(interviewer)
    assert "Se déconnecter" in page(client, "profile", accept_language="fr-FR,fr;q=0.9")
    assert "Cerrar sesión" in page(client, "profile", accept_language="es")
    assert "Sign out" in page(client, "profile", accept_language="pt-BR")  # not offered: English

    interviewer.language = "de"
    interviewer.save()
    assert "Abmelden" in page(client, "profile", accept_language="fr-FR,fr;q=0.9")


def test_an_unknown_language_or_time_zone_is_refused_and_nothing_changes(client, interviewer):
    client.force_login(interviewer)
    response = client.post(reverse("profile-locale"), {"language": "xx", "time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    interviewer.refresh_from_db()
    assert (interviewer.language, interviewer.time_zone) == ("", "")


def test_times_follow_the_profile_time_zone_and_dates_the_language(client, interviewer):
    interviewer.language, interviewer.time_zone = "de", "America/New_York"
    interviewer.save()
    token = api_token_create(actor=interviewer, name="ATS").token
    client.force_login(interviewer)
    text = page(client, "profile")
    with translation.override("de"):
        new_york = date_format(timezone.localtime(token.created_at, zoneinfo.ZoneInfo("America/New_York")),
                               "j M Y, H:i")
        utc = date_format(timezone.localtime(token.created_at, zoneinfo.ZoneInfo("UTC")), "j M Y, H:i")
    assert new_york != utc
    assert new_york in text and utc not in text


def test_an_email_goes_out_in_its_recipients_language(mailoutbox):
    klaus = UserFactory(username="klaus", first_name="Klaus", email="klaus@example.com", language="de")
    ivy = UserFactory(username="ivy", first_name="Ivy", email="ivy@example.com")
    loop = make_loop()
    late = make_interview(loop=loop, interviewer=klaus, starts_in=timedelta(days=-3))
    make_interview(loop=loop, interviewer=ivy, starts_in=timedelta(days=-3))

    with translation.override("fr"):  # whatever the sender's language, each recipient gets their own
        assert feedback_reminders_send(now=late.feedback_due_at + timedelta(days=2)) == 2

    by_recipient = {message.to[0]: message for message in mailoutbox}
    german = by_recipient["klaus@example.com"]
    assert german.subject == "Erinnerung: Ihr Feedback zu 1 Interview ist überfällig"
    assert german.body.startswith("Guten Tag Klaus,")
    assert "Ihr Feedback zu diesem Interview ist überfällig" in german.body
    assert ": Programmieren am " in german.body  # the interview kind, a model choice, translated too
    assert "Programmieren" in german.alternatives[0][0] and "Feedback schreiben" in german.alternatives[0][0]
    english = by_recipient["ivy@example.com"]
    assert english.subject == "Reminder: your feedback is overdue for 1 interview"
    assert english.body.startswith("Hello Ivy,")


@pytest.fixture
def done_report(settings, tmp_path, committee_member):
    settings.MEDIA_ROOT = tmp_path
    settings.HIRELOOP_CALIBRATION_BOOTSTRAP_RESAMPLES = 100
    loop = make_loop()
    for name in ("ann", "bob"):
        submit_scorecard(make_interview(loop=loop, interviewer=UserFactory(username=name)))
    today = timezone.localdate()
    report = CalibrationReport.objects.create(date_from=today - timedelta(days=30), date_to=today,
                                              requested_by=committee_member, role=loop.role)
    calibration_report_compute(report_id=report.pk)
    return report


def pdf_text(client, report: CalibrationReport) -> str:
    response = client.get(reverse("scorecards:report-download", args=[report.pk, "pdf"]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return "\n".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(body)).pages)


def test_the_calibration_pdf_is_in_the_language_of_whoever_downloads_it(client, done_report, committee_member):
    client.force_login(committee_member)
    english = pdf_text(client, done_report)  # stored on this first download
    assert f"Calibration report #{done_report.pk}" in english

    committee_member.language = "de"
    committee_member.save()
    german = pdf_text(client, done_report)
    assert f"Kalibrierungsbericht #{done_report.pk}" in german
    assert "Hireloop-Kalibrierungsbericht · Seite 1" in german
    assert "Interviewer: Bewertungen und Milde" in german  # the tables' titles and headers too
    assert "Calibration report" not in german
    # The German copy was rendered for that download only: the stored (English) copy is still what English gets.
    committee_member.language = "en-gb"
    committee_member.save()
    assert f"Calibration report #{done_report.pk}" in pdf_text(client, done_report)


def test_api_errors_follow_accept_language_then_the_profile(interviewer):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(actor=interviewer, name='t').plaintext}")

    missing = client.get("/api/v1/loops/999999/", HTTP_ACCEPT_LANGUAGE="de")
    assert missing.status_code == 404 and missing.json()["message"] == "Nicht gefunden."
    assert client.get("/api/v1/loops/999999/").json()["message"] == "Not found."

    refused = client.patch("/api/v1/users/me/", {"time_zone": "Mars/Olympus"}, format="json",
                           HTTP_ACCEPT_LANGUAGE="de")
    assert refused.status_code == 400
    assert refused.json()["message"] == "Die Sprache oder Zeitzone ist ungültig."
    assert refused.json()["field_errors"] == {
        "time_zone": ["Wählen Sie eine Zeitzone aus der Liste, z. B. Europe/Berlin."]}
    bad_choice = client.patch("/api/v1/users/me/", {"language": "xx"}, format="json", HTTP_ACCEPT_LANGUAGE="de")
    assert bad_choice.json()["message"] == "Die Anfrage enthält ungültige Werte."
    assert bad_choice.json()["field_errors"] == {"language": ['"xx" ist keine gültige Option.']}

    chosen = client.patch("/api/v1/users/me/", {"language": "de", "time_zone": "Europe/Berlin"}, format="json")
    assert chosen.status_code == 200
    assert (chosen.json()["language"], chosen.json()["time_zone"]) == ("de", "Europe/Berlin")
    # From now on the token's user is answered in German without asking.
    assert client.get("/api/v1/loops/999999/").json()["message"] == "Nicht gefunden."
