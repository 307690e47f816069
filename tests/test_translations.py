"""The translations are kept complete: every user-facing template string is marked, `makemessages` finds nothing
new, no entry is fuzzy or empty, placeholders survive, and the committed .mo files say what the .po files say.

How to add a language or a string: docs/translations.md.
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.support.template_text import unmarked

ROOT = Path(settings.BASE_DIR)
LANGUAGES = [code for code, _name in settings.LANGUAGES if not code.startswith("en")]
# The one command that extracts the strings (docs/translations.md gives the same).
MAKEMESSAGES = [
    "makemessages", *[f"--locale={code}" for code in LANGUAGES], "--add-location=file", "--no-obsolete",
    "--ignore=.venv", "--ignore=tests", "--ignore=bench", "--ignore=node_modules", "--ignore=staticfiles",
    "--ignore=test-artifacts",
]
APPS = ["hiring", "scorecards", "exercises", "integrations", "imports", "privacy", "outcomes", "config"]
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[sd]|%%")


def po_file(code: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / code / "LC_MESSAGES" / "django.po"))


def templates() -> list[Path]:
    found = sorted((ROOT / "templates").rglob("*.html")) + sorted((ROOT / "templates").rglob("*.txt"))
    for app in APPS:
        for suffix in ("*.html", "*.txt"):
            found += sorted((ROOT / app / "templates").rglob(suffix)) if (ROOT / app / "templates").is_dir() else []
    return found


def test_the_template_scan_finds_unmarked_text_attributes_and_arguments(tmp_path):
    """The checker itself: it flags text, a readable attribute and a literal argument, and passes marked ones."""
    page = tmp_path / "page.html"
    page.write_text(
        '{% load i18n %}<h1>Welcome back</h1><p title="Your loops">{% translate "Marked" %}</p>'
        '{% include "x.html" with title="Shown title" %}<code>manage.py load_rubrics</code>'
        "{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}<script>let words = 'not read';</script>"
    )
    assert unmarked(page) == ["1: Welcome back", "1: Your loops", "argument: Shown title"]


def test_every_template_string_is_marked_for_translation():
    found = templates()
    assert len(found) > 80, "the scan should see every app's templates"
    problems = {str(path.relative_to(ROOT)): unmarked(path) for path in found}
    assert {path: lines for path, lines in problems.items() if lines} == {}


@pytest.mark.parametrize("code", LANGUAGES)
def test_catalogue_is_complete_with_no_fuzzy_entry_and_the_same_placeholders(code):
    catalogue = po_file(code)
    assert not catalogue.metadata_is_fuzzy
    assert catalogue.fuzzy_entries() == []
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert catalogue.percent_translated() == 100
    for entry in catalogue:
        sources = {*PLACEHOLDER.findall(entry.msgid), *PLACEHOLDER.findall(entry.msgid_plural or "")}
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            # A singular form may spell the count out ("1 Tag"), never add a placeholder of its own.
            assert set(PLACEHOLDER.findall(text)) <= sources, (code, entry.msgid)
            assert sources - set(PLACEHOLDER.findall(text)) <= {"%(count)d", "%(counter)s"}, (code, entry.msgid)


@pytest.mark.parametrize("code", LANGUAGES)
def test_committed_mo_file_says_what_the_po_file_says(code, tmp_path):
    """The .mo files are committed (so `make run` needs no GNU gettext): each must be the compiled .po."""
    compiled = tmp_path / "django.mo"
    po_file(code).save_as_mofile(str(compiled))
    committed = ROOT / "locale" / code / "LC_MESSAGES" / "django.mo"
    with compiled.open("rb") as fresh, committed.open("rb") as stored:
        fresh_catalog = gettext.GNUTranslations(fresh)._catalog  # type: ignore[attr-defined]
        stored_catalog = gettext.GNUTranslations(stored)._catalog  # type: ignore[attr-defined]
    fresh_catalog.pop("", None)
    stored_catalog.pop("", None)
    assert stored_catalog == fresh_catalog, "run: python manage.py compilemessages"


def test_makemessages_finds_no_string_the_catalogues_lack(tmp_path):
    """Extract the strings from a copy of the code into a copy of locale/: the msgids must be the same."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext's xgettext is missing: `make gettext-deps` (or apt-get install gettext)")
    copy = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "node_modules", "*.mo")
    for name in [*APPS, "bench", "templates", "locale"]:
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    result = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES], cwd=copy, capture_output=True, text=True, timeout=300,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    assert result.returncode == 0, result.stderr
    for code in LANGUAGES:
        before = {(entry.msgctxt, entry.msgid, entry.msgid_plural) for entry in po_file(code)}
        extracted = polib.pofile(str(copy / "locale" / code / "LC_MESSAGES" / "django.po"))
        after = {(entry.msgctxt, entry.msgid, entry.msgid_plural) for entry in extracted}
        assert after - before == set(), f"new strings to translate in {code}: run makemessages, then translate"
        assert before - after == set(), f"strings no longer used in {code}: run makemessages"
        assert extracted.fuzzy_entries() == [], f"makemessages marked entries fuzzy in {code}"


def test_every_evidence_hint_text_is_marked_for_the_catalogues():
    """makemessages cannot read rules.json: its texts are listed in scorecards/evidence/messages.py."""
    from scorecards.evidence.check import rules
    from scorecards.evidence.messages import MARKED, TEXT_KEYS

    texts = {rule[key] for rule in rules()["rules"] for key in TEXT_KEYS}
    assert texts == set(MARKED)
