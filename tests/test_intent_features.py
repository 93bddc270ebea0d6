"""TF-IDF options behind the intent baselines and the ``terms12`` / ``nbsvm`` components,
checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shopsense.models.linear import TfidfFeatures
from shopsense.query.intent import IntentConfig, IntentModel, train_intent
from shopsense.text.tokenize import tokenize


def _weights(features: TfidfFeatures, text: str) -> dict[str, float]:
    row = features.transform([text]).toarray()[0]
    vocab = features._vec.vocabulary_
    return {term: float(row[i]) for term, i in vocab.items() if row[i] != 0}


def test_raw_tf_counts_repeats_and_sublinear_tf_dampens_them() -> None:
    texts = ["aab", "b"]  # idf (smoothed): a = 1 + ln(3/2), b = 1 + ln(3/3) = 1
    raw = TfidfFeatures(analyzer="char", ngram_range=(1, 1), sublinear_tf=False)
    damp = TfidfFeatures(analyzer="char", ngram_range=(1, 1))
    raw.fit_transform(texts)
    damp.fit_transform(texts)
    idf_a = 1 + math.log(1.5)
    r, d = _weights(raw, "aab"), _weights(damp, "aab")
    assert math.isclose(r["a"] / r["b"], 2 * idf_a)  # tf 2
    assert math.isclose(d["a"] / d["b"], (1 + math.log(2)) * idf_a)  # tf 1 + ln 2


def test_min_df_drops_terms_seen_in_one_text_only() -> None:
    features = TfidfFeatures(tokenizer=tokenize, ngram_range=(1, 1), min_df=2)
    features.fit_transform(["红色 鞋子", "蓝色 鞋子"])
    assert set(features._vec.vocabulary_) == {"鞋子"}
    assert not np.any(features.transform(["红色"]).toarray())


@pytest.mark.parametrize("component", ["terms12", "nbsvm"])
def test_bag_components_learn_chinese_phrases_and_round_trip(component: str) -> None:
    texts = [
        "蓝牙耳机 音质很好",
        "这款蓝牙耳机 续航长",
        "蓝牙耳机 降噪不错",
        "跑步鞋子 很舒服",
        "这双跑步鞋子 尺码正",
        "跑步鞋子 鞋底软",
    ]
    labels = ["耳机", "耳机", "耳机", "鞋", "鞋", "鞋"]
    config = IntentConfig(components=(component,), calibrate=False, nb_c=1.0)
    model = train_intent(texts, labels, config)
    assert model.predict("新买的蓝牙耳机").category == "耳机"
    assert model.predict("跑步鞋子 透气").category == "鞋"
    loaded = IntentModel.from_bytes(model.to_bytes())
    queries = ["蓝牙耳机", "鞋子"]
    assert np.allclose(loaded.proba(queries), model.proba(queries))
