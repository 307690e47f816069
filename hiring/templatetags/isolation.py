"""``isolate``: what a person typed, shown so that it cannot reorder the page around it.

A name or a paragraph may hold a right-to-left override (U+202E) or start with right-to-left letters. Put
inline as it is, the override runs on past the name's end and reverses the words after it ("Ann Lee
submitted" can read as another sentence), and even plain Arabic or Hebrew letters pull neutral characters
next to them into their direction. ``<bdi>`` gives the text its own direction, found from its first strong
letter, and ends every override and embedding inside it at its closing tag (HTML's bidirectional isolation),
so the surrounding text keeps its order. Names with such controls are refused on entry (``hiring.text``);
this is for everything else: free text, which keeps what was typed, and names stored before the rule or
imported.

A builtin (``TEMPLATES[...]["OPTIONS"]["builtins"]``): every template has it without ``{% load %}``. Used in
element content only: an attribute value or ``<option>``/``<title>`` text cannot hold markup, and there the
browser shows the characters literally anyway.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter(is_safe=True)
def isolate(value: Any) -> SafeString | str:
    """The value escaped (unless already safe) inside ``<bdi>``; empty values stay empty."""
    if value is None or value == "":
        return "" if value is None else value
    return format_html("<bdi>{}</bdi>", value)


def html_message(message: str, **values: Any) -> SafeString:
    """A translated ``%(name)s`` message filled with ``values``, both escaped (isolated values stay as they are).

    ``format_html`` takes ``{}`` placeholders; the catalogues use gettext's ``%(name)s``, which translators'
    tools check, so messages that carry an isolated name are filled here instead.
    """
    return mark_safe(conditional_escape(message) % {key: conditional_escape(value) for key, value in values.items()})  # noqa: S308
