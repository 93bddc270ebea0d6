"""Unit normalisation for sizes, weights and dimensions found in attribute values.

Pure functions: ``parse_quantity("7.6 x 4.8 x 1.4 inches")`` →
``Quantity(kind="length", values=(19.304, 12.192, 3.556), unit="cm")``. Weights go
to grams, lengths to centimetres, volumes to millilitres; clothing sizes to
their short code (``Extra Large`` → ``XL``).
"""

from __future__ import annotations

import re
from typing import NamedTuple

_LENGTH = {
    "mm": 0.1,
    "millimeter": 0.1,
    "millimeters": 0.1,
    "millimetre": 0.1,
    "millimetres": 0.1,
    "cm": 1.0,
    "centimeter": 1.0,
    "centimeters": 1.0,
    "centimetre": 1.0,
    "centimetres": 1.0,
    "m": 100.0,
    "meter": 100.0,
    "meters": 100.0,
    "metre": 100.0,
    "metres": 100.0,
    "in": 2.54,
    "inch": 2.54,
    "inches": 2.54,
    '"': 2.54,
    "''": 2.54,
    "ft": 30.48,
    "feet": 30.48,
    "foot": 30.48,
}
_WEIGHT = {
    "mg": 0.001,
    "g": 1.0,
    "gm": 1.0,
    "gms": 1.0,
    "gram": 1.0,
    "grams": 1.0,
    "kg": 1000.0,
    "kgs": 1000.0,
    "kilogram": 1000.0,
    "kilograms": 1000.0,
    "lb": 453.59237,
    "lbs": 453.59237,
    "pound": 453.59237,
    "pounds": 453.59237,
    "oz": 28.349523125,
    "ounce": 28.349523125,
    "ounces": 28.349523125,
}
_VOLUME = {
    "ml": 1.0,
    "milliliter": 1.0,
    "millilitre": 1.0,
    "l": 1000.0,
    "liter": 1000.0,
    "litre": 1000.0,
    "liters": 1000.0,
    "litres": 1000.0,
    "fl oz": 29.5735,
}
_KINDS = (("length", "cm", _LENGTH), ("weight", "g", _WEIGHT), ("volume", "ml", _VOLUME))

_SIZES = {
    "extra small": "XS",
    "x-small": "XS",
    "xsmall": "XS",
    "small": "S",
    "medium": "M",
    "large": "L",
    "extra large": "XL",
    "x-large": "XL",
    "xlarge": "XL",
    "extra extra large": "XXL",
    "xx-large": "XXL",
    "xxlarge": "XXL",
    "2xl": "XXL",
    "3xl": "XXXL",
    "xxx-large": "XXXL",
}

_NUM = r"(\d+(?:\.\d+)?|\.\d+)"
_UNIT = r"([a-z]+(?: oz)?|\"|'')"
_QUANTITY = re.compile(
    rf"^\s*{_NUM}(?:\s*(?:x|×|\*)\s*{_NUM})?(?:\s*(?:x|×|\*)\s*{_NUM})?\s*{_UNIT}\.?\s*$"
)


class Quantity(NamedTuple):
    kind: str  # length | weight | volume
    values: tuple[float, ...]
    unit: str  # cm | g | ml

    def render(self) -> str:
        return " x ".join(f"{v:.4g}" for v in self.values) + f" {self.unit}"


def parse_quantity(text: str) -> Quantity | None:
    """A number (or up to three, ``a x b x c``) with a known unit, in SI-like units."""
    match = _QUANTITY.match(text.casefold())
    if match is None:
        return None
    numbers = tuple(float(g) for g in match.groups()[:3] if g is not None)
    unit = match.group(4)
    for kind, canonical, table in _KINDS:
        if unit in table:
            factor = table[unit]
            return Quantity(kind, tuple(round(n * factor, 4) for n in numbers), canonical)
    return None


def normalise_size(text: str) -> str | None:
    """A clothing size spelled out (``Extra Large``) as its short code (``XL``)."""
    return _SIZES.get(" ".join(text.casefold().split()))
