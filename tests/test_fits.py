"""Fits clauses of accessory titles, and the weak labels that leave them out."""

from __future__ import annotations

import pytest

from shopsense.catalog.schema import Product
from shopsense.labeling.weak_intent import labels_from_titles
from shopsense.text.fits import fits_clauses, without_fitted


@pytest.mark.parametrize(
    ("title", "names"),
    [
        ("Spigen Ultra Hybrid Case for iPhone 16 Pro - Clear", ["iPhone 16 Pro"]),
        ("Ear Pads Compatible with Sony WH-1000XM5, Black", ["Sony WH-1000XM5"]),
        ("OtterBox Defender Case for iPhone 15 Pro Max, Black", ["iPhone 15 Pro Max"]),
        ("Case for 华为 Mate 70 Pro (2 pack)", ["华为 Mate 70 Pro"]),
        # a Chinese title: the name is the model, up to the next Chinese word
        ("Spigen 适用iPhone 16 透明手机壳 防摔 透明", ["iPhone 16"]),
        ("适用苹果16手机壳", ["苹果16"]),
        ("适配 Redmi Note 13 钢化膜", ["Redmi Note 13"]),
        # a name running to the title's end may be a line's name ending in the item: not taken
        ("Wildcraft Unisex Gear for Life Green Waist Bag", []),
        ("Be For Bag Women Pack of 3 Bag", []),
        # no model after the marker, or none at all: no clause
        ("适用于干性肌肤 保湿面霜", []),
        ("Garmin Forerunner 265 Running Smartwatch - Black", []),
        ("Screen Protector for", []),
    ],
)
def test_the_name_after_the_marker_up_to_a_separator(title: str, names: list[str]) -> None:
    assert [c.name for c in fits_clauses(title)] == names


def test_a_title_without_what_it_fits() -> None:
    fitted = without_fitted("Spigen Case for iPhone 16 Pro - Clear", "Phone Cases")
    assert fitted == "Spigen Case - Clear"
    assert without_fitted("Spigen 适用iPhone 16 透明手机壳", "Phone Cases") == "Spigen 透明手机壳"
    assert without_fitted("Ear Pads for Sony WH-1000XM5, Black", "Headphones") == "Ear Pads, Black"
    # a clause naming the item's own kind is the item, not what it fits: kept
    for title, leaf in [
        ("Scullers For Her Grey Top - Size M", "Tops"),
        ("Mitico For Men Gift Set (2 pcs)", "Fragrance Gift Set"),
        ("Apple iPhone 16 128GB - Black", "Smartphones"),
    ]:
        assert without_fitted(title, leaf) == title


def test_weak_labels_leave_out_the_product_an_accessory_fits() -> None:
    products = [
        Product(id="1", title="Apple iPhone 16 128GB - Black", category=("Phones", "Smartphones")),
        Product(
            id="2",
            title="Spigen Ultra Hybrid Case for iPhone 16 Pro - Clear",
            category=("Phones", "Phone Cases"),
        ),
        Product(id="3", title="No category"),
    ]
    assert labels_from_titles(products) == [
        ("Apple iPhone 16 128GB - Black", "Phones > Smartphones"),
        ("Spigen Ultra Hybrid Case - Clear", "Phones > Phone Cases"),
    ]
    leaf = labels_from_titles(products, depth=-1)[1]
    assert leaf == ("Spigen Ultra Hybrid Case - Clear", "Phone Cases")
