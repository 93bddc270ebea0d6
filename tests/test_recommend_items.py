"""Similar items and bought together on the demo catalogue: what they hold and why they say."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from shopsense.app.demo import DEMO_EVENTS
from shopsense.app.services import Services
from shopsense.app.settings import Settings
from shopsense.events.interactions import Interactions
from shopsense.events.loaders import LoadOptions
from shopsense.models.sentence_encoder import MultilingualUSE
from shopsense.recommend.companion_fit import (
    FITS,
    NEUTRAL,
    SAME_BRAND,
    CategoryWords,
    companion_fit,
)
from shopsense.recommend.content import ContentBased, ItemVectors, encode_item_texts
from shopsense.recommend.controls import ItemAttributes, under
from shopsense.recommend.engine import Controls, RecommendationEngine, Suggestion
from shopsense.recommend.lineup import default_model

SIMILAR_CODES = {"similar_shoppers", "similar_content", "same_category"}


@pytest.fixture(scope="module")
def rows(demo_catalog_rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in demo_catalog_rows}


def _attributes(data: Interactions, rows: dict[str, dict[str, str]]) -> ItemAttributes:
    stock = [rows[i]["availability"] for i in data.item_ids]
    left = [int(rows[i]["stock"] or -1) for i in data.item_ids]
    in_stock = np.array([s == "in_stock" and n != 0 for s, n in zip(stock, left, strict=True)])
    sold_out = np.array(
        [
            s == "out_of_stock" or (s == "in_stock" and n == 0)
            for s, n in zip(stock, left, strict=True)
        ]
    )
    prices = np.array([float(rows[i]["price"]) for i in data.item_ids])
    n = data.n_items
    return ItemAttributes(np.ones(n, bool), in_stock, data.item_category, prices, sold_out)


def _engine(
    data: Interactions, rows: dict[str, dict[str, str]], content: ContentBased | None
) -> RecommendationEngine:
    return RecommendationEngine(
        default_model(content).fit(data),
        data,
        attributes=_attributes(data, rows),
        titles={i: r["title"] for i, r in rows.items()},
        brands={i: r["brand"] for i, r in rows.items()},
    )


@pytest.fixture(scope="module")
def engine(
    demo_interactions: Interactions, rows: dict[str, dict[str, str]]
) -> RecommendationEngine:
    """The served model with content vectors of the products' text (real MultilingualUSE)."""
    texts = {i: f"{r['title']} | {r['brand']} | {r['category']}" for i, r in rows.items()}
    content = ContentBased({"text": encode_item_texts(texts, MultilingualUSE())})
    return _engine(demo_interactions, rows, content)


@pytest.fixture(scope="module")
def plain(demo_interactions: Interactions, rows: dict[str, dict[str, str]]) -> RecommendationEngine:
    """No content vectors (a store without a search index)."""
    return _engine(demo_interactions, rows, None)


def _ids(items: list[Suggestion]) -> list[str]:
    return [s.item_id for s in items]


def _cat(engine: RecommendationEngine, item_id: str) -> str:
    return engine.data.item_category[engine.data.item_index[item_id]] or ""


def test_similar_items_differ_by_item_and_each_says_what_it_shares(
    engine: RecommendationEngine,
) -> None:
    iphone, xiaomi = engine.similar("P0040", 10), engine.similar("P0052", 10)
    assert _ids(iphone) != _ids(xiaomi)  # were the same popular smartphones, same scores
    assert [s.score for s in iphone] != [s.score for s in xiaomi]
    # the other iPhone 16 is the most similar item to the iPhone 16
    assert iphone[0].item_id == "P0041"
    knn = engine.explainer.knn.sim
    for seed, items in (("P0040", iphone), ("P0052", xiaomi)):
        j = engine.data.item_index[seed]
        for s in items:
            assert s.reason_code in SIMILAR_CODES and "similar to" not in s.reason
            i = engine.data.item_index[s.item_id]
            # "viewed by the same shoppers" only where they are (the explainer's floor)
            assert (knn[j, i] >= 0.2) == ("viewed by the same shoppers" in s.reason)
            assert ("also in Smartphones" in s.reason) == (
                _cat(engine, s.item_id) == _cat(engine, seed)
            )
    dresses = [engine.similar(f"P0{n}", 5) for n in range(156, 162)]
    assert len({tuple(_ids(d)) for d in dresses}) >= 5  # 5 of 6 dresses shared one list


