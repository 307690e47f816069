"""How the recommendation prints numbers and names: exact values rounded only for the reader and for storage."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scorecards.recommendations.types import DimensionResult


def plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def dimension_label(dimension: DimensionResult) -> str:
    return f"{dimension.name} ({dimension.weight_label})" if dimension.weight_label else dimension.name


def number_text(value: Decimal | Fraction | float) -> str:
    """3.5 -> '3.5', 3 -> '3.0', 2.25 -> '2.25': at least one decimal, no trailing zeros."""
    text = f"{Decimal(str(float(value))).quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP):f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def score_text(value: Fraction, *references: Fraction) -> str:
    """Two decimals, or more when two decimals would print a value equal to a threshold it is not equal to."""
    for places in range(2, 7):
        text = quantized(value, places)
        if all(value == ref or text != quantized(ref, places) for ref in references):
            return text
    return quantized(value, 6)


def short(text: str) -> str:
    """'2.00' -> '2.0', '2.50' -> '2.5', '2.33' stays."""
    if "." not in text:
        return text
    text = text.rstrip("0")
    return text + "0" if text.endswith(".") else text


def quantized(value: Fraction | Decimal | float, places: int) -> str:
    if isinstance(value, Fraction):
        return quantized_ratio(value.numerator, value.denominator, places)
    return f"{Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}"


# A recompute formats the same few means, weights and scores over and over: remembered by numerator and
# denominator (a tuple of ints hashes much faster than a Fraction).
@lru_cache(maxsize=16384)
def quantized_ratio(numerator: int, denominator: int, places: int) -> str:
    exact = Decimal(numerator) / Decimal(denominator)
    return f"{exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}"


def percent_text(value: Fraction) -> str:
    text = quantized(value * 100, 1)
    return (text[:-2] if text.endswith(".0") else text) + "%"


def decimal_str(value: Fraction | float | None, places: int = 3) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return float_text(value, places)
    return quantized(value, places)


@lru_cache(maxsize=16384)
def float_text(value: float, places: int) -> str:
    return quantized(Fraction(value), places)


def to_decimal(value: Fraction | float | None, places: int = 3) -> Decimal | None:
    """Round a result value for storage."""
    text = decimal_str(value, places)
    return None if text is None else Decimal(text)
