"""The user-facing text of a Django template: what a reader sees, outside the translation tags.

Django's own lexer splits the template into text, ``{{ variables }}`` and ``{% tags %}``; a small HTML state
machine then walks the text: character data, and the values of the attributes people read (``aria-label``,
``title``, ``placeholder``, ``alt``). Script, style and ``<code>`` contents, comments and everything inside
``{% blocktranslate %}`` are skipped. A *run* is a stretch of such text and the variables inside it, ended by
any HTML tag or template tag; a run with a letter in its text is user-facing.

No library does this: template linters (djLint, curlylint) check layout, not translation; Babel's and
Django's extractors read only what is already marked. Used by tests/test_translations.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.template.base import DebugLexer, TokenType

TRANSLATABLE_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt"}
SKIPPED_ELEMENTS = {"script", "style", "code", "kbd", "samp"}
LETTER = re.compile(r"[^\W\d_]")

# Text that reads the same in every language: the product's and other products' names, standards, units.
# Kept short on purpose (docs/translations.md).
ALLOWED = {
    "Hireloop", "Hireloop API", "API", "CSV", "PDF", "JSON", "Slack", "Greenhouse", "Lever", "OpenID Connect",
    "ATS", "ID", "URL", "HMAC", "SHA-256", "HTTP", "UTC", "iCalendar", "ICS", "PNG", "Swagger UI", "x",
}

# String literals a user reads that sit in tag arguments: ``|default:"none"``, ``{% include ... with t="A" %}``.
LITERAL_ARGUMENT = re.compile(
    r"""(?:\|(?:default|default_if_none|yesno)\s*:\s*|\bwith\b.*?\b\w+\s*=\s*|\s\w+\s*=\s*)(["'])([^"']*[^\W\d_][^"']*)\1"""
)


@dataclass
class Piece:
    kind: str  # "text" or "var"
    start: int
    end: int
    value: str


@dataclass
class Run:
    attribute: str  # "" for character data, else the attribute's name
    pieces: list[Piece] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(p.value if p.kind == "text" else "{{ " + p.value + " }}" for p in self.pieces)

    @property
    def literal(self) -> str:
        return "".join(p.value for p in self.pieces if p.kind == "text")

    def user_facing(self) -> bool:
        literal = " ".join(self.literal.split()).strip(" ·—–-:,.;()")
        return bool(LETTER.search(literal)) and literal not in ALLOWED


def runs(source: str, *, plain_text: bool = False) -> list[Run]:
    """The runs of ``source`` outside translation tags; ``plain_text`` for the emails' .txt templates, where a
    line break also ends a run (each line is a paragraph or a list item)."""
    found: list[Run] = []
    current: Run | None = None
    state = "data"  # data, tag, attr-value, skip (inside a skipped element), html-comment
    quote = ""
    attribute = ""
    skipped_element = ""
    in_translation_block = 0
    in_django_comment = False
    tag_buffer = ""

    def flush() -> None:
        nonlocal current
        if current is not None and current.pieces:
            found.append(current)
        current = None

    def add(kind: str, start: int, end: int, value: str, attr: str) -> None:
        nonlocal current
        if current is None or current.attribute != attr:
            flush()
            current = Run(attribute=attr)
        current.pieces.append(Piece(kind, start, end, value))

    for token in DebugLexer(source).tokenize():
        assert token.position is not None  # DebugLexer records every token's place
        start, end = token.position
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents.split() else ""
            if name in {"blocktranslate", "blocktrans"}:
                in_translation_block += 1
            elif name in {"endblocktranslate", "endblocktrans"}:
                in_translation_block -= 1
            elif name == "comment":
                in_django_comment = True
            elif name == "endcomment":
                in_django_comment = False
            flush()
            continue
        if token.token_type == TokenType.COMMENT:
            continue
        if in_translation_block or in_django_comment:
            continue
        if token.token_type == TokenType.VAR:
            if state == "data" or (state == "attr-value" and attribute in TRANSLATABLE_ATTRIBUTES):
                add("var", start, end, token.contents, attribute if state == "attr-value" else "")
            continue
        text = token.contents
        i = 0
        while i < len(text):
            char = text[i]
            here = start + i
            if state == "data":
                if char == "<":
                    flush()
                    if text.startswith("<!--", i):
                        state = "html-comment"
                        i += 4
                        continue
                    state, tag_buffer = "tag", ""
                elif char == "\n" and plain_text:
                    flush()
                else:
                    add("text", here, here + 1, char, "")
            elif state == "html-comment":
                if text.startswith("-->", i):
                    state = "data"
                    i += 3
                    continue
            elif state == "tag":
                if char == ">":
                    element = re.match(r"\s*(\w+)", tag_buffer)
                    if element and element.group(1).lower() in SKIPPED_ELEMENTS:
                        state, skipped_element = "skip", element.group(1).lower()
                    else:
                        state = "data"
                elif char in "\"'":
                    match = re.search(r"([\w:-]+)\s*=\s*$", tag_buffer)
                    attribute = match.group(1).lower() if match else ""
                    state, quote = "attr-value", char
                else:
                    tag_buffer += char
            elif state == "attr-value":
                if char == quote:
                    flush()
                    state, attribute = "tag", ""
                    tag_buffer += " "
                elif attribute in TRANSLATABLE_ATTRIBUTES:
                    add("text", here, here + 1, char, attribute)
            elif state == "skip":
                if text[i:i + len(skipped_element) + 2].lower() == f"</{skipped_element}":
                    state, tag_buffer = "tag", ""
                    i += 1
                    continue
            i += 1
    flush()
    return found


def literal_arguments(source: str) -> list[str]:
    """User-facing string literals in tag arguments that are not wrapped in ``_()``."""
    found = []
    for token in DebugLexer(source).tokenize():
        if token.token_type not in (TokenType.VAR, TokenType.BLOCK):
            continue
        contents = token.contents
        name = contents.split()[0] if contents.split() else ""
        if name in {"translate", "trans", "blocktranslate", "blocktrans", "url", "static", "extends", "load",
                    "csrf_token", "cycle", "now", "widthratio", "regroup", "templatetag", "block", "endblock"}:
            continue
        if token.token_type == TokenType.BLOCK and name != "include" and "default" not in contents:
            continue
        for match in LITERAL_ARGUMENT.finditer(contents):
            literal = match.group(2)
            before = contents[: match.start(1)]
            # An element id handed to an included template is markup, not text.
            if re.search(r"\bid\s*=\s*$", before):
                continue
            if literal not in ALLOWED and LETTER.search(literal) and not before.endswith("_("):
                found.append(literal)
    return found


def unmarked(path: Path) -> list[str]:
    """Every unmarked user-facing string of the template at ``path``, as "line: text"."""
    source = path.read_text()
    problems = []
    for run in runs(source, plain_text=path.suffix == ".txt"):
        if run.user_facing():
            line = source.count("\n", 0, run.pieces[0].start) + 1
            problems.append(f"{line}: {' '.join(run.text.split())}")
    problems += [f"argument: {literal}" for literal in literal_arguments(source)]
    return problems
