"""The intent model on real WANDS queries: train, calibrate, abstain, store and load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine

from shopsense.core.errors import InputError, NotFoundError
from shopsense.evaluation.labelled_data import read_labelled
from shopsense.models.minilm_finetune import FineTuneConfig
from shopsense.query.intent import (
    UNKNOWN,
    IntentConfig,
    IntentModel,
    _weight_grid,
    train_intent,
    with_threshold,
)
from shopsense.query.intent_store import load_intent_model, save_intent_model


@pytest.fixture(scope="module")
def wands(shared_data: Path) -> tuple[list[str], list[str]]:
    data = read_labelled(shared_data / "wands_queries" / "query.csv", "query", "query_class")
    assert data.dropped == 6  # the six queries without a class
    return data.texts, data.labels


@pytest.fixture(scope="module")
def model(wands: tuple[list[str], list[str]]) -> IntentModel:
    texts, labels = wands
    return train_intent(texts, labels, IntentConfig(components=("tfidf", "words")))


def test_predicts_calibrated_top_k(model: IntentModel, wands: tuple[list[str], list[str]]) -> None:
    texts, labels = wands
    intent = model.predict(texts[0])
    probs = [g.probability for g in intent.top]
    assert len(intent.top) == 3 and probs == sorted(probs, reverse=True) and sum(probs) <= 1 + 1e-9
    proba = model.proba(texts)
    assert np.allclose(proba.sum(axis=1), 1.0)
    train_acc = np.mean(
        [model.labels[i] == y for i, y in zip(proba.argmax(1), labels, strict=True)]
    )
    assert train_acc > 0.8
    assert 0.05 <= model.temperature <= 20 and abs(sum(model.weights.values()) - 1) < 1e-9
    assert model.meta["held_out"] > 0


def test_abstains_below_the_threshold(model: IntentModel) -> None:
    sure = with_threshold(model, 0.0).predict("gold coffee table")
    assert not sure.abstained and sure.category == sure.top[0].category
    unsure = with_threshold(model, 0.999).predict("qwxz zzkj")
    assert unsure.abstained and unsure.category == UNKNOWN
    assert unsure.top[0].category != UNKNOWN  # the guesses are still shown


def test_store_round_trip_with_versions(engine: Engine, model: IntentModel) -> None:
    with pytest.raises(NotFoundError, match="shopsense train intent"):
        load_intent_model(engine)
    assert save_intent_model(engine, model) == 1
    assert save_intent_model(engine, model) == 2
    loaded = load_intent_model(engine)
    assert loaded.meta["version"] == 2 and loaded.labels == model.labels
    q = ["modern accent chair", "outdoor rug 5x8"]
    assert np.allclose(loaded.proba(q), model.proba(q))
    assert load_intent_model(engine, version=1).meta["version"] == 1


def test_bad_training_input_is_an_input_error() -> None:
    with pytest.raises(InputError):
        train_intent(["one"], ["a"])
    with pytest.raises(InputError, match="unknown intent component"):
        train_intent(["a b", "c d"], ["x", "y"], IntentConfig(components=("bert",)))
    with pytest.raises(InputError, match="weight step must divide 1"):
        train_intent(["a b", "c d"], ["x", "y"], IntentConfig(weight_step=0.3))


def test_weight_grid_covers_the_simplex_in_steps() -> None:
    coarse = _weight_grid(["a", "b", "c"])
    fine = _weight_grid(["a", "b", "c"], 0.05)
    # compositions of 4 (resp. 20) into 3 parts: C(6, 2) = 15 and C(22, 2) = 231
    assert len(coarse) == 15 and len(fine) == 231
    assert all(abs(sum(w.values()) - 1) < 1e-9 for w in fine)
    assert {"a": 0.85, "b": 0.05, "c": 0.1} in fine and {"a": 0.5, "b": 0.25, "c": 0.25} in coarse


@pytest.mark.slow
def test_fine_tuned_minilm_exports_and_serves_without_torch(
    wands: tuple[list[str], list[str]],
) -> None:
    texts, labels = wands
    keep = [i for i, y in enumerate(labels) if y in {"Bar Stools", "Beds", "Accent Pillows"}]
    config = IntentConfig(
        components=("minilm",),
        refit=False,
        finetune=FineTuneConfig(epochs=3, max_length=16, threads=1),
    )
    model = train_intent([texts[i] for i in keep], [labels[i] for i in keep], config)
    tuned = model.components["minilm"]
    assert len(tuned.curve) == 3 and tuned.epochs == 1 + int(np.argmax(tuned.curve))
    loaded = IntentModel.from_bytes(model.to_bytes())  # ONNX bytes inside, no torch needed
    assert loaded.components["minilm"].epochs == tuned.epochs
    assert loaded.predict("bar stool").top[0].category == "Bar Stools"
    assert np.allclose(loaded.proba(["king bed"]), model.proba(["king bed"]), atol=1e-6)


@pytest.mark.slow
def test_frozen_minilm_head_pickles_with_its_graph(
    wands: tuple[list[str], list[str]], tmp_path: Path
) -> None:
    texts, labels = wands
    keep = [i for i, y in enumerate(labels) if y in {"Bar Stools", "Beds", "Accent Pillows"}]
    memo: dict[str, dict[str, object]] = {}
    config = IntentConfig(
        components=("minilm_emb",), refit=False, encoder_cache=tmp_path, memo=memo
    )
    model = train_intent([texts[i] for i in keep], [labels[i] for i in keep], config)
    assert len(memo["minilm_emb"]) == len({texts[i] for i in keep})  # each text encoded once
    assert any(tmp_path.iterdir())  # the exported graph is cached for the next model
    loaded = IntentModel.from_bytes(model.to_bytes())  # the graph travels, the memo does not
    assert loaded.predict("comfy bed for two").top[0].category == "Beds"
    assert np.allclose(loaded.proba(["bar stool"]), model.proba(["bar stool"]), atol=1e-6)