def test_an_item_without_events_gets_items_like_it_not_popular_ones(
    engine: RecommendationEngine, plain: RecommendationEngine
) -> None:
    cold = "P0160"  # Adidas T-shirt dress, no events
    assert engine.data.item_index[cold] not in set(engine.data.ev_item.tolist())
    found = engine.similar(cold, 5)
    assert len(found) == 5
    dress = "Apparel > Dresses > Dresses"
    assert sum(_cat(engine, s.item_id) == dress for s in found) >= 4  # was a pan, AirPods…
    assert {s.reason_code for s in found} <= {"similar_content", "same_category"}
    for s in found:  # "also in Dresses" only for a dress; a T-shirt for its title alone
        assert ("also in Dresses" in s.reason) == (_cat(engine, s.item_id) == dress)
        if s.reason_code == "similar_content":
            assert s.reason.startswith("similar title to Adidas")
    # without content vectors the category is all it knows, and it says only that
    bare = plain.similar(cold, 5)
    assert bare and all(_cat(plain, s.item_id) == _cat(plain, cold) for s in bare)
    assert {s.reason_code for s in bare} == {"same_category"}
    assert all(s.reason.startswith("also in Dresses, like Adidas") for s in bare)


def test_a_filter_leaves_similar_items_with_evidence_only(engine: RecommendationEngine) -> None:
    shoes = "P0001"  # Nike Pegasus: AirPods Max were "similar" to it under Electronics
    assert engine.similar(shoes, 10, Controls(category_prefix="Electronics")) == []  # none alike
    found = engine.similar(shoes, 10, Controls(category_prefix="Footwear > Shoes > Sneakers"))
    assert found and all(_cat(engine, s.item_id).endswith("Sneakers") for s in found)
    assert all(s.reason_code == "similar_content" for s in found)  # another category: content
    assert len(found) < 10  # no filler to reach k


def test_an_accessory_is_not_similar_to_a_phone_on_shoppers_alone(
    engine: RecommendationEngine,
) -> None:
    sim = engine.similarity
    for phone in ("P0040", "P0042", "P0044"):
        found = engine.similar(phone, 20)
        ok = sim.shares(sim.evidence(engine.item(phone)))
        others = [s for s in found if not _cat(engine, s.item_id).endswith("Smartphones")]
        assert len(others) < len(found)
        for s in others:  # 653ad84: cases and chargers, on shared shoppers alone
            assert ok.content[engine.item(s.item_id)]
            assert "similar title" in s.reason or "similar photo" in s.reason
    chargers = [s for s in engine.similar("P0040", 20) if "Chargers" in _cat(engine, s.item_id)]
    assert chargers == []


def test_similarity_counts_only_evidence_that_passed_its_floor(
    engine: RecommendationEngine,
) -> None:
    sim = engine.similarity
    for seed in ("P0156", "P0040", "P0001"):
        j = engine.item(seed)
        ev, ok = sim.evidence(j), sim.shares(sim.evidence(j))
        for s in engine.similar(seed, 10):
            i = engine.item(s.item_id)
            counted = (
                ev.shoppers[i] * ok.shoppers[i]
                + ev.title[i] * ok.title[i]
                + ev.photo[i] * ok.photo[i]
                + sim.category_bonus * ev.same_category[i]
            )
            assert s.score == pytest.approx(counted, abs=2e-3)  # + ε · popularity
            if s.reason_code == "same_category":  # "popular there": nothing else passed
                assert s.score <= sim.category_bonus + 1e-3


