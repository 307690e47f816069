"""The development email backend prints no candidate's name, in any encoding, to stdout, stderr or the logs.

Django's console backend writes whole messages to stdout: the web process's console, and in a Celery worker
(which redirects stdout into logging) log records. A message carries the name raw in an 8-bit text part,
RFC 2047-encoded in the Subject (folded when long), HTML-escaped in the HTML part (``O&#x27;Brien``), and
quoted-printable or base64 when a line is long; the log filter only knows the raw form.
"""

from __future__ import annotations

import base64
import email
import email.policy
import html
import io
import logging
import quopri
import re
import sys
from email.charset import BASE64, QP, Charset
from email.header import Header, decode_header, make_header

import pytest
from celery.utils.log import LoggingProxy
from django.core.mail import EmailMultiAlternatives
from django.utils.html import escape

from config.mail import ConsoleEmailBackend
from hiring.logging import PersonalDataFilter
from hiring.models import SentNotification
from tests.exercises.factories import make_take_home
from tests.hiring.factories import CandidateFactory, UserFactory, make_interview, make_loop
from tests.scorecards.factories import submit_scorecard
from tests.trust.test_security import manage

# Over 78 characters, so that a Subject naming them is folded: one in ASCII (folded as is), one not (folded
# into several encoded words).
LONG_ASCII_NAME = "Maximiliane Wolfeschlegelsteinhausen-Bergerdorff O'Brien-Featherstonehaugh de la Cruz y Picasso"
LONG_NAME = "Siobhán Maximiliane Wolfeschlegelsteinhausen-Bergerdorff Ó Briain-Featherstonehaugh de la Peña"
NAMES = ["Siobhán Ó Briain", "Zoë", "李小龙", "Siobhán O'Brien", LONG_ASCII_NAME, LONG_NAME]
DEVELOPMENT_BACKEND = "config.mail.ConsoleEmailBackend"
ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[qQbB]\?[^?\s]*\?=")


def _encoded_words(text: str, encoding: int) -> list[str]:
    charset = Charset("utf-8")
    charset.header_encoding = encoding
    # As a Subject would carry it: in one piece, and folded into several encoded words.
    return [Header(text, charset).encode(), *Header(text, charset, maxlinelen=40).encode().split()]


def forms_of(name: str) -> set[str]:
    """The name and its words (3+ characters), raw and as every encoding an email gives them."""
    pieces = {name, *(word for word in re.split(r"[\s-]+", name) if len(word) >= 3)}
    forms: set[str] = set()
    for piece in pieces:
        data = piece.encode()
        forms |= {piece, escape(piece), html.escape(piece), piece.replace("'", "&#39;"),
                  quopri.encodestring(data).decode().replace("=\n", ""),
                  quopri.encodestring(data, header=True).decode(),
                  base64.b64encode(data).decode().rstrip("=")}
        for encoding in (QP, BASE64):
            forms |= {word for word in _encoded_words(piece, encoding) if len(word) > len("=?utf-8?q??=")}
    return {form for form in forms if len(form) >= 3}


def decoded(text: str) -> str:
    """``text`` with every encoding undone that could hide a name: folded headers, encoded words,
    MIME parts' transfer encodings and HTML character references."""
    views = [text]
    unfolded = re.sub(r"\r?\n[ \t]+", " ", text)
    views.append(ENCODED_WORD.sub(lambda m: str(make_header(decode_header(m.group(0)))), unfolded))
    for block in re.split(r"\n-{79}\n", text):
        start = block.find("Content-Type:")
        if start < 0:
            continue
        message = email.message_from_string(block[start:], policy=email.policy.default)
        views.extend(str(value) for value in message.values())
        for part in message.walk():
            if not part.is_multipart():
                views.append(part.get_content())
    return html.unescape("\n".join(views))


def leaks(name: str, text: str) -> list[str]:
    plain = decoded(text).casefold()
    raw = text.casefold()
    return sorted(form for form in forms_of(name) if form.casefold() in raw or form.casefold() in plain)


