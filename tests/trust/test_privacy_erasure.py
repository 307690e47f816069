"""Erasure: a candidate's personal data is gone from every table, file and Redis key; the scores stay."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from hiring.audit.services import audit_record
from hiring.errors import PermissionRefused
from hiring.models import AuditEvent, Candidate
from privacy.erasure import candidate_erase
from privacy.registry import ERASED_LINK, ERASED_TEXT
from scorecards.calibration.exports import FORMATS
from scorecards.calibration.report import report_from_database
from scorecards.calibration.selectors import ReportScope
from scorecards.calibration.services import calibration_report_request, report_description, report_options
from scorecards.models import CalibrationReport, ObservedSignal, Rating, Recommendation, Scorecard
from tests.exercises.factories import make_take_home, submit, zip_upload
from tests.hiring.factories import CandidateFactory, make_interview, make_loop
from tests.scorecards.factories import submit_scorecard
from tests.trust.scan import database_mentions, files_mentioning, redis_keys_mentioning
from tests.trust.seeding import distinctive_values, seed_candidate


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def _report_naming(committee_member, seeded):
    """A calibration report whose stored result and files mention the candidate (as an old export might)."""
    today = timezone.localdate()
    report = calibration_report_request(actor=committee_member, role=seeded.loop.role,
                                        date_from=today - timedelta(days=30), date_to=today)
    result = report_from_database(
        ReportScope(date_from=report.date_from, date_to=report.date_to, role_id=report.role_id),
        description=report_description(report), options=report_options(report),
    )
    result.setdefault("notes", []).append(f"Outlier loop: {seeded.values['name']} ({seeded.values['email']}).")
    CalibrationReport.objects.filter(pk=report.pk).update(result=result, status=CalibrationReport.Status.DONE)
    report.refresh_from_db()
    from django.core.files.base import ContentFile

    for name in ("csv", "xlsx", "pdf"):
        export = FORMATS[name]
        getattr(report, f"{name}_file").save(f"calibration-{report.pk}.{export.extension}",
                                             ContentFile(export.render(result, report_id=report.pk)), save=False)
    CalibrationReport.objects.filter(pk=report.pk).update(
        csv_file=report.csv_file.name, xlsx_file=report.xlsx_file.name, pdf_file=report.pdf_file.name)
    return report


def _cache_and_redis(seeded) -> str | None:
    """Cache a summary naming the candidate, and (with Redis) a queue holding one such message."""
    cache.set(f"hireloop:candidate-card:{seeded.candidate.pk}", {"name": seeded.values["name"],
                                                               "email": seeded.values["email"]}, 600)
    url = settings.CACHES["default"].get("LOCATION") if "redis" in settings.CACHES["default"]["BACKEND"] else None
    if url:
        import redis

        client = redis.Redis.from_url(url)
        key = f"hireloop-test-queue-{seeded.candidate.pk}"
        client.delete(key)
        client.rpush(key, json.dumps({"task": "noop", "args": [1]}),
                     json.dumps({"task": "mail", "to": seeded.values["email"]}))
        client.expire(key, 600)
    return url


def test_candidate_erase_command_leaves_no_trace_in_tables_files_or_redis(
    db, committee_member, media_root, django_capture_on_commit_callbacks
):
    """After `candidate_erase ID` no table, file under MEDIA_ROOT or Redis key holds any seeded value."""
    seeded = seed_candidate(committee=committee_member)
    report = _report_naming(committee_member, seeded)
    (media_root / "exports").mkdir()
    (media_root / "exports" / "call-notes.txt").write_text(f"Call {seeded.values['email']} back\n")
    redis_url = _cache_and_redis(seeded)
    candidate_id = seeded.candidate.pk
    scores_before = list(Rating.objects.filter(scorecard__interview__loop__candidate_id=candidate_id)
                         .order_by("pk").values_list("pk", "score", "not_assessed"))
    recommendation_before = Recommendation.objects.filter(loop=seeded.loop).values(
        "outcome", "weighted_score", "coverage", "fingerprint").get()
    # The seeding really put the values everywhere the test then searches.
    assert database_mentions(seeded.needles)
    assert set(files_mentioning(seeded.needles)) >= {"exports/call-notes.txt", report.pdf_file.name}

    call_command("candidate_erase", str(candidate_id), "--yes", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert database_mentions(seeded.needles) == {}
    assert files_mentioning(seeded.needles) == []
    if redis_url:
        assert redis_keys_mentioning(seeded.needles, redis_url) == []
        import redis

        # The queue kept its other message: only what named the candidate went.
        assert redis.Redis.from_url(redis_url).lrange(f"hireloop-test-queue-{candidate_id}", 0, -1) == [
            json.dumps({"task": "noop", "args": [1]}).encode()
        ]
    assert cache.get(f"hireloop:candidate-card:{candidate_id}") is None

    candidate = Candidate.objects.get(pk=candidate_id)
    assert (candidate.name, candidate.email, candidate.phone, candidate.notes, candidate.source) == (
        f"Erased candidate #{candidate_id}", f"erased-{candidate_id}@erased.invalid", "", "", "Referral")
    assert candidate.erased_at is not None
    assert set(Rating.objects.filter(scorecard__interview__loop__candidate_id=candidate_id)
               .values_list("evidence", flat=True)) == {ERASED_TEXT}
    assert set(Scorecard.objects.filter(interview__loop__candidate_id=candidate_id)
               .values_list("summary", flat=True)) == {ERASED_TEXT}
    assert set(ObservedSignal.objects.filter(scorecard__interview__loop__candidate_id=candidate_id)
               .values_list("note", flat=True)) == {ERASED_TEXT}
    submission = seeded.extra["assignment"].submissions.get()
    assert (submission.repository_url, submission.file.name, submission.note) == (ERASED_LINK, "", ERASED_TEXT)
    # Scores and the recommendation are exactly as before: calibration statistics do not move.
    assert list(Rating.objects.filter(scorecard__interview__loop__candidate_id=candidate_id)
                .order_by("pk").values_list("pk", "score", "not_assessed")) == scores_before
    assert Recommendation.objects.filter(loop=seeded.loop).values(
        "outcome", "weighted_score", "coverage", "fingerprint").get() == recommendation_before
    # The careless audit event keeps who/what/when; only its values were scrubbed.
    phoned = AuditEvent.objects.get(action="candidate.phoned", object_id=str(candidate_id))
    assert phoned.after == {"note": f"Phoned {ERASED_TEXT} on {ERASED_TEXT}"}
    erased = AuditEvent.objects.get(action="candidate.erased", object_id=str(candidate_id))
    assert erased.actor is None
    assert erased.after is not None
    assert erased.after["via"] == "command"
    assert erased.after["files_deleted"] >= 2  # the upload and the stray note
    assert erased.after["reports_rerendered"] == [report.pk]
    assert erased.after["audit_events_scrubbed"] == 1


def test_candidate_erase_leaves_other_candidates_identical_free_text_alone(db, committee_member, media_root):
    """Text in another candidate's records that equals this candidate's (a template, a copy-paste) is theirs:
    only a mention of this candidate's name, email or phone is erased there, while copies of this
    candidate's free text elsewhere (the audit trail's before/after) still go."""
    values = distinctive_values()
    phrase = f"Designed the ranking service for shard {secrets.token_hex(3)} and tested the edges."
    values.update(evidence=phrase, summary=f"Strong systems thinking. {phrase}")
    seeded = seed_candidate(committee=committee_member, values=values)
    other = make_loop(candidate=CandidateFactory(notes=values["notes"]))
    copied = submit_scorecard(make_interview(loop=other), evidence=f"{phrase} Paired well.",
                              summary=values["summary"])
    naming = submit_scorecard(make_interview(loop=other, starts_in=timedelta(hours=-6)),
                              evidence=f"Reminded me of {values['name']}; same instincts.", summary=phrase)
    _, token = make_take_home(loop=other)
    upload = submit(token, upload=zip_upload("solution.zip", {"README.md": phrase}), note=values["notes"])
    copy_event = audit_record(actor=None, action="scorecard.copied", obj=copied, loop_id=other.pk,
                              before={"summary": values["summary"]}, after={"evidence": [phrase, "kept"]})

    candidate_erase(actor=None, candidate_id=seeded.candidate.pk, via="command")

    assert Scorecard.objects.get(pk=copied.pk).summary == values["summary"]
    assert set(copied.ratings.values_list("evidence", flat=True)) == {f"{phrase} Paired well."}
    assert Scorecard.objects.get(pk=naming.pk).summary == phrase
    assert set(naming.ratings.values_list("evidence", flat=True)) == {f"Reminded me of {ERASED_TEXT}; same instincts."}
    assert Candidate.objects.get(pk=other.candidate_id).notes == values["notes"]
    upload.refresh_from_db()
    assert (upload.note, upload.file.name != "") == (values["notes"], True)
    assert (media_root / upload.file.name).is_file()
    copy_event.refresh_from_db()
    assert (copy_event.before, copy_event.after) == ({"summary": ERASED_TEXT}, {"evidence": [ERASED_TEXT, "kept"]})
    # The erased candidate's own records are replaced whole, as always.
    assert set(Scorecard.objects.filter(interview__loop__candidate_id=seeded.candidate.pk)
               .values_list("summary", flat=True)) == {ERASED_TEXT}


def test_candidate_erase_is_refused_to_non_admins_and_changes_nothing(db, committee_member, recruiter, media_root):
    """Only admins (or the operator's command) erase; a recruiter's attempt leaves every value in place."""
    seeded = seed_candidate(committee=committee_member)
    with pytest.raises(PermissionRefused):
        candidate_erase(actor=recruiter, candidate_id=seeded.candidate.pk, via="admin")
    candidate = Candidate.objects.get(pk=seeded.candidate.pk)
    assert (candidate.name, candidate.email, candidate.erased_at) == (
        seeded.values["name"], seeded.values["email"], None)
    assert not AuditEvent.objects.filter(action="candidate.erased").exists()


def test_candidate_erase_command_names_a_missing_candidate(db):
    with pytest.raises(CommandError, match="No candidate #999999"):
        call_command("candidate_erase", "999999", "--yes")


def test_candidate_erase_counts_only_audit_values_it_rewrote(db, committee_member, media_root):
    """A short name found inside an audit event's action ("scorecard.read") is no personal data there: the
    event is neither rewritten nor counted as scrubbed; a mention in its values is."""
    candidate = CandidateFactory(name="Read", email="read@example.org")
    loop = make_loop(candidate=candidate)
    card = submit_scorecard(make_interview(loop=loop))
    read = audit_record(actor=committee_member, action="scorecard.read", obj=card, loop_id=loop.pk,
                        after={"interviewer_id": card.interviewer_id})
    mention = audit_record(actor=None, action="note.copied", obj=card, loop_id=loop.pk,
                           after={"text": "Spoke with Read about the offer."})

    report = candidate_erase(actor=None, candidate_id=candidate.pk, via="command")

    read.refresh_from_db()
    mention.refresh_from_db()
    assert (read.action, read.after) == ("scorecard.read", {"interviewer_id": card.interviewer_id})
    assert mention.after == {"text": f"Spoke with {ERASED_TEXT} about the offer."}
    assert report.audit_events_scrubbed == 1
