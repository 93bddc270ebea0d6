"""Autocomplete from the catalogue's brands, categories and titles."""

from __future__ import annotations

from shopsense.catalog.schema import Product
from shopsense.query.suggest import Suggester


def _p(pid: str, title: str, brand: str | None, category: str) -> Product:
    return Product.model_validate({"id": pid, "title": title, "brand": brand, "category": category})


PRODUCTS = [
    _p("1", "Nike Air Zoom Running Shoes", "Nike", "Footwear > Shoes > Running Shoes"),
    _p("2", "Nike Court Tennis Shoes", "Nike", "Footwear > Shoes > Tennis Shoes"),
    _p("3", "Nikon Z50 Camera", "Nikon", "Electronics > Cameras"),
    _p("4", "耐克 男子 跑步鞋 黑色", "耐克", "鞋 > 跑步鞋"),
    _p("5", "ＵＮＩＱＬＯ Fleece Jacket", None, "Apparel > Jackets"),
]


def test_brands_with_more_products_come_first_then_titles() -> None:
    s = Suggester.from_products(PRODUCTS)
    got = [(x.text, x.kind, x.count) for x in s.suggest("nik", k=4)]
    assert got[0] == ("Nike", "brand", 2)
    assert got[1] == ("Nikon", "brand", 1)
    assert {t for t, kind, _ in got[2:]} <= {
        "Nike Air Zoom Running Shoes",
        "Nike Court Tennis Shoes",
        "Nikon Z50 Camera",
    }


def test_a_prefix_matches_at_any_word_start_but_not_inside_a_word() -> None:
    s = Suggester.from_products(PRODUCTS)
    texts = {x.text for x in s.suggest("shoe", k=20)}
    assert {"Shoes", "Running Shoes", "Tennis Shoes", "Nike Court Tennis Shoes"} <= texts
    assert not s.suggest("hoes", k=20)


def test_chinese_matches_at_any_character_and_full_width_is_folded() -> None:
    s = Suggester.from_products(PRODUCTS)
    assert [x.text for x in s.suggest("跑步", k=3)][0] == "跑步鞋"
    assert "耐克 男子 跑步鞋 黑色" in {x.text for x in s.suggest("跑步鞋", k=5)}
    assert [x.text for x in s.suggest("uniqlo")] == ["ＵＮＩＱＬＯ Fleece Jacket"]


def test_nothing_for_empty_or_unknown_prefixes() -> None:
    s = Suggester.from_products(PRODUCTS)
    assert s.suggest("   ") == [] and s.suggest("zzz") == [] and s.suggest("nike", k=0) == []
