"""The development email backend: says on the console that an email went, without its personal data.

Django's console backend prints each message whole. Its subject and parts name
candidates ("Ready for review: Siobhán O'Brien"), take-home emails carry the
candidate's private link, and the console is a log: runserver's output is kept
by whatever runs it, and a Celery worker redirects stdout into logging. The
log filter (``hiring.logging``) could not be relied on to catch them: a
message carries a name RFC 2047-encoded in the Subject (split across encoded
words when the Subject folds), HTML-escaped in the HTML part, quoted-printable
or base64 in a long part, and a short name (``Zoë``) or one word of a name is
never matched at all. So this backend prints only what is known to hold no
personal data: the Message-ID, the Date, the ``X-Hireloop-Notification``
header (a notification kind and ids, written by the code that sends it), the
number of recipients and the parts' types and sizes.

To read whole messages in development, send them somewhere that is not a log:
``EMAIL_URL=filemail:///path/to/dir`` (one file per message) or a local SMTP
catcher (``EMAIL_URL=smtp://127.0.0.1:1025``). See docs/security.md.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Sequence
from email.message import Message
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

NOTIFICATION_HEADER = "X-Hireloop-Notification"
# "loop_ready; key=loop-7-event-31; recipient=user-4": a kind, then names with ids, dates or kinds as values.
NOTIFICATION_VALUE = re.compile(r"[a-z_]+(?:; [a-z_]+=[A-Za-z0-9_:.-]+)*")
# Message-ID and Date as Django writes them (make_msgid, formatdate); anything else is not echoed.
MESSAGE_ID = re.compile(r"<[A-Za-z0-9._-]+@[A-Za-z0-9.-]+>")
DATE = re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}")
WITHHELD = "[not shown: not a notification reference]"
SEPARATOR = "-" * 79


def _header(message: Message, name: str, pattern: re.Pattern[str]) -> str:
    value = " ".join(str(message.get(name, "")).split())
    if not value:
        return "-"
    return value if pattern.fullmatch(value) else WITHHELD


def _parts(message: Message) -> str:
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        size = len(payload) if isinstance(payload, bytes) else 0
        parts.append(f"{part.get_content_type()} ({size} bytes)")
    return ", ".join(parts)


def summary(email_message: EmailMessage) -> str:
    """What the console shows of one email: its ids and shape, never its subject, addresses or content."""
    message = email_message.message()
    lines = [
        "Email (console backend: subject, addresses and content are not shown)",
        f"Message-ID: {_header(message, 'Message-ID', MESSAGE_ID)}",
        f"Date: {_header(message, 'Date', DATE)}",
    ]
    if message.get(NOTIFICATION_HEADER) is not None:
        lines.append(f"{NOTIFICATION_HEADER}: {_header(message, NOTIFICATION_HEADER, NOTIFICATION_VALUE)}")
    lines.append(f"Recipients: {len(email_message.recipients())}")
    lines.append(f"Parts: {_parts(message)}")
    return "\n".join(lines)


class ConsoleEmailBackend(BaseEmailBackend):
    """Drop-in for ``django.core.mail.backends.console.EmailBackend`` (same ``stream`` argument)."""

    def __init__(self, *args: Any, stream: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stream = stream if stream is not None else sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if not email_messages:
            return 0
        sent = 0
        with self._lock:
            try:
                for email_message in email_messages:
                    self.stream.write(f"{summary(email_message)}\n{SEPARATOR}\n")
                    self.stream.flush()
                    sent += 1
            except Exception:
                if not self.fail_silently:
                    raise
        return sent
