"""Submitting a take-home: upload limits and types, storage, resubmission history, receipts."""

from __future__ import annotations

import hashlib
import io
import tarfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from exercises.models import ExerciseSubmission
from hiring.errors import ValidationFailed
from hiring.models import AuditEvent
from tests.exercises.factories import make_take_home, submit, zip_bytes, zip_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                     "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


def tar_gz_bytes() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        data = b"def predict(x):\n    return x\n"
        info = tarfile.TarInfo("service/model.py")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "content", "content_type"), [
    ("solution.zip", zip_bytes(), "application/zip"),
    ("solution.tar.gz", tar_gz_bytes(), "application/gzip"),
    ("write-up.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "application/pdf"),
    ("analysis.ipynb", b'{"cells": [], "nbformat": 4, "metadata": {}}', "application/x-ipynb+json"),
    ("service.py", "print('héllo')\n".encode(), "text/x-python"),
    ("README.md", b"# Design\n\nTrade-offs...\n", "text/markdown"),
    ("notes.txt", b"Latency budget: 200 ms\n", "text/plain"),
])
def test_take_home_submit_allowed_types_are_stored_under_a_random_name(media, name, content, content_type):
    """Each default type is accepted; the stored name is random, the original kept for display."""
    assignment, token = make_take_home()
    submission = submit(token, upload=SimpleUploadedFile(name, content, content_type="application/octet-stream"))
    assert submission.original_filename == name
    assert submission.content_type == content_type
    assert submission.size == len(content)
    assert submission.sha256 == hashlib.sha256(content).hexdigest()
    stored = submission.file.name
    assert stored is not None
    assert stored.startswith(f"take-home/{assignment.pk}/")
    assert name.split(".")[0] not in stored
    assert (media / stored).read_bytes() == content


@pytest.mark.parametrize(("name", "content", "message"), [
    ("setup.exe", b"MZ\x90\x00", "“setup.exe” is not an accepted file type. "
                                 "Accepted: .ipynb, .md, .pdf, .py, .tar.gz, .txt, .zip."),
    ("archive.rar", b"Rar!\x1a\x07", "“archive.rar” is not an accepted file type. "
                                     "Accepted: .ipynb, .md, .pdf, .py, .tar.gz, .txt, .zip."),
    ("report.pdf", b"MZ\x90\x00 not a pdf", "The file's content is not a valid .pdf file. "
                                            "Check that you picked the right file."),
    ("code.zip", b"#!/bin/sh\nrm -rf /\n", "The file's content is not a valid .zip file. "
                                           "Check that you picked the right file."),
    ("notes.txt", b"\xff\xfe\x00b\x00i\x00n", "The file is not a text file, as a .txt file must be."),
    ("latin1.md", "caf\xe9".encode("latin-1"), "The .md file is not UTF-8 text."),
    ("book.ipynb", b"print(1)", "The .ipynb file is not a Jupyter notebook (it should be JSON)."),
    ("empty.py", b"", "The file is empty."),
])
def test_take_home_submit_refuses_wrong_types_and_stores_nothing(media, name, content, message):
    assignment, token = make_take_home()
    with pytest.raises(ValidationFailed) as caught:
        submit(token, upload=SimpleUploadedFile(name, content))
    assert caught.value.field_errors == {"file": [message]}
    assert ExerciseSubmission.objects.count() == 0
    assert list(media.rglob("*.*")) == []


@override_settings(HIRELOOP_TAKE_HOME_MAX_UPLOAD_MB=1)
def test_take_home_submit_over_size_limit_is_refused(media):
    """The configured limit applies, with the file's size and the limit in the message."""
    assignment, token = make_take_home()
    big = b"%PDF-" + b"0" * (1024 * 1024)
    with pytest.raises(ValidationFailed) as caught:
        submit(token, upload=SimpleUploadedFile("big.pdf", big))
    assert caught.value.field_errors == {
        "file": ["The file is 1.0 MB; the limit is 1 MB. Upload a smaller file or share a repository URL."]
    }
    assert ExerciseSubmission.objects.count() == 0
    exactly = b"%PDF-" + b"0" * (1024 * 1024 - 5)
    assert submit(token, upload=SimpleUploadedFile("ok.pdf", exactly)).size == 1024 * 1024


@override_settings(HIRELOOP_TAKE_HOME_ALLOWED_TYPES=["pdf"])
def test_take_home_submit_allowed_types_follow_the_setting(media):
    assignment, token = make_take_home()
    with pytest.raises(ValidationFailed) as caught:
        submit(token, upload=zip_upload())
    assert caught.value.field_errors == {"file": ["“solution.zip” is not an accepted file type. Accepted: .pdf."]}


