"""Variant evidence (specs, colours, rare terms, trigrams) on hand-checkable cases."""

from __future__ import annotations

import pytest

from shopsense.ranking.variants import (
    colour_match,
    colour_terms,
    jaccard,
    rare_terms,
    spec_agreement,
    specs,
    trigrams,
)


def test_specs_read_numbers_with_units_in_base_units() -> None:
    assert specs("ioSafe Rugged 750GB USB 3.0") == {("bytes", 750.0)}
    assert specs("Hard drive - 750 GB - external") == {("bytes", 750.0)}
    assert specs("Portable 1 TB drive") == {("bytes", 1000.0)}
    assert specs("Verbatim 4.7GB 16X DVD-R 50 Packs") == {
        ("bytes", 4.7),
        ("speed", 16.0),
        ("count", 50.0),
    }
    assert specs("DP Audio 1000-Watt Kit, 2-Pack") == {("watts", 1000.0), ("count", 2.0)}
    # "3 x 3" is a size, not a speed; a bare number or a model number is no spec
    assert specs("Post-it 3 x 3 Notes TL-SG1024D 2011") == frozenset()


def test_spec_agreement_counts_shared_and_conflicting_measures() -> None:
    # the brief's case: a 32GB query against a 16GB product is one conflict
    assert spec_agreement(specs("SanDisk 32GB microSD"), specs("SanDisk 16GB microSD")) == (0, 1)
    assert spec_agreement(specs("SanDisk 32GB microSD"), specs("SanDisk 32 GB card")) == (1, 0)
    # 1 TB = 1000 GB agrees; the pack count conflicts; watts are on one side only
    q = specs("Drive 1TB 2-pack 10W")
    assert spec_agreement(q, specs("Drive 1000 GB 3 pack")) == (1, 1)
    assert spec_agreement(q, specs("Drive")) == (0, 0)


def test_specs_rounded_differently_agree_and_counts_are_not_sizes() -> None:
    # Walmart→Amazon gold pairs: binary vs decimal bytes, megapixels rounded by one shop
    assert spec_agreement(specs("GT 430 with 1024MB DDR3"), specs("GT 430 1 GB DDR3")) == (1, 0)
    assert spec_agreement(specs("Casio 14.1MP camera"), specs("Casio 14 MP camera")) == (1, 0)
    # a real difference still conflicts: 16.2 vs 14 MP, 2 GB vs 1 GB
    assert spec_agreement(specs("16.2MP"), specs("14 MP")) == (0, 1)
    assert spec_agreement(specs("2GB"), specs("1024MB")) == (0, 1)
    # ``6-in-1`` counts card slots; it is not a six-inch size
    assert specs("Sabrent 6-in-1 Card Reader") == frozenset()
    assert specs("7 in screen") == {("inches", 7.0)}


def test_colours_are_canonical_and_found_in_model_numbers() -> None:
    assert colour_terms("iFrogz IT4LL-WHT Luxe Lean") == {"white"}
    assert colour_terms("Comfort Mouse Silver blu, Gray") == {"silver", "blue", "grey"}
    assert colour_terms("Canon CLI-221 Cyan Ink") == {"cyan"}
    magenta, black = colour_terms("CLI-221 Magenta"), colour_terms("CLI-221 Ink Tank Black")
    assert colour_match(magenta, magenta) == 1.0
    assert colour_match(magenta, black) == 0.0
    assert colour_match(magenta, frozenset()) == -1.0


def test_rare_terms_and_trigrams() -> None:
    assert rare_terms({"a": 1.0, "b": 5.0, "c": 3.0, "d": 4.0}) == {"b", "d", "c"}
    assert trigrams("HD-545") == {"hd5", "d54", "545"}
    # hd5450 vs hd5450x: 4 shared of 5
    assert jaccard(trigrams("HD 5450"), trigrams("hd5450x")) == pytest.approx(4 / 5)
    assert jaccard(frozenset(), frozenset()) == 0.0
