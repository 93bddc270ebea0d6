"""The bag MLP: a one-hidden-layer network over TF-IDF features, trained with torch and
served in numpy; as a component of the intent model on real WANDS queries."""

from __future__ import annotations

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
