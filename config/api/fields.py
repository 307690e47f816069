"""Serializer fields for what people type: the limit from ``hiring.text.LIMITS``, names checked for hidden characters.

The limit lands in the schema (``maxLength``), so a client can know it before sending; beyond it the answer is
a 400 whose ``field_errors`` names the field and says the limit.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from hiring.text import limit, validate_label


def text_field(key: str, *, label: bool = False, **kwargs: Any) -> serializers.CharField:
    """A CharField holding at most ``LIMITS[key]`` characters; ``label=True`` for names shown as labels."""
    validators = [*kwargs.pop("validators", []), *([validate_label] if label else [])]
    error_messages = {"max_length": "Use at most {max_length} characters.", **kwargs.pop("error_messages", {})}
    return serializers.CharField(
        max_length=limit(key), validators=validators, error_messages=error_messages, **kwargs
    )