@pytest.fixture
def captured_logs():
    """Everything the configured (filtered) handlers write, at DEBUG, while the test runs."""
    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, PersonalDataFilter) for f in h.filters)]
    assert handlers, "settings.LOGGING must attach the personal data filter to its handlers"
    stream = io.StringIO()
    previous = [h.setStream(stream) for h in handlers]  # type: ignore[attr-defined]
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    yield stream
    root.setLevel(level)
    for handler, old in zip(handlers, previous, strict=True):
        handler.setStream(old)  # type: ignore[attr-defined]


def _ready_for_review(name: str, django_capture_on_commit_callbacks) -> tuple[int, list[int]]:
    """A loop for ``name`` whose two interviews are submitted: the recruiter and the manager are told."""
    recruiter = UserFactory(recruiter=True, username="rita", email="rita@hireloop.example")
    manager = UserFactory(committee=True, username="cora", email="cora@hireloop.example")
    loop = make_loop(recruiter=recruiter, hiring_manager=manager, candidate=CandidateFactory(name=name))
    first = make_interview(loop=loop)
    submit_scorecard(first)
    second = make_interview(loop=loop, kind="system_design")
    with django_capture_on_commit_callbacks(execute=True):
        submit_scorecard(second)
    return loop.pk, sorted([recruiter.pk, manager.pk])


def test_the_development_default_email_backend_prints_no_personal_data():
    """With no EMAIL_URL (and with EMAIL_URL=consolemail://) email goes to Hireloop's console backend."""
    command = ("shell", "--no-imports", "-c", "from django.conf import settings; print(settings.EMAIL_BACKEND)")
    assert manage(*command, env={}).stdout.strip() == DEVELOPMENT_BACKEND
    assert manage(*command, env={"EMAIL_URL": "consolemail://"}).stdout.strip() == DEVELOPMENT_BACKEND


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("process", ["web", "worker"])
def test_ready_for_review_email_on_the_console_names_no_candidate(
    db, name, process, settings, capsys, caplog, captured_logs, django_capture_on_commit_callbacks
):
    """In a web process (stdout) and in a Celery worker (stdout redirected into logging), the email shows
    its notification kind and ids, and no form of the candidate's name reaches stdout, stderr or a log."""
    settings.EMAIL_BACKEND = DEVELOPMENT_BACKEND
    caplog.set_level(logging.DEBUG)
    if process == "worker":
        # What a Celery worker does with worker_redirect_stdouts (the default): print() becomes a log record.
        redirected = LoggingProxy(logging.getLogger("celery.redirected"), logging.WARNING)
        real_stdout, sys.stdout = sys.stdout, redirected
    try:
        loop_id, recipient_ids = _ready_for_review(name, django_capture_on_commit_callbacks)
    finally:
        if process == "worker":
            sys.stdout = real_stdout
    out, err = capsys.readouterr()
    logs = captured_logs.getvalue()
    records = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    everything = "\n".join([out, err, logs, records])

    assert leaks(name, everything) == []
    sent = SentNotification.objects.filter(kind=SentNotification.Kind.LOOP_READY, loop_id=loop_id)
    keys = sorted((n.recipient_id, n.key) for n in sent)
    assert len(keys) == 2
    event_key = keys[0][1]
    assert event_key.startswith(f"loop-{loop_id}-event-")
    shown = [
        f"X-Hireloop-Notification: loop_ready; key={event_key}; recipient=user-{user_id}"
        for user_id in recipient_ids
    ]
    where = logs if process == "worker" else out
    assert [line for line in where.splitlines() if "X-Hireloop-Notification" in line] == shown