def test_bought_together_says_it_is_a_category_rule_and_puts_fitting_cases_first(
    engine: RecommendationEngine,
) -> None:
    iphone = engine.bought_together("P0040", 5)
    assert {s.reason_code for s in iphone} == {"bought_with_category"}
    cases = [s for s in iphone if _cat(engine, s.item_id).endswith("Phone Cases")]
    assert cases and all(
        s.reason.startswith("shoppers who buy Smartphones often add Phone Cases") for s in cases
    )
    assert all("often bought with Apple" not in s.reason for s in iphone)
    titles = [engine.titles[s.item_id] for s in cases]
    assert all("iPhone 16" in t and "Pro" not in t for t in titles)  # no Galaxy, no Pro case
    assert all("names iPhone 16, this item's model" in s.reason for s in cases)
    pro = engine.bought_together("P0042", 5)  # iPhone 16 Pro
    pro_cases = [s for s in pro if _cat(engine, s.item_id).endswith("Phone Cases")]
    # 653ad84: the plain iPhone 16 silicone cases first, "as this item's does"; P0065 cut off
    assert {s.item_id for s in pro_cases} == {"P0060", "P0061", "P0065"}
    assert _ids(pro)[:3] == _ids(pro_cases)
    assert all("names iPhone 16 Pro, this item's model" in s.reason for s in pro_cases)
    ultra = engine.bought_together("P0044", 5)  # Galaxy S25 Ultra
    assert {s.item_id for s in ultra[:3]} == {"P0062", "P0063", "P0064"}
    # fit order shows in the score: a fitting case above a same-brand or neutral companion
    assert pro[2].score > pro[3].score
    assert "same brand as this item" in next(s.reason for s in pro if s.item_id == "P0092")
    xiaomi = engine.bought_together("P0050", 5)  # Redmi Note 13
    assert not any("iPhone" in engine.titles[s.item_id] for s in xiaomi)
    assert engine.titles[xiaomi[0].item_id].startswith("小米 Redmi Note 13")


def test_bought_together_honours_the_filters(engine: RecommendationEngine) -> None:
    shoes = engine.bought_together("P0001", 5)
    assert any("Socks" in _cat(engine, s.item_id) for s in shoes)
    # no rule leads from running shoes to Electronics: empty, not filled up
    assert engine.bought_together("P0001", 5, Controls(category_prefix="Electronics")) == []
    only = engine.bought_together("P0040", 5, Controls(category_prefix="Electronics > Audio"))
    assert only and all(_cat(engine, s.item_id).startswith("Electronics > Audio") for s in only)
    attrs = engine.attributes
    assert attrs is not None
    stocked = engine.bought_together("P0040", 5, Controls(in_stock=True))
    assert all(attrs.in_stock[engine.data.item_index[s.item_id]] for s in stocked)


def test_sold_out_items_are_left_out_unless_asked(engine: RecommendationEngine) -> None:
    attrs = engine.attributes
    assert attrs is not None and attrs.sold_out is not None

    def sold_out(items: list[Suggestion]) -> int:
        return sum(bool(attrs.sold_out[engine.data.item_index[s.item_id]]) for s in items)  # type: ignore[index]

    users = list(engine.data.user_ids)
    with_them = sum(sold_out(engine.for_you(u, 10, Controls(include_sold_out=True))) for u in users)
    assert with_them > 0  # the demo shop does suggest sold-out items when asked
    assert sum(sold_out(engine.for_you(u, 10)) for u in users) == 0
    assert sold_out(engine.similar("P0079", 10)) == 0  # Sony headphones, several sold out


def test_a_new_user_is_known_as_such_and_scored_on_the_models_scale(
    engine: RecommendationEngine,
) -> None:
    assert engine.knows("U001") and not engine.knows("NOPE")
    cold = engine.for_you("NOPE", 5)
    assert {s.reason_code for s in cold} == {"popular_in"}
    assert max(s.score for s in cold) == pytest.approx(1.0)


