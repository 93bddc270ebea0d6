"""The product an accessory's title says it fits: ``Case for iPhone 16 Pro - Clear``,
``Ear Pads compatible with Sony WH-1000XM5``, ``Spigen 适用iPhone 16 透明手机壳``.

A *fits clause* is a marker (``for``, ``compatible with``, ``适用于``, ``适用``, ``适配``,
``兼容``) and the name after it, which ends at a separator (`` - ``, ``,``, ``(``,
``|``, ``;`` and their Chinese forms) or at the first Chinese word after it: a Chinese
title names the product by its model (``适用iPhone 16 透明手机壳``: *iPhone 16*;
``适用苹果16手机壳``: *苹果16*), so a name needs a letter or digit (``适用于干性肌肤``, for
dry skin, names none). A name must be followed by something — a separator, a Chinese word:
one that runs to the end of the title is as likely a product line's name ending in the item
itself (``Wildcraft Gear for Life Green Waist Bag``, ``Be For Bag Women Pack of 3 Bag``, 228
such titles of the 44k Myntra ones, none a fits clause), so it is not taken. A clause may
still name the item itself (``Mitico For Men Fragrance Gift Set (2 pcs)``): whoever knows
the item's category tells the two apart (:func:`names_item`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shopsense.text.singular import search_terms

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_MARKER = re.compile(r"(?:\b(?:for|compatible\s+with)\b|适用于|适用|适配|兼容)\s*", re.IGNORECASE)
_END = re.compile(r"\s[-–—|]\s|[,，;；(（\[【|]")
_LEAD = re.compile(f"[{_CJK}]*")
_CHINESE = re.compile(f"[{_CJK}]")
_MODEL = re.compile(r"[^\W_]", re.ASCII)


@dataclass(frozen=True)
class FitsClause:
    """A fits clause of a title: ``title[start:end]`` is the marker and the ``name``."""

    start: int
    end: int
    name: str


def fits_clauses(title: str) -> list[FitsClause]:
    """The fits clauses of ``title``, in order (module docstring)."""
    out = []
    for marker in _MARKER.finditer(title):
        rest = title[marker.end() :]
        cut = _END.search(rest)
        rest = rest[: cut.start()] if cut else rest
        lead = _LEAD.match(rest)
        chinese = _CHINESE.search(rest, lead.end() if lead else 0)
        name = rest[: chinese.start()] if chinese else rest
        stripped = name.rstrip()
        if _MODEL.search(stripped) and (cut or chinese):  # not the title's tail
            end = marker.end() + len(stripped)
            out.append(FitsClause(marker.start(), end, stripped))
    return out


def names_item(clause: FitsClause, category: str) -> bool:
    """Whether ``clause`` names the item itself, a product of ``category`` (its leaf, e.g.
    ``Phone Cases``): its name holds the leaf's last word (``Mitico For Men Fragrance Gift
    Set (2 pcs)`` in *Fragrance Gift Set*), where a fits clause names another kind of
    product (``Case for iPhone 16 - Clear``)."""
    words = category.split()
    head = set(search_terms(words[-1])) if words else set()
    return bool(head & set(search_terms(clause.name)))


def without_fitted(title: str, category: str) -> str:
    """``title`` without its fits clauses that name another product than the item of
    ``category`` (``Case for iPhone 16 Pro - Clear`` → ``Case - Clear``)."""
    kept, at = [], 0
    for clause in fits_clauses(title):
        if clause.start >= at and not names_item(clause, category):
            kept.append(title[at : clause.start].rstrip())
            at = clause.end
    if not kept:
        return title
    return " ".join("".join([*kept, title[at:]]).split())