def test_take_home_email_on_the_console_shows_neither_the_candidate_nor_their_link(
    db, settings, capsys, django_capture_on_commit_callbacks
):
    """The candidate's private link is their key to the take-home: it stays out of the console too."""
    settings.EMAIL_BACKEND = DEVELOPMENT_BACKEND
    loop = make_loop(candidate=CandidateFactory(name="Zoë O'Brien", email="zoe.obrien@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        _, token = make_take_home(loop=loop)

    out, err = capsys.readouterr()
    assert [line for line in out.splitlines() if line.startswith(("X-Hireloop", "Recipients"))] == [
        "X-Hireloop-Notification: take_home_link", "Recipients: 1",
    ]
    assert token not in out + err and "take-home/" not in out + err
    assert leaks("Zoë O'Brien", out + err) == [] and "zoe.obrien" not in out + err


def test_console_backend_prints_the_headers_without_personal_data():
    """Message-ID, Date, the notification header, how many recipients and the parts: nothing else."""
    message = EmailMultiAlternatives(
        subject="Ready for review: Siobhán O'Brien, Applied AI Engineer",
        body="All feedback is in for Siobhán O'Brien.",
        from_email="Hireloop <hireloop@localhost>",
        to=["rita@hireloop.example", "siobhan@example.org"],
        cc=["cora@hireloop.example"],
        headers={
            "Message-ID": "<20261125.1@hireloop.test>",
            "Date": "Wed, 25 Nov 2026 09:00:00 +0000",
            "X-Hireloop-Notification": "loop_ready; key=loop-7-event-31; recipient=user-4",
            "Reply-To": "siobhan@example.org",
        },
    )
    message.attach_alternative("<p>All feedback is in for Siobhán O&#x27;Brien.</p>", "text/html")
    stream = io.StringIO()

    assert ConsoleEmailBackend(stream=stream).send_messages([message]) == 1

    text_size = len(message.body.encode())
    html_size = len("<p>All feedback is in for Siobhán O&#x27;Brien.</p>".encode())
    assert stream.getvalue() == (
        "Email (console backend: subject, addresses and content are not shown)\n"
        "Message-ID: <20261125.1@hireloop.test>\n"
        "Date: Wed, 25 Nov 2026 09:00:00 +0000\n"
        "X-Hireloop-Notification: loop_ready; key=loop-7-event-31; recipient=user-4\n"
        "Recipients: 3\n"
        f"Parts: text/plain ({text_size} bytes), text/html ({html_size} bytes)\n"
        + "-" * 79 + "\n"
    )


def test_console_backend_does_not_echo_a_notification_header_it_did_not_write():
    """Only ids may follow a notification header's names; anything else is withheld, not printed."""
    message = EmailMultiAlternatives(
        subject="Hello", body="Hi", to=["someone@example.org"],
        headers={"Message-ID": "<1@hireloop.test>", "Date": "Wed, 25 Nov 2026 09:00:00 +0000",
                 "X-Hireloop-Notification": "loop_ready; candidate=Siobhán O'Brien"},
    )
    stream = io.StringIO()

    ConsoleEmailBackend(stream=stream).send_messages([message])

    assert "X-Hireloop-Notification: [not shown: not a notification reference]\n" in stream.getvalue()
    assert leaks("Siobhán O'Brien", stream.getvalue()) == []


def test_the_leak_check_finds_every_form_django_console_backend_prints():
    """The check itself: on Django's own console output of the same email it finds the name in every form."""
    from django.core.mail.backends.console import EmailBackend

    message = EmailMultiAlternatives(subject=f"Ready for review: {LONG_NAME}, Applied AI Engineer",
                                     body=f"All feedback is in for {LONG_NAME}.", to=["rita@hireloop.example"])
    message.attach_alternative(f"<p>{escape(LONG_NAME)}</p>" + "x" * 1000, "text/html")
    stream = io.StringIO()
    EmailBackend(stream=stream).send_messages([message])
    output = stream.getvalue()

    assert "=?utf-8?" in output and "\n =?utf-8?" in output  # encoded, and folded into several words
    assert f"<p>{LONG_NAME}</p>" in decoded(output)
    without_raw = output.replace(LONG_NAME, "")  # the text part is 8-bit: remove it and the encodings remain
    assert f"Ready for review: {LONG_NAME}" in decoded(without_raw)
    assert "Wolfeschlegelsteinhausen" in leaks(LONG_NAME, without_raw)