def test_a_category_prefix_is_matched_by_whole_segments() -> None:
    path = "Footwear > Shoes > Running Shoes"
    assert under(path, "Footwear > Shoes") and under(path, "footwear>shoes > running shoes")
    assert not under(path, "Footwear > Shoes > Running") and not under(path, "Foot")
    assert not under(None, "Footwear")


def test_companion_fit_reads_what_a_title_names() -> None:
    phones = CategoryWords(
        [
            ("Apple iPhone 16 128GB - Black", "Apple"),
            ("Apple iPhone 16 Pro 256GB - Black", "Apple"),
            ("Samsung Galaxy S25 Ultra 256GB - Black", "Samsung"),
            ("小米 Redmi Note 13 智能手机 8GB+256GB 黑色", "Xiaomi"),
            ("小米15 Pro 5G 手机 12GB+256GB 白色", "Xiaomi"),
        ]
    )
    iphone = "Apple iPhone 16 128GB - Apple"
    case = "Electronics > Phones > Phone Cases"
    assert companion_fit(iphone, "Spigen 适用iPhone 16 透明手机壳", case, phones).preference == FITS
    pro = companion_fit(iphone, "Spigen Case for iPhone 16 Pro - Clear", case, phones)
    assert pro.preference < 0 and pro.named == "iPhone 16 Pro"  # another model: left out
    galaxy = companion_fit(iphone, "Samsung Galaxy S25 Ultra Silicone Case - Black", case, phones)
    assert galaxy.preference < 0  # names another phone: left out
    charger = companion_fit(iphone, "Anker Nano 20W USB-C Charger - White", case, phones)
    assert charger.preference == NEUTRAL and charger.named == ""


@pytest.mark.slow
def test_the_service_uses_the_search_indexs_vectors_for_similar_items(
    demo_search_store: tuple[str, Path], tmp_path: Path
) -> None:
    """Content is on by default ("auto") when the store holds text vectors: none encoded."""
    db = tmp_path / "demo.db"
    shutil.copy(demo_search_store[0], db)
    svc = Services.from_settings(Settings(db=str(db), data_dir=tmp_path / "data"))
    try:
        svc.recommendations.ingest_events(DEMO_EVENTS, LoadOptions())
        found = svc.recommendations.similar("P0160", 5)
        assert found and found[0].reason_code == "similar_content"
        assert {s.reason_code for s in found} <= {"similar_content", "same_category"}
        assert svc.recommendations.encoder is not None
        assert svc.recommendations.encoder._forward is None  # the model was never loaded
    finally:
        svc.close()


REDMI_CASE = "小米 Redmi Note 13 原装硅胶保护壳 蓝色"