@override_settings(HIRELOOP_TAKE_HOME_MAX_UPLOAD_MB=1)
def test_take_home_page_oversized_upload_is_cut_off_and_explained(client, media):
    """Through the page, an oversized file is dropped while it streams in; the other fields survive."""
    assignment, token = make_take_home()
    big = SimpleUploadedFile("huge.zip", b"PK\x03\x04" + b"\0" * (2 * 1024 * 1024))
    response = client.post(f"/exercises/take-home/{token}/",
                           {"repository_url": "https://github.com/c/s", "file": big})
    body = response.content.decode()
    assert response.status_code == 400
    assert "The file is larger than the 1 MB limit. Upload a smaller file or share a repository URL." in body
    assert 'value="https://github.com/c/s"' in body
    assert ExerciseSubmission.objects.count() == 0
    assert list(media.rglob("*.*")) == []


@pytest.mark.parametrize(("url", "message"), [
    ("javascript:alert(1)", "Enter a full web address starting with https://."),
    ("ftp://example.org/repo", "Enter a full web address starting with https://."),
    ("github.com/c/s", "Enter a full web address starting with https://."),
    ("https://user:secret@github.com/c/s",
     "Remove the user name or password from the URL; give reviewers access another way."),
])
def test_take_home_submit_bad_repository_url_is_refused(url, message):
    assignment, token = make_take_home()
    with pytest.raises(ValidationFailed) as caught:
        submit(token, repository_url=url)
    assert caught.value.field_errors == {"repository_url": [message]}
    assert ExerciseSubmission.objects.count() == 0


def test_take_home_submit_nothing_is_refused():
    assignment, token = make_take_home()
    with pytest.raises(ValidationFailed) as caught:
        submit(token, repository_url="  ", note="Here it is")
    assert caught.value.field_errors == {"repository_url": ["Give a repository URL, upload a file, or both."]}


def test_take_home_submit_resubmissions_are_all_kept_with_their_times(media, client):
    """Every resubmission is a new, numbered version; the reviewer sees all, newest first."""
    assignment, token = make_take_home()
    first = submit(token, repository_url="https://github.com/c/v1")
    second = submit(token, upload=zip_upload("v2.zip"), note="Added tests.")
    third = submit(token, repository_url="https://github.com/c/v3", upload=zip_upload("v3.zip"))
    rows = list(ExerciseSubmission.objects.filter(assignment=assignment).order_by("number").values_list(
        "number", "repository_url", "original_filename", "note"))
    assert rows == [
        (1, "https://github.com/c/v1", "", ""),
        (2, "", "v2.zip", "Added tests."),
        (3, "https://github.com/c/v3", "v3.zip", ""),
    ]
    assert first.submitted_at < second.submitted_at < third.submitted_at
    assert second.file.name != third.file.name
    body = client.get(f"/exercises/take-home/{token}/").content.decode()
    assert body.index("https://github.com/c/v3") < body.index("v2.zip") < body.index("https://github.com/c/v1")


def test_take_home_submit_emails_receipt_and_reviewer_and_audits_without_personal_data(
    media, django_capture_on_commit_callbacks
):
    assignment, token = make_take_home()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit(token, repository_url="https://github.com/noor-h/s", upload=zip_upload("noor-haddad.zip"))
    candidate, reviewer = mail.outbox
    assert candidate.to == [assignment.loop.candidate.email]
    assert candidate.subject == "We received your take-home submission: Take-home or live coding"
    assert "We received submission #1" in candidate.body
    assert f"SHA-256 {submission.sha256}" in candidate.body
    assert reviewer.to == [assignment.reviewer.email]
    assert reviewer.subject == f"Take-home submitted for review: Take-home or live coding (loop #{assignment.loop_id})"
    assert f"/exercises/take-homes/{assignment.pk}/" in reviewer.body
    assert assignment.loop.candidate.name not in reviewer.body
    event = AuditEvent.objects.get(action="take_home.submitted")
    assert event.actor is None
    assert event.after == {"assignment_id": assignment.pk, "number": 1, "has_repository_url": True,
                           "file_size": submission.size, "file_type": "zip"}


def test_take_home_page_submission_redirects_to_confirmation(client, media):
    assignment, token = make_take_home()
    response = client.post(f"/exercises/take-home/{token}/", {"file": zip_upload("solution.zip")})
    submission = ExerciseSubmission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/exercises/take-home/{token}/?received={submission.pk}#received"
    body = client.get(response["Location"]).content.decode()
    assert "Submission received" in body
    assert "We received submission #1" in body
    assert "with the file “<bdi>solution.zip</bdi>”" in body


def test_take_home_page_confirmation_of_another_assignment_is_not_shown(client, media):
    _, other_token = make_take_home()
    _, token = make_take_home()
    theirs = submit(other_token, repository_url="https://github.com/other/s")
    body = client.get(f"/exercises/take-home/{token}/?received={theirs.pk}").content.decode()
    assert "Submission received" not in body
    assert "github.com/other" not in body
