"""A dimension's stable key within its role: what questions are linked by.

A rubric version's ``Dimension`` rows are copied into every new version, so a
question linked to a row would fall off the kit when the rubric is published
again. Questions link to ``Dimension.key`` instead, which every version keeps,
also when the team renames the dimension in the editor. A dimension first
written without a key gets the slug of its name (``scorecards.rubrics.io``);
``dimension_key`` gives that default for names in the seed's guidance files.
"""

from __future__ import annotations

from django.utils.text import slugify


def dimension_key(name: str) -> str:
    return slugify(name)[:80]