@pytest.mark.parametrize(
    ("phone", "case", "fits"),
    [
        ("Apple iPhone 16 128GB - Apple", "Case for iPhone 16 - Clear", True),
        ("Apple iPhone 16 128GB - Apple", "Case for iPhone16 - Clear", True),
        ("Apple iPhone 16 128GB - Apple", "Case for iPhone 15 - Clear", False),
        ("Apple iPhone 16 128GB - Apple", "Case for iPhone 16 Plus - Clear", False),
        ("Apple iPhone 16 128GB - Apple", "Case for iPhone 16 Pro - Clear", False),
        ("Apple iPhone 16 Pro 256GB - Apple", "Case for iPhone 16 - Clear", False),
        ("Apple iPhone 16 Pro 256GB - Apple", "Case for iPhone 16Pro - Clear", True),
        ("Apple iPhone 16 Pro 256GB - Apple", "Case for iPhone 16 Pro Max - Clear", False),
        (
            "Apple iPhone 16 Pro 256GB - Apple",
            "苹果 Apple iPhone 16 Pro MagSafe 硅胶保护壳 黑色",
            True,
        ),
        ("Samsung Galaxy S25 Ultra 256GB - Samsung", "Spigen Case for Galaxy S25 - Clear", False),
        ("Samsung Galaxy S25 256GB - Samsung", "Spigen Case for Galaxy S25 Ultra - Clear", False),
        ("Samsung Galaxy S25 256GB - Samsung", "Samsung Galaxy S25 Silicone Case - Black", True),
        ("小米15 Pro 5G 手机 12GB+256GB 白色 - Xiaomi", "适用小米15 Pro 手机壳", True),
        (
            "小米 Redmi Note 13 智能手机 8GB+256GB 黑色 - Xiaomi",
            REDMI_CASE,
            True,
        ),
        (
            "Xiaomi Redmi Note 13 Pro 5G 256GB - Xiaomi",
            REDMI_CASE,
            False,
        ),
    ],
)
def test_a_case_fits_only_the_model_it_names_both_ways(phone: str, case: str, fits: bool) -> None:
    phones = CategoryWords(
        [
            ("Apple iPhone 16 128GB - Black", "Apple"),
            ("Apple iPhone 16 Pro 256GB - Black", "Apple"),
            ("Samsung Galaxy S25 Ultra 256GB - Black", "Samsung"),
            ("Samsung Galaxy S25 256GB - Black", "Samsung"),
            ("Xiaomi Redmi Note 13 Pro 5G 256GB - Purple", "Xiaomi"),
            ("小米 Redmi Note 13 智能手机 8GB+256GB 黑色", "Xiaomi"),
            ("小米15 Pro 5G 手机 12GB+256GB 白色", "Xiaomi"),
            ("Apple iPhone 16 (A3288) 128GB 蓝色 支持移动联通电信5G 双卡双待手机", "Apple"),
        ]
    )
    fit = companion_fit(phone, case, "Electronics > Phones > Phone Cases", phones)
    assert (fit.preference == FITS) == fits and (fit.preference < 0) == (not fits)
    # not model words: network, SIM and capacity words of a Chinese title
    assert not {"支持", "移动", "联通", "电信", "双卡", "8gb", "512gb", "5g"} & phones.words


def test_a_same_brand_companion_says_same_brand(engine: RecommendationEngine) -> None:
    nike = engine.bought_together("P0010", 5)  # 耐克 Pegasus: its title never says Nike
    assert all("its title names" not in s.reason for s in nike)
    socks = [s for s in nike if engine.titles[s.item_id].startswith("Nike")]
    assert socks and all(s.reason.endswith("same brand as this item (Nike)") for s in socks)
    assert nike[0].score > nike[-1].score  # the same brand ranks first, and the score shows it
    shoes = CategoryWords([("耐克 男子 Air Zoom Pegasus 41 跑步鞋 黑色", "Nike")])
    fit = companion_fit(
        "耐克 男子 Air Zoom Pegasus 41 跑步鞋 黑色 - Nike",
        "Nike Everyday Cushioned Socks (3 Pairs) - White",
        "Apparel > Socks > Sports Socks",
        shoes,
    )
    assert fit.preference == SAME_BRAND


def test_title_and_photo_are_claimed_per_pair_with_the_image_block(
    engine: RecommendationEngine, demo_interactions: Interactions, rows: dict[str, dict[str, str]]
) -> None:
    """Built as the service builds it: title vectors plus the photos' own vectors. Only the
    pair whose photos are alike says "photo" (653ad84 said "title and photo" for every
    pair once the store had an image block)."""
    assert engine.similarity.content is not None
    text = engine.similarity.content.blocks["text"]
    ids = tuple(rows)
    rng = np.random.default_rng(0)
    photos = rng.normal(size=(len(ids), 64)).astype(np.float32)
    photos[ids.index("P0041")] = photos[ids.index("P0040")]  # the same photo
    photos /= np.linalg.norm(photos, axis=1, keepdims=True)
    content = ContentBased({"text": text, "image": ItemVectors(ids, photos)})
    both = _engine(demo_interactions, rows, content)
    found = both.similar("P0040", 10)
    assert found[0].item_id == "P0041" and "similar title and photo" in found[0].reason
    assert all("photo" not in s.reason for s in found[1:])
    assert any("similar title" in s.reason for s in found[1:])
