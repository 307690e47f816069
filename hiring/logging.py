"""A logging filter that keeps candidates' personal data out of every log line.

Code never logs personal data on purpose (it logs ids); this filter is the
safety net for what slips through: exception messages that quote a value,
request paths, third-party libraries. On every record it redacts

- email addresses (any, by pattern),
- international phone numbers (by pattern: a "+" and at least 8 digits),
- take-home links' tokens (``/take-home/<token>/``): the token is the
  candidate's key to their assignment until its deadline, and it sits in the
  path of every request the candidate makes (runserver's access log, the
  "Not Found" warnings),
- calendar feed tokens (``/calendar/<token>.ics``): the token is the only key
  to an interviewer's schedule, and calendar apps poll the path for ever,
- the values of the query parameters that carry what someone searched for
  (``q``, ``search``, ``email``, ``name``: the candidate search box, the API's
  candidate filters, the admin's search): a search by surname or by an
  URL-encoded email is a GET, so it sits in the request line,
- the values of the query parameters that carry sign-in secrets (``code``,
  ``state``, tokens): the identity provider sends the browser back to
  ``/accounts/oidc/callback/?code=...&state=...``, and that request line is logged,
- every value this process has held of a field the privacy registry
  (``privacy.registry.PERSONAL_DATA``) classifies as personal: a process can
  only log a candidate's name if it loaded or created that candidate, and
  loading or creating one registers its values here.

It works on the formatted message, the exception text and the stack, then
drops the arguments so that no handler formats the original values again.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable

REDACTED = "[redacted]"
EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"\+\d[\d ().-]{6,}\d")
TAKE_HOME_TOKEN = re.compile(r"(/take-home/)[^/?#\s\"']+")
CALENDAR_FEED_TOKEN = re.compile(r"(/calendar/)[^/?#\s\"']+?(\.ics)")
SEARCH_VALUE = re.compile(r"([?&](?:q|search|email|name)=)[^&#\s\"']+")
SIGN_IN_SECRET = re.compile(
    r"([?&#](?:code|state|id_token|access_token|refresh_token|code_verifier|client_secret)=)[^&#\s\"']+"
)
# Short values (initials, "ok") are not identifying and would redact ordinary words.
MIN_VALUE_LENGTH = 4
MAX_KNOWN_VALUES = 5000

_known: OrderedDict[str, None] = OrderedDict()
_lock = threading.Lock()
_pattern: re.Pattern[str] | None = None


def remember_personal_values(values: Iterable[str | None]) -> None:
    """Register values to redact from now on in this process (most recent kept, bounded)."""
    global _pattern
    changed = False
    with _lock:
        for value in values:
            if not isinstance(value, str):
                continue
            value = value.strip()
            if len(value) < MIN_VALUE_LENGTH:
                continue
            if value in _known:
                _known.move_to_end(value)
                continue
            _known[value] = None
            changed = True
            if len(_known) > MAX_KNOWN_VALUES:
                _known.popitem(last=False)
        if changed:
            _pattern = None


def _known_pattern() -> re.Pattern[str] | None:
    global _pattern
    with _lock:
        if _pattern is None and _known:
            # Longest first, so that a full name is redacted whole before one of its parts.
            alternatives = sorted(_known, key=len, reverse=True)
            _pattern = re.compile("|".join(re.escape(value) for value in alternatives), re.IGNORECASE)
        return _pattern


def redact(text: str) -> str:
    """``text`` with personal values, emails, phone numbers, take-home and feed tokens, searches and sign-in secrets
    replaced."""
    if not text:
        return text
    pattern = _known_pattern()
    if pattern is not None:
        text = pattern.sub(REDACTED, text)
    text = EMAIL.sub(REDACTED, text)
    text = TAKE_HOME_TOKEN.sub(rf"\1{REDACTED}", text)
    text = CALENDAR_FEED_TOKEN.sub(rf"\1{REDACTED}\2", text)
    text = SEARCH_VALUE.sub(rf"\1{REDACTED}", text)
    text = SIGN_IN_SECRET.sub(rf"\1{REDACTED}", text)
    return PHONE.sub(REDACTED, text)


class PersonalDataFilter(logging.Filter):
    """Attach to every handler (settings.LOGGING does): redacts, never drops a record."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is still logged, as its raw template.
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
