"""Brands whose names are common words in the catalogue's titles are soft guesses."""

from __future__ import annotations

from shopsense.query.attributes import AttributeParser
from shopsense.query.brand_evidence import MIN_TITLES, confirmed_names, generic_brands

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


def test_a_chinese_brand_name_that_is_a_word_is_sure_where_titles_use_it_for_the_brand() -> None:
    shop = [
        ("苹果 Apple iPhone 16 Pro 硅胶保护壳 黑色", "Apple"),
        ("苹果 AirPods Pro 2 白色", "Apple"),
        ("Apple Watch Series 10", "Apple"),
        ("博士 Bose QuietComfort 耳机", "Bose"),  # one title: too little to judge
    ]
    assert confirmed_names(shop) == {"苹果"}
    grocer = [*shop, ("红富士 苹果 5斤装", "果园")]  # the fruit, sold by another brand
    assert confirmed_names(grocer) == frozenset()
    assert confirmed_names([("Keep Yoga Mat", "Keep"), ("Keep 瑜伽垫", "Keep")]) == frozenset()
    parser = AttributeParser(["Apple", "Bose"], confirmed=confirmed_names(shop))
    (apple,) = parser.parse("苹果手机")
    assert (apple.value, apple.confidence) == ("Apple", 1.0)
    assert AttributeParser(["Apple"]).parse("苹果手机")[0].confidence < 0.8
