"""The bag MLP: a one-hidden-layer network over TF-IDF features, trained with torch and
served in numpy; as a component of the intent model on real WANDS queries."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from shopsense.core.errors import InputError
from shopsense.evaluation.labelled_data import read_labelled
from shopsense.models.bag_mlp import BagMLPConfig, train_bag_mlp
from shopsense.query.intent import IntentConfig, IntentModel, train_intent

KEEP = {"Bar Stools", "Beds", "Accent Pillows"}


def test_learns_a_separable_bag_and_checks_its_input() -> None:
    # row i has feature (i mod 3) plus a shared noise feature 3: the label is i mod 3
    rows = [[1.0 if j == i % 3 else 0.0 for j in range(3)] + [0.5] for i in range(30)]
    x = csr_matrix(np.asarray(rows, dtype=np.float32))
    y = np.arange(30, dtype=np.int64) % 3
    net = train_bag_mlp(x, y, 3, BagMLPConfig(hidden=8, dropout=0.0, min_steps=150, threads=1))
    logits = net.logits(x)
    assert logits.shape == (30, 3) and logits.dtype == np.float64
    assert (logits.argmax(axis=1) == y).all()
    with pytest.raises(InputError, match="trained on 4 features"):
        net.logits(csr_matrix(np.ones((1, 5), dtype=np.float32)))
    with pytest.raises(InputError, match="two distinct labels"):
        train_bag_mlp(x, np.zeros(30, dtype=np.int64), 3, BagMLPConfig())


def test_intent_component_learns_and_round_trips(shared_data: Path) -> None:
    data = read_labelled(shared_data / "wands_queries" / "query.csv", "query", "query_class")
    keep = [i for i, y in enumerate(data.labels) if y in KEEP]
    texts = [data.texts[i] for i in keep]
    labels = [data.labels[i] for i in keep]
    model = train_intent(
        texts,
        labels,
        IntentConfig(
            components=("bagmlp",), calibrate=False, bag=BagMLPConfig(min_steps=200, threads=1)
        ),
    )
    assert model.predict("bar stool").top[0].category == "Bar Stools"
    assert model.predict("king size bed").top[0].category == "Beds"
    proba = model.proba(texts)
    assert proba.shape == (len(texts), 3) and np.allclose(proba.sum(axis=1), 1.0)
    train_acc = np.mean(
        [model.labels[i] == y for i, y in zip(proba.argmax(1), labels, strict=True)]
    )
    assert train_acc > 0.9
    loaded = IntentModel.from_bytes(model.to_bytes())
    assert np.allclose(loaded.proba(["throw pillow", "bed"]), model.proba(["throw pillow", "bed"]))


def test_dense_rows_train_the_same_network_as_their_sparse_matrix() -> None:
    # a dense row is a bag over every column: same seed, same data → the same weights
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 6)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    config = BagMLPConfig(hidden=8, dropout=0.0, min_steps=300, threads=1)
    dense = train_bag_mlp(x, y, 2, config)
    sparse = train_bag_mlp(csr_matrix(x), y, 2, config)
    assert np.allclose(dense.logits(x), sparse.logits(csr_matrix(x)), atol=1e-5)
    assert np.mean(dense.logits(x).argmax(axis=1) == y) >= 0.9  # the sign of column 0


def test_usemlp_head_on_sentence_vectors_learns_and_round_trips() -> None:
    texts = [
        "蓝牙耳机音质很好",
        "这款耳机戴着舒服",
        "耳机降噪效果不错",
        "耳机续航时间长",
        "跑步鞋穿着很舒服",
        "这双鞋尺码正好",
        "鞋底软走路不累",
        "鞋子做工很好",
    ]
    labels = ["耳机"] * 4 + ["鞋"] * 4
    small = BagMLPConfig(hidden=16, dropout=0.0, min_steps=150, threads=1)
    config = IntentConfig(components=("usemlp",), calibrate=False, vector_mlp=small)
    model = train_intent(texts, labels, config)
    assert [model.labels[i] for i in model.proba(texts).argmax(axis=1)] == labels
    assert model.predict("新买的蓝牙耳机").top[0].category == "耳机"
    loaded = IntentModel.from_bytes(model.to_bytes())  # USE is reloaded, the head travels
    queries = ["耳机", "运动鞋"]
    assert np.allclose(loaded.proba(queries), model.proba(queries), atol=1e-6)


def test_weight_decay_shrinks_the_first_layer() -> None:
    rows = [[1.0 if j == i % 3 else 0.0 for j in range(3)] + [0.5] for i in range(30)]
    x = csr_matrix(np.asarray(rows, dtype=np.float32))
    y = np.arange(30, dtype=np.int64) % 3
    base = BagMLPConfig(hidden=8, dropout=0.0, min_steps=150, threads=1, one_cycle=False)
    plain = train_bag_mlp(x, y, 3, base)
    decayed = train_bag_mlp(x, y, 3, replace(base, weight_decay=0.5, input_dropout=0.1))
    assert np.linalg.norm(decayed.w1) < np.linalg.norm(plain.w1)
