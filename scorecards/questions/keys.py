"""A dimension's stable key within its role: what questions are linked by.

A rubric version's ``Dimension`` rows are copied into every new version, so a
question linked to a row would fall off the kit when the rubric is published
again. The key is the slug of the dimension's name, which the versions share.
"""

from __future__ import annotations

from django.utils.text import slugify


def dimension_key(name: str) -> str:
    return slugify(name)
