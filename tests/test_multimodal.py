"""Fusion, the learned maps, "looks similar", text → image and the metrics, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from shopsense.catalog.image_duplicates import identical_photos, reshot_products
from shopsense.catalog.image_store import ImageRecord
from shopsense.core.errors import NotFoundError
from shopsense.evaluation.image_eval import knn_accuracy, own_item_recall_at_k, precision_at_k
from shopsense.models.image_signals import colour_histogram, difference_hash, hamming
from shopsense.models.linear_maps import RidgeMap, RidgeTextImage, one_hot
from shopsense.retrieval.multimodal import (
    Blocks,
    FusionWeights,
    MultimodalIndex,
    MultimodalModel,
    fuse,
)


def _unit(*rows: list[float]) -> np.ndarray:
    return np.asarray(rows, dtype=np.float32)


def test_fused_cosine_is_the_weighted_mean_of_the_block_cosines() -> None:
    # a and b agree on text, disagree on image, agree on colour
    blocks = Blocks(
        text=_unit([1, 0], [1, 0]), image=_unit([1, 0], [0, 1]), colour=_unit([0, 1], [0, 1])
    )
    w = FusionWeights(text=2.0, image=1.0, colour=1.0)
    fused = fuse(blocks, w)
    assert np.allclose(np.linalg.norm(fused, axis=1), 1.0)
    assert float(fused[0] @ fused[1]) == pytest.approx((2 * 1 + 1 * 0 + 1 * 1) / 4)


def test_a_product_without_an_image_keeps_only_its_text_and_colour_blocks() -> None:
    blocks = Blocks(text=_unit([1, 0]), image=_unit([0, 0]), colour=_unit([0, 0]))
    assert not blocks.has_image()[0]
    assert np.allclose(fuse(blocks, FusionWeights())[0], [1, 0, 0, 0, 0, 0])


def test_ridge_recovers_a_linear_map_and_survives_a_round_trip() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(200, 5))
    true = rng.normal(size=(5, 3))
    b = a @ true + 2.0
    fitted = RidgeMap.fit(a, b, lam=1e-6)
    assert np.allclose(fitted.apply(a), b, atol=1e-4)
    again = RidgeMap.from_bytes(fitted.to_bytes())
    assert np.array_equal(again.weights, fitted.weights)
    with pytest.raises(ValueError, match="as many"):
        RidgeMap.fit(a, b[:10], 1.0)


def test_one_hot_orders_classes() -> None:
    classes, mat = one_hot(["b", "a", "b"])
    assert classes == ["a", "b"] and mat.tolist() == [[0, 1], [1, 0], [0, 1]]


def _toy_index() -> MultimodalIndex:
    # two shoes (similar images) and two dresses; P3's title says nothing
    text = _unit([1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0, 1])
    image = _unit([1, 0], [0.95, 0.05], [0, 1], [0.05, 0.95])
    colour = _unit([1, 0], [1, 0], [0, 1], [0, 1])
    blocks = Blocks(text, image, colour)
    cats: list[str | None] = ["shoe", "shoe", "dress", "dress"]
    model = MultimodalModel.fit(blocks, cats, FusionWeights(text_image_lam=1e-3))
    return MultimodalIndex(["P0", "P1", "P2", "P3"], blocks, model)


def test_similar_items_exclude_the_seed_and_rank_its_kind_first() -> None:
    index = _toy_index()
    hits = index.similar("P0", k=3)
    assert [h.product_id for h in hits][0] == "P1"
    assert "P0" not in [h.product_id for h in hits]
    assert [h.product_id for h in index.similar("P3", k=1)] == ["P2"]
    with pytest.raises(NotFoundError, match="images embed"):
        index.similar("P9")


def test_a_text_query_finds_the_product_whose_image_fits_though_its_title_does_not() -> None:
    index = _toy_index()
    dress_query = _unit([0, 1, 0])[0]
    by_image = [h.product_id for h in index.search_by_image(dress_query, k=2)]
    assert set(by_image) == {"P2", "P3"}  # P3's title [0,0,1] is orthogonal to the query
    feats = index.query_features(dress_query, ["P3", "P0", "P9"])
    assert feats["P3"]["mm_text_cosine"] == pytest.approx(0.0, abs=1e-6)
    assert feats["P3"]["mm_image_cosine"] > feats["P0"]["mm_image_cosine"] + 0.3
    assert feats["P9"] == {"mm_text_cosine": 0.0, "mm_image_cosine": 0.0}


def test_ridge_text_image_puts_images_in_the_text_space() -> None:
    images = _unit([1, 0], [0, 1], [1, 1])
    titles = _unit([0, 1, 0], [0, 0, 1], [0, 1, 1])
    model = RidgeTextImage.fit(images, titles, lam=1e-6)
    assert own_item_recall_at_k(model.embed_queries(titles), model.embed_images(images), 1) == 1.0


def test_knn_accuracy_and_precision_by_hand() -> None:
    vecs = _unit([1, 0], [0.9, 0.1], [0.8, 0.2], [0, 1])
    labels = ["a", "a", "b", "b"]
    # k=1: 0→1 (a ✓), 1→0 (a ✓), 2→1 (a ✗), 3→2 (b ✓)
    assert knn_accuracy(vecs, labels, k=1) == 0.75
    assert precision_at_k(vecs, labels, k=1) == 0.75
    # k=2, row 3: neighbours 2 (b), 1 (a): a tie goes to the nearer, b ✓
    assert knn_accuracy(vecs, labels, k=2, rows=[3]) == 1.0
    assert precision_at_k(vecs, labels, k=2, rows=[3]) == 0.5


def test_colour_histogram_ignores_the_white_background() -> None:
    img = np.full((10, 10, 3), 255, dtype=np.uint8)
    img[:2, :2] = (200, 10, 10)  # a small red patch on white
    hist = colour_histogram(img)
    assert hist.shape == (64,) and float(np.linalg.norm(hist)) == pytest.approx(1.0)
    red_bin = (3 * 4 + 0) * 4 + 0
    assert hist[red_bin] == pytest.approx(1.0)


def test_difference_hash_survives_a_resize_and_tells_photos_apart() -> None:
    rng = np.random.default_rng(1)
    small = rng.integers(0, 256, size=(16, 18, 3), dtype=np.uint8)
    big = np.repeat(np.repeat(small, 4, axis=0), 4, axis=1)
    other = rng.integers(0, 256, size=(64, 72, 3), dtype=np.uint8)
    assert hamming(difference_hash(small), difference_hash(big)) <= 4
    assert hamming(difference_hash(small), difference_hash(other)) > 10
    assert hamming(0b1011, 0b0001) == 2


def test_identical_photos_and_reshot_products() -> None:
    recs = [
        ImageRecord("A", "a.jpg", "ok", None, "h1", "00000000000000ff"),
        ImageRecord("B", "b.jpg", "ok", None, "h2", "00000000000000fe"),  # 1 bit off
        ImageRecord("C", "c.jpg", "ok", None, "h3", "ffffffffffffff00"),
        ImageRecord("D", "d.jpg", "missing", "gone"),
    ]
    pairs = identical_photos(recs, max_hamming=4)
    assert [(p.product_a, p.product_b, p.score) for p in pairs] == [("A", "B", 1.0)]
    vecs = _unit([1, 0], [0.99, 0.141], [0, 1])
    vecs = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
    reshot = reshot_products(["A", "B", "C"], vecs, min_cosine=0.95)
    assert [(p.product_a, p.product_b) for p in reshot] == [("A", "B")]
    assert reshot_products(["A", "B", "C"], vecs, 0.95, exclude={("A", "B")}) == []
