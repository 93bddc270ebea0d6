"""Evidence that tells variants of one product line apart.

Known-item misses are mostly siblings of the right product: the same title but
another capacity (``750GB`` vs ``1 TB``), colour (``Magenta`` vs ``Black``),
pack count or model number. BM25 and the sentence encoder see those as nearly the
same text; these features say where the query and a candidate *disagree*:

- specs: numbers with a unit, grouped by what they measure (``4.7GB`` and
  ``4.7 GB`` agree, ``1 TB`` = ``1000 GB``); ``spec_agree`` counts the measures
  both sides state with a shared value, ``spec_conflict`` those they state with
  different values (``32GB`` query vs ``16GB`` product: conflict 1); values within
  ``SPEC_TOLERANCE`` of each other are shared (``1024MB`` = ``1 GB``, ``14.1MP`` =
  ``14 MP``: shops round differently), and ``6-in-1`` is a count, not six inches;
- colours (also in model numbers: ``IT4LL-WHT``): ``colour_match`` 1 when both
  name a colour and share one, 0 when they name different colours, -1 when a side
  names none;
- ``rare_coverage``: the share of the query's rarest terms (highest IDF) found in
  the product;
- ``title_trigram``: Jaccard similarity of the character 3-grams of the squashed
  query and title (robust to ``HD5450`` vs ``HD 5450``).
"""

from __future__ import annotations

import re

from shopsense.catalog.matching.records import COLOURS
from shopsense.text.normalize import normalize
from shopsense.text.tokenize import tokenize

VARIANT_FEATURES: tuple[str, ...] = (
    "spec_agree",
    "spec_conflict",
    "colour_match",
    "rare_coverage",
    "title_trigram",
)
#: How many of the query's highest-IDF terms ``rare_coverage`` looks at.
RARE_TERMS = 3
#: Relative difference under which two values of a measure are the same spec: covers
#: binary vs decimal bytes (1024 MB vs 1 GB, 2.4 %) and rounded megapixels (14.2 vs 14);
#: on Walmart→Amazon, 10 of the 15 gold products that "conflicted" with their query
#: differed by such rounding only (one more was ``6-in-1`` read as six inches).
SPEC_TOLERANCE = 0.025

# unit → (what it measures, factor to the measure's base unit)
_UNITS: dict[str, tuple[str, float]] = {
    **{u: ("bytes", f) for u, f in (("kb", 1e-6), ("mb", 1e-3), ("gb", 1.0), ("tb", 1e3))},
    **dict.fromkeys(("w", "watt", "watts"), ("watts", 1.0)),
    **dict.fromkeys(("v", "volt", "volts"), ("volts", 1.0)),
    "mah": ("mah", 1.0),
    **dict.fromkeys(("in", "inch", "inches"), ("inches", 1.0)),
    **dict.fromkeys(("ft", "feet", "foot"), ("feet", 1.0)),
    **{u: ("mm", f) for u, f in (("mm", 1.0), ("cm", 10.0))},
    **dict.fromkeys(("pk", "pack", "packs", "pc", "pcs", "count", "ct", "piece"), ("count", 1.0)),
    **dict.fromkeys(("port", "ports"), ("ports", 1.0)),
    **{u: ("pixels", f) for u, f in (("mp", 1.0), ("megapixel", 1.0))},
    **{u: ("hertz", f) for u, f in (("hz", 1e-6), ("khz", 1e-3), ("mhz", 1.0), ("ghz", 1e3))},
    **{u: ("rate", f) for u, f in (("mbps", 1.0), ("gbps", 1e3))},
    **{u: ("weight_oz", f) for u, f in (("oz", 1.0), ("lb", 16.0), ("lbs", 16.0))},
    **{u: ("ml", f) for u, f in (("ml", 1.0), ("cl", 10.0))},
    "rpm": ("rpm", 1.0),
    "dpi": ("dpi", 1.0),
    "ppm": ("ppm", 1.0),
    "x": ("speed", 1.0),  # 16x (attached only: "3 x 3" is a size)
}
_SPEC = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)(\s*-?\s*)("
    + "|".join(sorted(_UNITS, key=len, reverse=True))
    + r")(?![a-z0-9]|-\d)"
)
_COLOUR_ALIASES = {
    "gray": "grey",
    "blk": "black",
    "wht": "white",
    "blu": "blue",
    "gry": "grey",
    "pnk": "pink",
    "slv": "silver",
    "sil": "silver",
    "grn": "green",
    "ylw": "yellow",
    "cyan": "cyan",
    "clear": "clear",
}
_COLOUR_WORDS = {c: c for c in COLOURS if c.isascii()} | _COLOUR_ALIASES
_NON_ALNUM = re.compile(r"[^0-9a-z]")

Spec = tuple[str, float]


def specs(text: str) -> frozenset[Spec]:
    """(measure, value in the measure's base unit) of every number with a unit in ``text``."""
    out = set()
    for number, gap, unit in _SPEC.findall(normalize(text)):
        if unit == "x" and gap:
            continue
        measure, factor = _UNITS[unit]
        out.add((measure, round(float(number) * factor, 6)))
    return frozenset(out)


def colours(terms: frozenset[str]) -> frozenset[str]:
    """Canonical colour names among ``terms`` (``gray``/``gry`` → ``grey``, ``blk`` → ``black``)."""
    return frozenset(_COLOUR_WORDS[t] for t in terms if t in _COLOUR_WORDS)


def colour_terms(text: str) -> frozenset[str]:
    """Colours named in ``text``, including inside model numbers (``IT4LL-WHT``)."""
    return colours(frozenset(tokenize(text)))


def trigrams(text: str) -> frozenset[str]:
    """Character 3-grams of ``text`` squashed to letters and digits."""
    s = _NON_ALNUM.sub("", normalize(text))
    return frozenset(s[i : i + 3] for i in range(len(s) - 2))


def spec_agreement(query: frozenset[Spec], product: frozenset[Spec]) -> tuple[float, float]:
    """(measures both state with a shared value, measures both state with different values)."""
    if not query or not product:
        return 0.0, 0.0
    agree = conflict = 0
    for measure in {m for m, _ in query} & {m for m, _ in product}:
        q = [v for m, v in query if m == measure]
        p = [v for m, v in product if m == measure]
        if any(_same(a, b) for a in q for b in p):
            agree += 1
        else:
            conflict += 1
    return float(agree), float(conflict)


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= SPEC_TOLERANCE * max(abs(a), abs(b))


def colour_match(query: frozenset[str], product: frozenset[str]) -> float:
    """1 shared colour, 0 different colours, -1 when either side names none."""
    if not query or not product:
        return -1.0
    return 1.0 if query & product else 0.0


def rare_terms(idf: dict[str, float]) -> frozenset[str]:
    """The query's ``RARE_TERMS`` highest-IDF terms."""
    return frozenset(sorted(idf, key=lambda t: (-idf[t], t))[:RARE_TERMS])


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    shared = len(a & b)
    union = len(a) + len(b) - shared  # without building the union set
    return shared / union if union else 0.0
