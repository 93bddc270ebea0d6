"""Brands whose names are common words in the catalogue's titles are soft guesses."""

from __future__ import annotations

from shopsense.query.attributes import AttributeParser
from shopsense.query.brand_evidence import MIN_TITLES, generic_brands

CATALOGUE = [
    ("Digital Photo Frame 8 inch", "Digital"),
    ("Canon Digital Camera PowerShot", "Canon"),
    ("Nikon Digital Camera Coolpix", "Nikon"),
    ("Sony Digital Recorder", "Sony"),
    ("Kodak Digital Frame 10 inch", "Kodak"),
    ("Samsung Digital Camcorder", "SAMSUNG"),
    ("Samsung Galaxy Tab 10.1", "Samsung"),
    ("Samsung Galaxy S II", "Samsung"),
    ("Samsung LED TV 40", "Samsung"),
    ("Case for Samsung Galaxy Tab", "Belkin"),  # "for Samsung": what it fits, not counted
    ("Sleeve for Samsung Galaxy S", "Targus"),
    ("Belkin Surge Protector", "Belkin"),
    ("Targus Laptop Backpack", "Targus"),
    ("Galaxy 500 Phone", "Galaxy"),
    ("Pencil HB Yellow Dozen", "Dixon"),  # Dixon never names itself: no evidence
]


def test_a_brand_named_mostly_in_other_brands_titles_is_generic() -> None:
    generic = generic_brands(CATALOGUE)
    # "digital" is in 6 titles, 1 of them Digital's own
    assert "Digital" in generic
    # "samsung" is in 4 counted titles (two "for Samsung" skipped), all Samsung's own, and
    # "SAMSUNG" is the same brand in other letters
    assert "Samsung" not in generic and "SAMSUNG" not in generic
    # "galaxy" follows "samsung" even in the cases' titles: 5 titles, 1 of them Galaxy's
    assert MIN_TITLES <= 5 and "Galaxy" in generic
    # Dixon's titles never name it (no evidence); "belkin" is in 1 title, its own
    assert "Dixon" not in generic and "Belkin" not in generic


def test_a_junk_brand_whose_own_titles_skip_it_is_still_judged() -> None:
    # most titles here carry their brand, so "Digital" is judged by who names it even
    # though two of its three products do not
    more = [*CATALOGUE, ("Photo Frame 7 inch", "Digital"), ("USB Hub 4 port", "Digital")]
    assert "Digital" in generic_brands(more)
    # where titles mostly leave brands out (Canon's here), a brand whose own titles skip it
    # is not judged: six titles name "digital", one of them Digital's own
    bare = [(t, b) for t, b in more[-2:]] + [("Digital Photo Frame", "Digital")]
    bare += [(f"Digital Camera {n} MP", "Canon") for n in range(10, 15)]
    assert "Digital" not in generic_brands(bare)
    assert "Digital" in generic_brands([*bare, *(("Canon Lens", "Canon"),) * 9])


def test_too_few_titles_are_no_evidence() -> None:
    few = [(t, b) for t, b in CATALOGUE if "Digital" not in t or b in ("Digital", "Canon")]
    assert "Digital" not in generic_brands(few)  # 2 titles name it: fewer than MIN_TITLES


def test_a_generic_brand_is_no_filter_but_a_distinct_one_is() -> None:
    brands = {b for _, b in CATALOGUE}
    parser = AttributeParser(brands, generic_brands(CATALOGUE))
    frame = {f.value: f.confidence for f in parser.parse("digital picture frame")}
    assert frame["Digital"] < 0.8
    # the generic list may spell a brand in other letters than the catalogue's
    shouting = AttributeParser(brands, ["DIGITAL"])
    assert {f.value: f.confidence for f in shouting.parse("digital frame")}["Digital"] < 0.8
    (samsung,) = [f for f in parser.parse("samsung tv") if f.field == "brand"]
    assert samsung.value.lower() == "samsung" and samsung.confidence == 1.0
